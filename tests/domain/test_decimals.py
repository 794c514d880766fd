"""Exact amounts: what parse_decimal refuses, and that canonical text round-trips exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.domain.decimals import canonical_decimal, parse_decimal

_digits = st.text(alphabet="0123456789", min_size=1, max_size=40)

#: Decimal text as brokers and people write it: sign, up to 40 digits each side, an exponent.
decimal_text = st.builds(
    lambda sign, whole, point, fraction, exponent: f"{sign}{whole}{point}{fraction}{exponent}",
    st.sampled_from(["", "-", "+"]),
    _digits,
    st.sampled_from(["", "."]),
    st.one_of(st.just(""), _digits),
    st.one_of(st.just(""), st.integers(min_value=-400, max_value=400).map(lambda e: f"E{e}")),
)


@pytest.mark.parametrize("value", [0.1, 1.0, -2.5, float("nan"), float("inf")])
def test_parse_refuses_binary_floats(value: float) -> None:
    with pytest.raises(TypeError, match="float"):
        parse_decimal(value)


@pytest.mark.parametrize("value", [True, False])
def test_parse_refuses_booleans(value: bool) -> None:
    with pytest.raises(TypeError, match="boolean"):
        parse_decimal(value)


@pytest.mark.parametrize(
    "value",
    ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "-inf", " Inf "],
)
def test_parse_refuses_text_that_is_not_finite(value: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_decimal(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
def test_parse_refuses_non_finite_decimals(value: Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_decimal(value)


@pytest.mark.parametrize("value", ["", "   ", "12abc", "1.2.3", "$12", "1,000.00", "0x10"])
def test_parse_refuses_text_that_is_not_a_number(value: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(value)


@pytest.mark.parametrize("value", [None, b"12", [1], object(), 1j])
def test_parse_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        parse_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("  -3.1 \n", Decimal("-3.1")),
        (7, Decimal(7)),
        (-(10**18) + 1, Decimal(-(10**18) + 1)),
        (Decimal("0.000000012345678901"), Decimal("0.000000012345678901")),
        ("1e-8", Decimal("0.00000001")),
    ],
)
def test_parse_accepts_exact_values(value: object, expected: Decimal) -> None:
    result = parse_decimal(value)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1.500"), "1.5"),
        (Decimal("100"), "100"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.2E-7"), "0.00000012"),
        (Decimal("-0"), "0"),
        (Decimal("-0.000"), "0"),
        (Decimal("0E+5"), "0"),
        (Decimal("-12.340"), "-12.34"),
        (Decimal("0.000000012345678901"), "0.000000012345678901"),
        # More significant digits than the default 28-digit context: must not be rounded.
        (
            Decimal("1234567890123456789012345678901234.5678901234"),
            "1234567890123456789012345678901234.5678901234",
        ),
        (Decimal("0.12345678901234567890123456789012"), "0.12345678901234567890123456789012"),
    ],
)
def test_canonical_text(value: Decimal, text: str) -> None:
    assert canonical_decimal(value) == text


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_canonical_refuses_non_finite(value: Decimal) -> None:
    with pytest.raises(ValueError):
        canonical_decimal(value)


@settings(max_examples=300)
@given(decimal_text)
def test_canonical_round_trips_exactly(text: str) -> None:
    value = Decimal(text)
    canonical = canonical_decimal(value)
    assert Decimal(canonical) == value
    # Stable: the canonical text of the read-back value is the same text.
    assert canonical_decimal(Decimal(canonical)) == canonical
    assert "e" not in canonical.lower()
    if "." in canonical:
        assert not canonical.endswith(("0", "."))
    assert canonical != "-0"


@settings(max_examples=200)
@given(decimal_text, st.integers(min_value=1, max_value=12))
def test_equal_values_get_equal_text(text: str, extra_zeros: int) -> None:
    value = Decimal(text)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # The same amount written with more trailing zeros (as another broker file might print it).
    padded = Decimal((sign, (*digits, *([0] * extra_zeros)), exponent - extra_zeros))
    assert padded == value
    assert canonical_decimal(padded) == canonical_decimal(value)


@settings(max_examples=200)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_any_finite_decimal_round_trips(value: Decimal) -> None:
    # canonical_decimal is exact for any finite value, even those parse_decimal refuses.
    assert Decimal(canonical_decimal(value)) == value
