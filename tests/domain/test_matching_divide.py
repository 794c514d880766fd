"""The quick path of matching's averages gives exactly what the integer rounding gives."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from journal_desktop.domain.matching import (
    EXTRA_DIVISION_PLACES,
    MIN_DIVISION_PLACES,
    _decimals,
    _divide,
    _round_quotient,
    _trim,
)

amounts = st.decimals(
    min_value=Decimal("0.00000001"), max_value=Decimal("10000000"), places=8, allow_nan=False
).map(lambda d: d.normalize() if d.adjusted() > -9 else d)


def _reference(numerator: Decimal, denominator: Decimal) -> Decimal:
    places = max(
        MIN_DIVISION_PLACES,
        _decimals(numerator) + _decimals(denominator) + EXTRA_DIVISION_PLACES,
    )
    return _trim(_round_quotient(numerator, denominator, places))


@given(amounts, amounts)
def test_quick_averages_equal_the_rounded_quotient(
    numerator: Decimal, denominator: Decimal
) -> None:
    quick = _divide(numerator, denominator)
    reference = _reference(numerator, denominator)
    assert quick == reference
    assert str(quick) == str(reference)


def test_hand_picked_quotients() -> None:
    for numerator, denominator in [
        ("1100", "100"),
        ("1", "3"),
        ("2", "3"),
        ("10.5", "2"),
        ("123456789.123456789", "7"),
        ("1E+3", "8"),
        ("0.00000001", "3"),
        ("4", "0.0000001"),
    ]:
        n, d = Decimal(numerator), Decimal(denominator)
        assert str(_divide(n, d)) == str(_reference(n, d))
