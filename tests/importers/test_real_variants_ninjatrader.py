"""NinjaTrader executions laid out as real exports and look-alikes are, with invented figures.

Layouts seen in public material (reference only, nothing copied):

- samples/ninjatrader-account-display-name.csv: NinjaTrader 8.1's Executions grid heads the
  account column `Account display name`, with `4:44:46 PM` times (a manual grid export in the
  tests of a public NinjaTrader companion app on GitHub);
- samples/ninjatrader-addon-month-names.csv: the CSV an executions-export NinjaScript add-on
  writes in this export's layout (its README on GitHub): futures as `MNQ SEP25`, times without
  seconds (`6/16/2025 21:08`), a trailing comma on the header only;
- samples/ninjatrader-iso-times.csv: an add-on writing the same columns in the invariant
  culture, so times are ISO (`2026-09-16 15:31:02`) and commissions bare numbers.
"""

from __future__ import annotations

from decimal import Decimal

from journal_desktop.domain.contracts import default_multiplier
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "ninjatrader"
D = Decimal


def test_account_display_name_names_the_account() -> None:
    name = "ninjatrader-account-display-name.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == FMT
    got = [(e.account, e.side, e.price, e.executed_at, e.commission) for e in parsed.executions]
    assert got == [
        ("SIM-01", Side.BUY, D("23100.25"), utc(2026, 7, 23, 20, 44, 46), D("1.24")),
        ("SIM-01", Side.SELL, D("23110.75"), utc(2026, 7, 23, 20, 52, 10), D("1.24")),
    ]


def test_month_name_futures_are_futures_with_their_point_value() -> None:
    name = "ninjatrader-addon-month-names.csv"
    parsed = parse_text(fixture_text(name), name)
    first, second = parsed.executions
    assert first.instrument.asset_class is AssetClass.FUTURE
    assert default_multiplier(first.instrument) == D(2)
    assert (first.account, first.quantity, first.executed_at) == (
        "Sim101",
        D(4),
        utc(2025, 6, 17, 1, 8),
    )
    # 4 MNQ from 22089.25 to 22092: 2.75 points x $2 x 4 = $22.00.
    points = second.price - first.price
    assert points * default_multiplier(first.instrument) * first.quantity == D("22.00")


def test_iso_times_and_bare_commissions() -> None:
    name = "ninjatrader-iso-times.csv"
    parsed = parse_text(fixture_text(name), name)
    got = [(e.account, e.side, e.executed_at, e.commission) for e in parsed.executions]
    assert got == [
        ("APEX-50K", Side.BUY, utc(2026, 9, 16, 19, 31, 2), D("2.22")),
        ("APEX-50K", Side.SELL, utc(2026, 9, 16, 19, 40, 12), D("2.22")),
    ]
