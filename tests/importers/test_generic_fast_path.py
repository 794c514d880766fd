"""The generic importer's fast reading of large files gives exactly what the row-by-row
reading gives: the same executions for every row it accepts, and, for every row it does not,
the same error naming the file, line and column."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.importers.formats import generic
from journal_desktop.importers.numbers import AmountReader, infer_decimal_comma, parse_amount
from journal_desktop.importers.table import read_raw_table, read_table
from journal_desktop.importers.times import BadTime, DateTimeCellReader, parse_local, zone
from tests.importers.support import both_readings

ZONES = ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Havana"]


def _slow_time(date_text: str, time_text: str, tz_name: str) -> datetime | str:
    try:
        return parse_local(f"{date_text} {time_text}", generic.DATE_FORMATS, zone(tz_name))
    except BadTime as error:
        return f"BadTime: {error}"


def _fast_time(reader: DateTimeCellReader, date_text: str, time_text: str) -> datetime | str:
    try:
        return reader(date_text, time_text)
    except BadTime as error:
        return f"BadTime: {error}"


@pytest.mark.parametrize("tz_name", ZONES)
def test_times_around_every_offset_change_read_as_parse_local_reads_them(tz_name: str) -> None:
    """Every quarter hour (and odd seconds) across days with DST changes, in several shapes."""
    reader = DateTimeCellReader(generic.DATE_FORMATS, zone(tz_name))
    days = [
        datetime(2026, 3, 7),
        datetime(2026, 3, 8),  # New York springs forward
        datetime(2026, 4, 5),  # Lord Howe falls back half an hour
        datetime(2026, 10, 4),  # Lord Howe springs forward half an hour
        datetime(2026, 11, 1),  # New York and Havana fall back
        datetime(2026, 3, 14),
    ]
    for day in days:
        for step in range(0, 24 * 60, 15):
            local = day + timedelta(minutes=step, seconds=step % 7)
            for date_text, time_text in (
                (f"{local:%m/%d/%Y}", f"{local:%H:%M:%S}"),
                (f"{local:%Y-%m-%d}", f"{local:%H:%M}"),
                (f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}.{step % 1000:03d}"),
                (f"{local:%d.%m.%Y}", f"{local:%H:%M:%S}"),
                (f"{local:%Y%m%d}", f"{local:%H:%M:%S}"),
            ):
                expected = _slow_time(date_text, time_text, tz_name)
                assert _fast_time(reader, date_text, time_text) == expected, (date_text, time_text)


@settings(max_examples=300, deadline=None)
@given(
    date_text=st.sampled_from(
        [
            "03/02/2026",
            "3/2/2026",
            "2026-03-08",
            "02.03.2026",
            "20261101",
            "03/02/26",
            "13/40/2026",
            "2026-3-8",
            "",
            "03/02/2026 ",
            "Mar 2 2026",
            "2026-02-30",
        ]
    ),
    time_text=st.sampled_from(
        [
            "09:31:05",
            "9:31:05",
            "02:30:00",
            "01:30:00",
            "23:59:59.999999",
            "09:31",
            "09:31:5",
            "24:00:00",
            "09:31:60",
            "09:31:05.1234567",
            "09:31:05.5",
            "",
            "0931",
            " 09:31:05",
        ]
    ),
    tz_name=st.sampled_from(ZONES),
)
def test_any_cells_read_as_parse_local_reads_them(
    date_text: str, time_text: str, tz_name: str
) -> None:
    reader = DateTimeCellReader(generic.DATE_FORMATS, zone(tz_name))
    assert _fast_time(reader, date_text, time_text) == _slow_time(date_text, time_text, tz_name)


def test_a_format_the_reader_cannot_split_is_still_tried_in_order() -> None:
    formats = ["%d %b %Y %H:%M:%S", "%m/%d/%Y %H:%M:%S"]
    reader = DateTimeCellReader(formats, zone("UTC"))
    assert reader("03/02/2026", "09:31:05") == parse_local(
        "03/02/2026 09:31:05", formats, zone("UTC")
    )


def test_amount_reader_remembers_values_but_not_errors() -> None:
    read = AmountReader(decimal_comma=True)
    assert read("1.234,50") == parse_amount("1.234,50", decimal_comma=True) == Decimal("1234.50")
    assert read("1.234,50") is read("1.234,50")
    for _ in range(2):
        with pytest.raises(ValueError, match="is not a number"):
            read("abc")


@given(st.lists(st.sampled_from(["1,234", "43,1", "1.234,50", "43.1", "1,234.50", "", "(1,5)"])))
def test_decimal_comma_judgement_does_not_depend_on_repeats_or_order(values: list[str]) -> None:
    judged = infer_decimal_comma(values)
    assert infer_decimal_comma(list(reversed(values)) * 2) == judged
    assert infer_decimal_comma(sorted(set(values))) == judged


HEADER = (
    "Date,Time,Symbol,Quantity,Price,Side,Commission,TransFee,ECNFee,Type,Multiplier,Account,ID"
)
ROWS = [
    "03/02/2026,09:31:00,AAPL,100,10,Buy,1,0.02,0.003,,,,",
    "03/02/2026,09:31:00,aapl,100,10.50,Sell,-1,(0.02),,stock,,Acct 2,X1",
    "2026-03-02,09:31,ES,1,5000.25,Short,2.5,,,future,,,",
    "03/08/2026,02:30:00,AAPL,100,10,Buy,1,,,,,,",  # does not exist in New York
    "03/02/2026,09:31:00,AAPL,-5,10,Buy,1,,,,,,",
    "03/02/2026,09:31:00,AAPL,0,10,Buy,1,,,,,,",
    "03/02/2026,09:31:00,AAPL,100,abc,Buy,1,,,,,,",
    "03/02/2026,09:31:00,AAPL,100,10,Hold,1,,,,,,",
    "03/02/2026,9:31:00,AAPL,100,10,Cover,1,,,,,,",
    "03/02/2026,09:31:00,,100,10,Buy,1,,,,,,",
    "03/02/2026,09:31:00,SPY,100,10,Buy,1,,,etf,,,",
    "03/02/2026,09:31:00,SPY 260320C00500000,1,2.5,Buy,0.65,,,option,50,,",
    "03/02/2026,09:31:00,AAPL,100,10,Buy",
    ",09:31:00,AAPL,100,10,Buy,1,,,,,,",
    "03/02/2026,09:31:00,AAPL,1 000,$10.00,Buy,1,,,,,,",
]


@pytest.mark.parametrize("row", ROWS)
def test_each_row_reads_as_the_row_by_row_reading_does(row: str) -> None:
    got, expected = both_readings(f"{HEADER}\n{row}\n")
    assert got == expected


def test_raw_table_rows_are_the_rows_read_table_makes() -> None:
    text = 'A,B,a\n1,2,3\n\n , \n4\n"5\n6",7,8,9\n'
    table = read_table(text, "f.csv")
    raw = read_raw_table(text, "f.csv")
    assert raw.header == table.header and raw.header_line == table.header_line
    assert [raw.row(line, record) for line, record in raw.records] == list(table.rows)
    assert raw.index() == {"a": 2, "b": 1}


def test_a_whole_file_reads_the_same_both_ways() -> None:
    lines = [HEADER] + [
        row for row in itertools.islice(itertools.cycle(ROWS[:3] + ROWS[8:9] + ROWS[11:12]), 50)
    ]
    text = "\n".join(lines) + "\n"
    tz = zone("America/New_York")
    fast = generic.parse(text, "f.csv", tz, "Main").executions
    table = read_table(text, "f.csv")
    comma = infer_decimal_comma(
        row.text(c, required=False) for row in table.rows for c in generic.AMOUNT_COLUMNS
    )
    slow = tuple(generic._execution(row, tz, "Main", i, comma) for i, row in enumerate(table.rows))
    assert fast == slow
