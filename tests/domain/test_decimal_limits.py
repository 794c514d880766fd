"""Amounts far outside any real price, size or fee are refused before they cost anything."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.decimals import parse_decimal


@pytest.mark.parametrize("text", ["1e999999999", "1e19", "-5e25", "1e-19", "1e-999999999"])
def test_absurd_magnitudes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the range"):
        parse_decimal(text)


def test_too_many_digits_are_refused() -> None:
    with pytest.raises(ValueError, match="more digits"):
        parse_decimal("1." + "1" * 45)


@pytest.mark.parametrize(
    "text", ["0", "0.000000000000000001", "999999999999999999", "-123456.789", "0e-50"]
)
def test_real_amounts_pass(text: str) -> None:
    assert parse_decimal(text) == Decimal(text)
