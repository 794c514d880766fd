"""The helpers these formats added to the importer core: per-file decimal separator
inference, accounting negatives with the currency sign outside, multi-table records with line
numbers, and a time reader that remembers the file's format."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.importers.numbers import infer_decimal_comma, parse_amount
from journal_desktop.importers.table import read_records
from journal_desktop.importers.times import BadTime, LocalTimeReader
from tests.importers.support import utc


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["43,1", "2"], True),
        (["1.234,50"], True),
        (["1.234.567"], True),
        (["43.1", "1,234"], False),
        (["1,234.50"], False),
        (["1,234,567"], False),
        (["1,234", "12", ""], None),  # nothing decides
        (["1,5", "1.5"], None),  # contradictory: each value judged alone
        (["(2,50)", "$1,5"], True),
    ],
)
def test_infer_decimal_comma(values: list[str], expected: bool | None) -> None:
    assert infer_decimal_comma(values) is expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("$(400.00)", "-400.00"), ("$ (5)", "-5"), ("($1,200.00)", "-1200.00"), ("$12", "12")],
)
def test_currency_sign_outside_parentheses(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


def test_read_records_keeps_the_line_each_record_ends_on() -> None:
    text = 'a;b\n\n"multi\nline";x\nc;d\n'
    assert read_records(text, "f.csv") == [
        (1, ["a", "b"]),
        (4, ["multi\nline", "x"]),
        (5, ["c", "d"]),
    ]
    with pytest.raises(ImportFileError) as caught:
        read_records("a,b\nc," + "x" * 200_000 + "\n", "bad.csv")  # past csv's field limit
    assert (caught.value.file, caught.value.line) == ("bad.csv", 2)


def test_local_time_reader() -> None:
    read = LocalTimeReader(("%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S"), ZoneInfo("America/New_York"))
    assert read("03/02/2026 09:30:00") == utc(2026, 3, 2, 14, 30)
    assert read("2026-03-02 09:30") == utc(2026, 3, 2, 14, 30)
    assert read.naive("03/09/2026 09:30:00").tzinfo is None
    with pytest.raises(BadTime, match="daylight-saving gap"):
        read("03/08/2026 02:30:00")
    with pytest.raises(BadTime, match="not a date"):
        read("tomorrow")
