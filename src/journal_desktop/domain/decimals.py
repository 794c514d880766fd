"""Exact decimal values for money, prices and quantities.

Binary floats cannot hold 0.1 exactly, so a journal that stored them would drift from the
broker's statement by fractions of a cent. Every amount is a `Decimal`, created from text or an
integer, and stored as its canonical text, so what is read back equals what was written.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import TypeAlias

DecimalValue: TypeAlias = Decimal

#: Amounts beyond 10**18 or below 10**-18 (non-zero) are no real price, size or fee; refusing
#: them keeps a crafted file from making the app build gigabyte-long numbers.
MAX_ADJUSTED_EXPONENT = 18
MIN_ADJUSTED_EXPONENT = -18
MAX_DIGITS = 40

#: A private copy of the default context (28 digits), immune to callers changing theirs.
_DEFAULT_CONTEXT = Context()


def parse_decimal(value: object) -> Decimal:
    """Turn text, an int or a Decimal into a finite Decimal; refuse floats and non-numbers.

    Floats are refused rather than converted: by the time a float exists the rounding error
    has already happened, and silently keeping it is the bug this module exists to prevent.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    elif isinstance(value, float):
        raise TypeError("amounts must be exact decimals; a binary float was given")
    else:
        raise TypeError(f"cannot read an amount from {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    if result and not MIN_ADJUSTED_EXPONENT <= result.adjusted() <= MAX_ADJUSTED_EXPONENT:
        raise ValueError(f"{value!r} is outside the range of amounts a journal can hold")
    if len(result.as_tuple().digits) > MAX_DIGITS:
        raise ValueError(f"{value!r} has more digits than any real amount")
    return result


def canonical_decimal(value: Decimal) -> str:
    """The one text form of a value: no exponent, no trailing zeros, `-0` folded into `0`.

    Equal amounts get equal text, which keeps hashes, audit entries and sync manifests stable
    whatever precision a broker file happened to print.
    """
    if not value.is_finite():
        raise ValueError("only finite amounts can be stored")
    if value == 0:
        return "0"
    # `normalize` rounds to the context's precision; give it room for every digit the value
    # has, so stripping trailing zeros never changes the amount. Most amounts fit the default
    # 28 digits, which spares building a context for each of them.
    digits = len(value.as_tuple().digits)
    if (
        digits <= _DEFAULT_CONTEXT.prec
        and _DEFAULT_CONTEXT.Emin <= value.adjusted() <= _DEFAULT_CONTEXT.Emax
    ):
        return format(value.normalize(_DEFAULT_CONTEXT), "f")
    exact = Context(prec=max(1, digits), Emax=MAX_EMAX, Emin=MIN_EMIN)
    return format(value.normalize(exact), "f")
