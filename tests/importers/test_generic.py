"""The generic (Tradervue-style) format, on fixtures written from its documented columns:
`Date,Time,Symbol,Quantity,Price,Side` with optional `Commission,TransFee,ECNFee`, Side one of
Buy, Sell, Short, Cover (samples/generic.csv, and samples/generic-semicolon.csv as a European
spreadsheet saves it: `;` delimiter, decimal commas, day-first dates)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import Side
from tests.importers.support import fixture_text, parse_text, utc

HEADER = "Date,Time,Symbol,Quantity,Price,Side,Commission,TransFee,ECNFee"


def test_short_and_cover_and_summed_fees() -> None:
    parsed = parse_text(fixture_text("generic.csv"), "generic.csv")
    assert parsed.format_name == "generic"
    short, cover, buy, sell = parsed.executions
    assert (short.side, short.quantity, short.price) == (Side.SELL, 100, Decimal("180.50"))
    assert cover.side is Side.BUY
    assert short.executed_at == utc(2026, 3, 2, 14, 30, 1)  # New York by default
    assert (short.commission, short.fees) == (Decimal("1.00"), Decimal("0.32"))
    # ECNFee -0.25 is a rebate: "For fees, a positive number is a charge, and a negative
    # number is a credit" (tradervue.com/help/generic).
    assert cover.fees == Decimal("-0.25")
    assert buy.fees == 0  # blank fee cells
    assert sell.fees == Decimal("0.11")
    assert [e.account for e in parsed.executions] == ["Default"] * 4
    assert [e.line for e in parsed.executions] == [2, 3, 4, 5]


def test_semicolons_and_decimal_commas() -> None:
    parsed = parse_text(fixture_text("generic-semicolon.csv"), "eu.csv", timezone="Europe/Berlin")
    buy, sell = parsed.executions
    assert (buy.price, buy.commission, buy.fees) == (
        Decimal("180.5"),
        Decimal("1.25"),
        Decimal("0.32"),
    )
    assert sell.price == Decimal("182.75")
    assert buy.executed_at == utc(2026, 3, 2, 8, 30, 1)


def error_of(text: str) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, "bad.csv", "generic")
    assert caught.value.file == "bad.csv"
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("03/02/2026,10:00:00,ABC,10,1.5,Hold,,,", "Side", "not a side"),
        ("03/02/2026,10:00:00,ABC,-10,1.5,Buy,,,", "Quantity", "must not be negative"),
        ("03/02/2026,10:00:00,ABC,10,1.5x,Buy,,,", "Price", "not a number"),
        ("03/02/2026,10:00:00,ABC,0,1.5,Buy,,,", "Quantity", "zero"),
        ("31/02/2026,10:00:00,ABC,10,1.5,Buy,,,", "Date", "not a date"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    good = "03/02/2026,09:00:00,ABC,10,1.5,Buy,,,"
    error = error_of(f"{HEADER}\n{good}\n{row}\n")
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_missing_columns_and_empty_files() -> None:
    missing = error_of("Date,Time,Symbol,Quantity,Side\n03/02/2026,10:00:00,ABC,10,Buy\n")
    assert (missing.line, missing.column) == (1, "Price")
    assert error_of("").line == 1
    assert "no executions" in error_of(HEADER + "\n").reason
