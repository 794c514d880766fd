"""NinjaTrader 8 Trades export: round trips, each read as its entry and exit fills.

No real export is in the shared samples. samples/ninjatrader-trades.csv has invented figures
in the layout many public projects on GitHub quote (journals' tests, NinjaScript add-ons that
write it; reference only): the NinjaTrader 8.1 header with its four fee columns and trailing
comma, `Market pos.` Long or Short, money as `$2.16` and `($20.72)`, US times with AM/PM. A
European export (`16/06/2026 09:45:59`, seen in a public parity-check test) is read day first.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.contracts import default_multiplier
from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import Side
from journal_desktop.importers import detect_format
from tests.importers.support import fixture_text, parse_text, utc

FMT = "ninjatrader-trades"
FIXTURE = "ninjatrader-trades.csv"
D = Decimal


def test_each_trade_is_its_entry_and_its_exit() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    got = [
        (e.instrument.symbol, e.side, e.quantity, e.price, e.executed_at, e.commission, e.fees)
        for e in parsed.executions
    ]
    assert got == [
        ("MNQ 12-26", Side.SELL, D(3), D("20010.00"), utc(2026, 9, 22, 13, 35, 12), D("1.08"), 0),
        (
            "MNQ 12-26",
            Side.BUY,
            D(3),
            D("20000.00"),
            utc(2026, 9, 22, 13, 41),
            D("1.08"),
            D("0.01"),
        ),
        ("MNQ 12-26", Side.BUY, D(1), D("20000.00"), utc(2026, 9, 22, 17, 0), D("0.36"), 0),
        ("MNQ 12-26", Side.SELL, D(1), D("19990.00"), utc(2026, 9, 22, 17, 5), D("0.36"), 0),
        ("ES 12-26", Side.BUY, D(2), D("6050.25"), utc(2026, 9, 23, 14, 0), D("2.15"), 0),
        ("ES 12-26", Side.SELL, D(2), D("6052.75"), utc(2026, 9, 23, 14, 20), D("2.15"), 0),
    ]
    assert {e.account for e in parsed.executions} == {"Sim101"}
    assert [e.position_in_file for e in parsed.executions] == [0, 1, 2, 3, 4, 5]
    # Each row's Profit is the net P&L of its two fills, to the cent.
    profits = [D("57.83"), D("-20.72"), D("245.70")]
    pairs = zip(parsed.executions[::2], parsed.executions[1::2], strict=True)
    for (entry, exit_), profit in zip(pairs, profits, strict=True):
        direction = 1 if entry.side is Side.BUY else -1
        move = (exit_.price - entry.price) * direction
        gross = move * entry.quantity * default_multiplier(entry.instrument)
        costs = entry.commission + entry.fees + exit_.commission + exit_.fees
        assert gross - costs == profit


def test_a_european_export_is_read_day_first() -> None:
    text = (
        "Trade number,Instrument,Account,Strategy,Market pos.,Qty,Entry price,Exit price,"
        "Entry time,Exit time,Entry name,Exit name,Profit,Cum. net profit,Commission,MAE,MFE,"
        "ETD,Bars\n"
        "1,NQ SEP26,Sim,,Long,1,30815.5,30814.75,16/06/2026 09:45:59,16/06/2026 09:46:00,"
        "STF_Long,Stop loss,-$18.98,-$18.98,$3.98,$15.00,$0.00,$18.98,1\n"
    )
    entry, exit_ = parse_text(text, "trades.csv", timezone="Europe/Berlin").executions
    assert entry.executed_at == utc(2026, 6, 16, 7, 45, 59)
    assert (exit_.side, exit_.price, entry.commission + exit_.commission) == (
        Side.SELL,
        D("30814.75"),
        D("3.98"),
    )
    assert default_multiplier(entry.instrument) == D(20)


def test_detection_and_errors() -> None:
    assert detect_format(fixture_text(FIXTURE), FIXTURE).name == FMT
    bad = fixture_text(FIXTURE).replace(",Short,3,", ",Flat,3,")
    with pytest.raises(ImportFileError) as caught:
        parse_text(bad, FIXTURE)
    assert (caught.value.line, caught.value.column) == (2, "Market pos.")
