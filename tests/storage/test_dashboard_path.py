"""The dashboard's equity curve and largest trades read from `trade_facts` equal the same read
from the wide trade rows, for every filter, with trades that close in the same second, and
when a fact is not a number (then the trade rows are read)."""

from __future__ import annotations

import random
import uuid
from datetime import date

import numpy as np
import pytest

from journal_desktop.domain.statistics import TradeFilter
from journal_desktop.importers import parse_file
from journal_desktop.storage import dashboard_data, tagging
from journal_desktop.storage.dashboard_data import TradePath
from journal_desktop.storage.importing import import_parsed
from journal_desktop.storage.vault import Vault

SYMBOLS = [
    "AAPL",
    "MSFT",
    "TSLA",
    "NVDA",
    "AMD",
    "META",
    "AMZN",
    "GOOG",
    "NFLX",
    "INTC",
    "QQQ",
    "SPY",
    "IWM",
    "DIA",
    "XLF",
]


def _round_trips(seed: int) -> bytes:
    """Sixty round trips, one per symbol and day (fifteen symbols, four days); many close in
    the same second and open in the same second, so the id tie-break is exercised."""
    rng = random.Random(seed)
    lines = ["Date,Time,Symbol,Quantity,Price,Side,Commission"]
    for n in range(60):
        day = 2 + n % 4
        second = rng.choice((0, 0, 0, 1, 2))  # most trades share one close time
        opened = f"09:{30 + n % 2:02d}:{second:02d}"
        closed = "15:00:00" if n % 7 else "15:00:01"
        symbol = SYMBOLS[n % len(SYMBOLS)]
        entry = rng.randint(9_000, 11_000) / 100
        exit_ = rng.randint(9_000, 11_000) / 100
        lines.append(f"03/0{day}/2026,{opened},{symbol},10,{entry},Buy,0.35")
        lines.append(f"03/0{day}/2026,{closed},{symbol},10,{exit_},Sell,0.35")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def filled(vault: Vault) -> Vault:
    data = _round_trips(7)
    parsed = parse_file(data, "trips.csv", format_name="generic")
    import_parsed(vault, parsed, data, "trips.csv", timezone="America/New_York", account="Main")
    trades = sorted(vault.trades.list_all(), key=lambda t: str(t.id))
    tagging.add_tag(vault, [t.id for t in trades[::4]], "A+ setup")
    return vault


def _filters(vault: Vault) -> list[TradeFilter]:
    account = vault.accounts.by_name("Main")
    assert account is not None
    tag = vault.tags.by_name("A+ setup")
    assert tag is not None
    msft = {i.id for i in vault.instruments.by_symbol("MSFT")}
    return [
        TradeFilter(),
        TradeFilter(date_from=date(2026, 3, 3), date_to=date(2026, 3, 4)),
        TradeFilter(account_ids=frozenset({account.id})),
        TradeFilter(account_ids=frozenset({uuid.uuid4()})),
        TradeFilter(instrument_ids=frozenset(msft)),
        TradeFilter(tag_id=tag.id),
    ]


def _assert_same(ours: TradePath, theirs: TradePath) -> None:
    assert np.array_equal(ours.times, theirs.times)
    assert np.array_equal(ours.equity, theirs.equity)
    assert ours.largest_wins == theirs.largest_wins
    assert ours.largest_losses == theirs.largest_losses


def test_the_facts_path_equals_the_trade_rows_path(filled: Vault) -> None:
    for flt in _filters(filled):
        ours = dashboard_data.read_path(filled, flt)
        theirs = dashboard_data._path_from_trades(filled, flt, dashboard_data.EXTREMES)
        _assert_same(ours, theirs)
    everything = dashboard_data.read_path(filled, TradeFilter())
    assert len(everything.times) == 60
    times = {(t.closed_at, t.opened_at) for t in filled.trades.list_all()}
    assert len(times) < 60  # trades that tie on both times: ordered by id
    assert len(everything.largest_wins) == dashboard_data.EXTREMES


def test_the_curve_is_in_the_statistics_order(filled: Vault) -> None:
    data = dashboard_data.load_dashboard(filled, TradeFilter())
    expected = [float(p.equity) for p in data.statistics.equity_curve]
    assert list(data.curve_equity) == pytest.approx(expected, abs=1e-9)


def test_a_fact_that_is_not_a_number_reads_the_trade_rows(filled: Vault) -> None:
    expected = dashboard_data.read_path(filled, TradeFilter())
    filled.db.execute(
        "UPDATE trade_facts SET closed_us = NULL WHERE trade = (SELECT min(trade) FROM trade_facts)"
    )
    _assert_same(dashboard_data.read_path(filled, TradeFilter()), expected)


def test_an_empty_journal_has_an_empty_path(vault: Vault) -> None:
    path = dashboard_data.read_path(vault, TradeFilter())
    assert len(path.times) == len(path.equity) == 0
    assert path.largest_wins == path.largest_losses == ()
