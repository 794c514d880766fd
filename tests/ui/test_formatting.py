from datetime import timedelta
from decimal import Decimal

import pytest

from journal_desktop.ui import formatting


@pytest.mark.parametrize(
    ("amount", "signed", "text"),
    [
        (Decimal("1234.5"), False, "1,234.50"),
        (Decimal("-1234.005"), False, "-1,234.00"),
        (Decimal("197.75"), True, "+197.75"),
        (Decimal("0"), True, "0.00"),
        (None, False, ""),
    ],
)
def test_money(amount: Decimal | None, signed: bool, text: str) -> None:
    assert formatting.money(amount, signed=signed) == text


def test_number_keeps_what_the_broker_wrote() -> None:
    assert formatting.number(Decimal("100.000")) == "100"
    assert formatting.number(Decimal("4714.10")) == "4,714.1"
    assert formatting.number(Decimal("0.00012")) == "0.00012"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("23523.0833333333"), "23,523.0833"),
        (Decimal("100.37"), "100.37"),
        (Decimal("0.012345"), "0.0123"),
        (Decimal("2.00005"), "2"),  # half-even: 2.0000|5 rounds to the even 2.0000
        (Decimal("-1.23456"), "-1.2346"),
        (Decimal("15"), "15"),
        (None, ""),
    ],
)
def test_average_price_rounds_only_beyond_four_places(value: Decimal | None, text: str) -> None:
    assert formatting.average_price(value) == text


def test_ratios_and_percent() -> None:
    assert formatting.ratio(Decimal("Infinity")) == "∞"
    assert formatting.ratio(None) == formatting.UNDEFINED
    assert formatting.percent(Decimal("0.5734")) == "57.3%"


def test_duration() -> None:
    assert formatting.duration(timedelta(seconds=45)) == "45s"
    assert formatting.duration(timedelta(minutes=185)) == "3h 05m"
    assert formatting.duration(timedelta(hours=52)) == "2d 4h"
