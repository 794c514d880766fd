"""Tradovate's Fills report: every fill, with its commission and its UTC `_timestamp`.

No real Fills export is in the shared samples. samples/tradovate-fills.csv has invented
figures in the layout quoted, header and rows, in the tests and notes of several public
futures journals on GitHub (reference only): the 25 columns from `_id` to `commission`, `B/S`
with a leading space, `_timestamp` in UTC with milliseconds and a `Z`, `Timestamp` the same
instant in the platform's zone (here Chicago, five hours behind), and `commission` per fill.
A partly filled order (700000000041) is three fills, the last marked `_active` false.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.contracts import default_multiplier
from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import Side
from journal_desktop.importers import detect_format
from tests.importers.support import fixture_text, parse_text

FMT = "tradovate-fills"
FIXTURE = "tradovate-fills.csv"
D = Decimal


def test_the_fixture_fill_by_fill() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    got = [
        (e.instrument.symbol, e.side, e.quantity, e.price, e.commission, e.broker_execution_id)
        for e in parsed.executions
    ]
    assert got == [
        ("ESM6", Side.BUY, D(1), D("7494.25"), D("1.29"), "700000000010"),
        ("ESM6", Side.SELL, D(1), D("7494.75"), D("1.29"), "700000000021"),
        ("MNQM6", Side.BUY, D(2), D("29007.75"), D("1.0"), "700000000033"),
        ("MNQM6", Side.SELL, D(1), D("28971.00"), D("0.5"), "700000000044"),
        ("MNQM6", Side.SELL, D(1), D("28970.75"), D("0.5"), "700000000045"),
    ]
    assert {e.account for e in parsed.executions} == {"DEMO1234"}
    assert any("inactive" in w for w in parsed.warnings)
    # ES: 0.50 points x $50 = $25.00; MNQ: (28971.00 + 28970.75 - 2 x 29007.75) x $2 = -$147.50.
    es_buy, es_sell, mnq_buy, *mnq_sells = parsed.executions
    assert (es_sell.price - es_buy.price) * default_multiplier(es_buy.instrument) == D("25.00")
    mnq = sum(s.price for s in mnq_sells) - 2 * mnq_buy.price
    assert mnq * default_multiplier(mnq_buy.instrument) == D("-147.50")


def test_the_utc_timestamp_is_used_whatever_the_import_zone() -> None:
    text = fixture_text(FIXTURE)
    default = parse_text(text, FIXTURE)
    chicago = parse_text(text, FIXTURE, timezone="America/Chicago")
    assert [e.executed_at for e in chicago.executions] == [
        e.executed_at for e in default.executions
    ]
    first = default.executions[0].executed_at
    assert (first.hour, first.minute, first.second, first.microsecond) == (23, 3, 54, 732000)
    assert not any("time zone" in w for w in default.warnings)


def test_without_the_utc_column_the_display_time_is_read_in_the_import_zone() -> None:
    text = (
        "Fill ID,Timestamp,Account,B/S,Quantity,Price,Contract,Product,commission\n"
        "9,06/14/2026 18:03:54,DEMO, Buy,1,7494.25,ESM6,ES,1.29\n"
    )
    (fill,) = parse_text(text, "fills.csv", timezone="America/Chicago").executions
    assert fill.executed_at.hour == 23


def test_detection_and_errors_name_the_line() -> None:
    assert detect_format(fixture_text(FIXTURE), FIXTURE).name == FMT
    bad = fixture_text(FIXTURE).replace(" Sell,1,7494.75", " Hold,1,7494.75")
    with pytest.raises(ImportFileError) as caught:
        parse_text(bad, FIXTURE)
    assert (caught.value.line, caught.value.column) == (3, "B/S")
