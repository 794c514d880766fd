"""Tradovate paired-trade reports: the real Position History sample, and two fixtures.

- The shared sample performance-paired-trades.csv is a real export (see SOURCES.md).
- samples/tradovate-position-history-split.csv is written by hand in the sample's exact
  layout, to have what the sample lacks: one buy fill split across two pairs, and a short
  whose two fills share a timestamp.
- samples/tradovate-performance.csv is written by hand from the Performance report's header
  as published in a real anonymised export (`symbol,_priceFormat,_priceFormatType,_tickSize,
  buyFillId,sellFillId,qty,buyPrice,sellPrice,pnl,boughtTimestamp,soldTimestamp,duration`,
  P/L in accounting format: `$(400.00)`, `"$1,200.00"`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError, InstrumentSpec, ReportedTrade
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers import parse_file
from tests.importers.support import (
    TRADOVATE_PAIRS,
    fixture_text,
    parse_text,
    utc,
    utf16_le_with_bom,
)

FMT = "tradovate-performance"
MNQ_POINT_VALUE = Decimal(2)  # Micro E-mini Nasdaq-100: $2 a point
MES_POINT_VALUE = Decimal(5)


def test_the_real_sample_fills() -> None:
    parsed = parse_file(TRADOVATE_PAIRS.read_bytes(), TRADOVATE_PAIRS.name)
    assert parsed.format_name == FMT
    # Every fill of the five pairs, in time order; the last pair's two fills share
    # 17:14:44 and the lower fill id (the buy) comes first.
    expected = [
        ("465747740075", Side.SELL, 5, "25073.75", utc(2026, 4, 9, 15, 30, 37), 6),
        ("465747740094", Side.BUY, 5, "25082.75", utc(2026, 4, 9, 15, 30, 48), 6),
        ("465747740106", Side.SELL, 2, "25051.00", utc(2026, 4, 9, 15, 36, 31), 5),
        ("465747740125", Side.BUY, 2, "25064.00", utc(2026, 4, 9, 15, 37, 6), 5),
        ("465747740137", Side.BUY, 2, "25053.75", utc(2026, 4, 9, 15, 37, 35), 4),
        ("465747740156", Side.SELL, 2, "25044.00", utc(2026, 4, 9, 15, 38, 0), 4),
        ("465747740168", Side.BUY, 1, "25060.75", utc(2026, 4, 9, 15, 38, 40), 3),
        ("465747740191", Side.SELL, 1, "25048.50", utc(2026, 4, 9, 15, 40, 3), 3),
        ("465747740203", Side.BUY, 5, "25073.25", utc(2026, 4, 9, 17, 14, 44), 2),
        ("465747740221", Side.SELL, 5, "25072.00", utc(2026, 4, 9, 17, 14, 44), 2),
    ]
    mnq = InstrumentSpec("MNQM6", AssetClass.FUTURE, "USD", None, underlying="MNQ")
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        fill_id, side, quantity, price, when, line = want
        assert execution.broker_execution_id == fill_id
        assert execution.account == "APEX4977960000002"
        assert execution.instrument == mnq
        assert execution.side is side
        assert execution.quantity == quantity
        assert execution.price == Decimal(price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (0, 0)
        assert (execution.line, execution.position_in_file) == (line, position)
    assert len(parsed.warnings) == 1 and "UTC" in parsed.warnings[0]


def test_the_real_sample_pairs_and_their_pnl_to_the_cent() -> None:
    parsed = parse_file(TRADOVATE_PAIRS.read_bytes(), TRADOVATE_PAIRS.name)
    assert parsed.reported_trades == (
        ReportedTrade("APEX4977960000002", "MNQM6", Decimal(5), Decimal("25073.25"),
                      Decimal("25072.00"), Decimal("-12.50"), 2),
        ReportedTrade("APEX4977960000002", "MNQM6", Decimal(1), Decimal("25060.75"),
                      Decimal("25048.50"), Decimal("-24.50"), 3),
        ReportedTrade("APEX4977960000002", "MNQM6", Decimal(2), Decimal("25053.75"),
                      Decimal("25044.00"), Decimal("-39.00"), 4),
        ReportedTrade("APEX4977960000002", "MNQM6", Decimal(2), Decimal("25064.00"),
                      Decimal("25051.00"), Decimal("-52.00"), 5),
        ReportedTrade("APEX4977960000002", "MNQM6", Decimal(5), Decimal("25082.75"),
                      Decimal("25073.75"), Decimal("-90.00"), 6),
    )  # fmt: skip
    for pair in parsed.reported_trades:
        assert pair.pnl == (pair.sell_price - pair.buy_price) * pair.quantity * MNQ_POINT_VALUE
    reported = sum((pair.pnl for pair in parsed.reported_trades), Decimal(0))
    recomputed = sum(
        (
            (pair.sell_price - pair.buy_price) * pair.quantity * MNQ_POINT_VALUE
            for pair in parsed.reported_trades
        ),
        Decimal(0),
    )
    assert reported == recomputed == Decimal("-218.00")
    # And from the executions alone: sold minus bought, all five pairs being flat.
    cash = sum(
        (
            (e.price if e.side is Side.SELL else -e.price) * e.quantity * MNQ_POINT_VALUE
            for e in parsed.executions
        ),
        Decimal(0),
    )
    assert cash == reported


def test_the_real_sample_in_utf16_and_with_semicolons() -> None:
    text = TRADOVATE_PAIRS.read_text(encoding="utf-8")
    original = parse_file(TRADOVATE_PAIRS.read_bytes(), "pairs.csv")
    assert parse_file(utf16_le_with_bom(text), "pairs.csv") == original
    european = "\n".join(
        ";".join(cell.replace(".", ",") for cell in line.split(",")) for line in text.splitlines()
    )
    assert parse_text(european, "pairs.csv") == original


def test_a_fill_split_across_pairs_is_one_execution() -> None:
    parsed = parse_text(fixture_text("tradovate-position-history-split.csv"), "split.csv")
    summary = [
        (e.broker_execution_id, e.side, e.quantity, e.price, e.line) for e in parsed.executions
    ]
    assert summary == [
        ("700001", Side.BUY, 5, Decimal("5400.00"), 3),  # 3 + 2, first seen on line 3
        ("700005", Side.SELL, 2, Decimal("5402.50"), 4),
        ("700009", Side.SELL, 3, Decimal("5403.75"), 3),
        ("700012", Side.SELL, 1, Decimal("5410.00"), 2),  # same second as 700015: id order
        ("700015", Side.BUY, 1, Decimal("5408.25"), 2),
    ]
    assert [pair.quantity for pair in parsed.reported_trades] == [1, 3, 2]
    for pair in parsed.reported_trades:
        assert pair.pnl == (pair.sell_price - pair.buy_price) * pair.quantity * MES_POINT_VALUE


def test_the_performance_layout() -> None:
    parsed = parse_text(fixture_text("tradovate-performance.csv"), "perf.csv", account="Eval")
    assert parsed.format_name == FMT
    assert [pair.pnl for pair in parsed.reported_trades] == [Decimal(-400), Decimal(1200)]
    assert {e.account for e in parsed.executions} == {"Eval"}
    first = parsed.executions[0]
    assert first.instrument == InstrumentSpec("MNQM6", AssetClass.FUTURE, "USD")
    assert (first.side, first.quantity, first.price) == (Side.BUY, 4, Decimal("19300.00"))
    assert first.executed_at == utc(2026, 3, 13, 10, 0, 5)
    chicago = parse_text(fixture_text("tradovate-performance.csv"), "p.csv", timezone="CST6CDT")
    assert chicago.executions[0].executed_at == utc(2026, 3, 13, 15, 0, 5)


HEADER = fixture_text("tradovate-position-history-split.csv").splitlines()[0]
GOOD = fixture_text("tradovate-position-history-split.csv").splitlines()[2]


def error_of(*rows: str, header: str = HEADER, filename: str = "bad.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text("\n".join([header, *rows]) + "\n", filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        (",3,5400.00,", ",-3,5400.00,", "Paired Qty", "positive"),
        (",3,5400.00,", ",3,54OO.00,", "Buy Price", "not a number"),
        (",3,5400.00,", ",3,5400.25,", "Buy Price", "has price 5400.00 on line 2"),
        ("03/12/2026 10:00:00,03", "03/12/2026 10:00:01,03", "Bought Timestamp", "another"),
        ("700001,700009", "700009,700005", "Buy Fill ID", "is a sell on line 2"),
        ("700001,700009", ",700005", "Buy Fill ID", "required"),
        ("03/12/2026 10:07:30", "2026-13-12 10:07:30", "Sold Timestamp", "not a date"),
        (",56.25,", ",n/a,", "P/L", "not a number"),
    ],
)
def test_bad_values_name_line_and_column(old: str, new: str, column: str, words: str) -> None:
    error = error_of(GOOD, GOOD.replace(old, new))
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_missing_columns_empty_files_and_no_pairs() -> None:
    no_qty = error_of(header=HEADER.replace("Paired Qty", "Qty"))
    assert (no_qty.line, no_qty.column) == (1, "Paired Qty")
    performance = fixture_text("tradovate-performance.csv").splitlines()[0]
    no_pnl = error_of(header=performance.replace(",pnl,", ",profit,"))
    assert no_pnl.column == "pnl"
    assert "no paired trades" in error_of().reason
    with pytest.raises(ImportFileError, match="empty"):
        parse_text("", "empty.csv", FMT)
