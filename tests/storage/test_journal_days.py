"""A journal day's reads and writes: save with clearing, day trades, calendar marks."""

from __future__ import annotations

from datetime import UTC, date, timedelta, timezone

from journal_desktop.domain.records import Mood, TradeStatus
from journal_desktop.storage.journal_days import load_day, month_marks, save_day
from journal_desktop.storage.vault import Vault
from tests.storage.trade_factory import add_trades

DAY = date(2024, 1, 2)


def test_save_day_creates_updates_and_clears_the_mood(vault: Vault) -> None:
    assert save_day(vault, DAY, plan="", review="", mood=None) is None
    assert vault.journal.count() == 0
    first = save_day(vault, DAY, plan="Plan", review="", mood=Mood.BAD)
    assert first is not None and first.mood is Mood.BAD
    second = save_day(vault, DAY, plan="Plan", review="Review", mood=None)
    assert second is not None
    stored = vault.journal.for_day(DAY)
    assert stored is not None
    assert (stored.plan, stored.review, stored.mood) == ("Plan", "Review", None)
    assert vault.journal.count() == 1


def test_load_day_lists_closed_and_still_open_trades_of_the_local_day(vault: Vault) -> None:
    data = add_trades(vault, 120)
    day = load_day(vault, DAY, UTC)
    closed = [t for t in data.trades if t.closed_at and t.closed_at.date() == DAY]
    opened = [t for t in data.trades if t.status is TradeStatus.OPEN and t.opened_at.date() == DAY]
    assert {r.id for r in day.trades} == {t.id for t in closed + opened}
    assert day.net_pnl == sum(t.net_pnl for t in closed)
    assert [r.opened_at for r in day.trades] == sorted(r.opened_at for r in day.trades)
    # Five hours west, the same trades fall partly on other local days.
    west = load_day(vault, DAY, timezone(-timedelta(hours=5)))
    assert {r.id for r in west.trades} != {r.id for r in day.trades}


def test_month_marks(vault: Vault) -> None:
    data = add_trades(vault, 120)
    save_day(vault, date(2024, 1, 5), plan="", review="Quiet", mood=None)
    marks = month_marks(vault.db, date(2024, 1, 1), date(2024, 1, 31), UTC)
    assert marks[date(2024, 1, 5)].has_entry
    for day, mark in marks.items():
        closed = [t for t in data.trades if t.closed_at and t.closed_at.date() == day]
        assert mark.trades == len(closed)
        assert mark.net_pnl == sum(t.net_pnl for t in closed)
    assert not marks[DAY].has_entry and marks[DAY].trades > 0
