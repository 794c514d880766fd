"""Reading the numbers brokers print: `1,234.50`, `1.234,50`, `4 714.10`, `(12.00)`, `$-3`.

Every amount becomes an exact Decimal or a clear error; nothing passes through a float. A
file's decimal separator is decided once per column when ambiguous (`1,234` could be either),
by the caller passing `decimal_comma`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from journal_desktop.domain.decimals import parse_decimal

_CURRENCY_SIGNS = "$€£¥₹"
_SPACES = " \u00a0\u202f\u2009'"  # thin and no-break spaces and apostrophes group thousands


class NotANumber(ValueError):
    pass


def parse_amount(text: str, *, decimal_comma: bool | None = None) -> Decimal:
    """Parse one printed amount. `decimal_comma` None means infer from the text itself."""
    raw = text.strip()
    if not raw:
        raise NotANumber("the value is empty")
    if raw[0] in _CURRENCY_SIGNS and raw[1:].lstrip().startswith("("):
        raw = raw[1:].strip()  # "$(400.00)": accounting negatives with the sign outside
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative = True
        raw = raw[1:-1].strip()
    if raw.endswith("-") and not raw.startswith("-"):  # "12.50-" as some statements print
        negative = True
        raw = raw[:-1].strip()
    raw = raw.strip(_CURRENCY_SIGNS).strip()
    if raw.startswith(("-", "+")):
        negative = negative != raw.startswith("-")
        raw = raw[1:].strip().lstrip(_CURRENCY_SIGNS).strip()
    for space in _SPACES:
        raw = raw.replace(space, "")
    if not raw:
        raise NotANumber(f"{text.strip()!r} is not a number")
    raw = _normalise_separators(raw, text, decimal_comma)
    if not re.fullmatch(r"(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", raw):
        raise NotANumber(f"{text.strip()!r} is not a number")
    try:
        value = parse_decimal(raw)
    except ValueError as error:
        raise NotANumber(f"{text.strip()!r}: {error}") from None
    return -value if negative else value


def _normalise_separators(raw: str, original: str, decimal_comma: bool | None) -> str:
    has_comma = "," in raw
    has_dot = "." in raw
    if has_comma and has_dot:
        # Whichever comes last is the decimal separator: 1,234.50 or 1.234,50.
        if raw.rfind(",") > raw.rfind("."):
            return raw.replace(".", "").replace(",", ".")
        return raw.replace(",", "")
    if has_comma:
        if decimal_comma is None:
            decimal_comma = not _looks_like_thousands(raw, ",")
        return raw.replace(",", ".") if decimal_comma else raw.replace(",", "")
    if has_dot and decimal_comma and _looks_like_thousands(raw, "."):
        return raw.replace(".", "")
    return raw


def _looks_like_thousands(raw: str, separator: str) -> bool:
    """`1,234` and `12,345,678` group thousands; `1,5` and `12,34` do not."""
    parts = raw.split(separator)
    return len(parts) > 1 and all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3


def parse_quantity(text: str, *, decimal_comma: bool | None = None) -> Decimal:
    return parse_amount(text, decimal_comma=decimal_comma)


def infer_decimal_comma(values: Iterable[str]) -> bool | None:
    """Whether a file's numbers use a decimal comma, judged from all of them at once.

    One value alone is often ambiguous (`1,234` is a thousand or one point two), but a file is
    consistent: `43,1` or `1.234,50` can only be decimal-comma, `43.1` or `1,234.50` only
    decimal-point. True or False when the values agree; None when nothing decides (or they
    contradict each other), leaving `parse_amount` to judge each value on its own.
    """
    comma = dot = False
    # The verdict depends only on which texts occur, so each distinct text is judged once
    # (a file of 100,000 fills prints a few thousand distinct amounts).
    for value in dict.fromkeys(values):
        raw = value.strip().strip(_CURRENCY_SIGNS + "()+-").strip()
        for space in _SPACES:
            raw = raw.replace(space, "")
        if not raw:
            continue
        has_comma, has_dot = "," in raw, "." in raw
        if has_comma and has_dot:
            if raw.rfind(",") > raw.rfind("."):
                comma = True
            else:
                dot = True
        elif has_comma:
            if raw.count(",") > 1:
                dot = True
            elif not _looks_like_thousands(raw, ","):
                comma = True
        elif has_dot:
            if raw.count(".") > 1:
                comma = True
            elif not _looks_like_thousands(raw, "."):
                dot = True
        if comma and dot:
            return None
    if comma:
        return True
    if dot:
        return False
    return None


class AmountReader:
    """`parse_amount` for one file's amounts, remembering each distinct text it has read.

    Files repeat their amounts (quantities, commissions, fees, many prices), and a Decimal is
    immutable, so each text is parsed once. Errors are not remembered: a bad text raises the
    same `NotANumber` every time it is read.
    """

    __slots__ = ("_decimal_comma", "_known")

    def __init__(self, *, decimal_comma: bool | None = None) -> None:
        self._decimal_comma = decimal_comma
        self._known: dict[str, Decimal] = {}

    def __call__(self, text: str) -> Decimal:
        value = self._known.get(text)
        if value is None:
            value = self._known[text] = parse_amount(text, decimal_comma=self._decimal_comma)
        return value
