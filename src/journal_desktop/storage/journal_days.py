"""What the journal screen reads and writes for a day, and the marks on its calendar.

A day's page shows the entry (plan, review, mood), the trades of that local calendar day and
their P&L; the calendar marks days that have an entry and colours trading days by P&L. The
calendar reads only the visible weeks: a month of close times through the close-time index.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from journal_desktop.domain.records import JournalEntry, Mood, TradeStatus
from journal_desktop.domain.statistics import start_of_day
from journal_desktop.storage import operations
from journal_desktop.storage.codec import enc_day, enc_utc
from journal_desktop.storage.database import Database
from journal_desktop.storage.trade_list import (
    DateField,
    SortKey,
    TradeListFilter,
    TradeListQuery,
    TradeRow,
    TradeSort,
)
from journal_desktop.storage.vault import Vault

#: A day with more trades than this lists the first ones only (the trades screen has all).
MAX_DAY_TRADES = 1_000


@dataclass(frozen=True, slots=True)
class DayMark:
    """How a calendar day looks: whether it has an entry, its closed trades and their net."""

    has_entry: bool = False
    trades: int = 0
    net_pnl: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class JournalDay:
    day: date
    entry: JournalEntry | None
    #: Trades closed that day, or opened that day and still open, oldest first.
    trades: list[TradeRow]
    #: Net P&L of the trades closed that day.
    net_pnl: Decimal


def month_marks(db: Database, first: date, last: date, tz: tzinfo) -> dict[date, DayMark]:
    """Marks for every day in [first, last] that has an entry or a closed trade."""
    entry_days = {
        date.fromisoformat(str(row[0]))
        for row in db.query(
            "SELECT day FROM journal_entries WHERE deleted = 0 AND day >= ? AND day <= ? "
            "AND (plan <> '' OR review <> '' OR mood IS NOT NULL)",
            (enc_day(first), enc_day(last)),
        )
    }
    counts: dict[date, int] = {}
    nets: dict[date, int] = {}
    for closed_at, net_e8 in db.query(
        "SELECT closed_at, net_pnl_e8 FROM trades WHERE deleted = 0 AND closed_at >= ? "
        "AND closed_at < ? AND status = 'closed'",
        (
            enc_utc(start_of_day(first, tz)),
            enc_utc(start_of_day(last + timedelta(days=1), tz)),
        ),
    ):
        day = datetime.fromisoformat(closed_at).astimezone(tz).date()
        counts[day] = counts.get(day, 0) + 1
        nets[day] = nets.get(day, 0) + int(net_e8)
    marks: dict[date, DayMark] = {}
    for day in entry_days | set(counts):
        marks[day] = DayMark(
            has_entry=day in entry_days,
            trades=counts.get(day, 0),
            net_pnl=Decimal(nets.get(day, 0)).scaleb(-8),
        )
    return marks


def load_day(vault: Vault, day: date, tz: tzinfo) -> JournalDay:
    """The day's entry, trades and P&L (worker thread)."""
    flt = TradeListFilter(date_from=day, date_to=day, date_field=DateField.ACTIVITY, tz=tz)
    rows = TradeListQuery(vault.db, flt, TradeSort(SortKey.OPENED, False)).page(0, MAX_DAY_TRADES)
    net = sum((r.net_pnl for r in rows if r.status is TradeStatus.CLOSED), Decimal(0))
    return JournalDay(day, vault.journal.for_day(day), rows, net)


def save_day(
    vault: Vault, day: date, *, plan: str, review: str, mood: Mood | None
) -> JournalEntry | None:
    """Store the day as written: plan, review and mood (None clears a mood set before).

    Writes through `operations.write_journal`, so the one-entry-per-day rule holds; a day
    that has no entry and nothing written stays without one.
    """
    with vault.transaction():
        existing = vault.journal.for_day(day)
        if existing is None and not plan and not review and mood is None:
            return None
        entry = operations.write_journal(vault, day, plan=plan, review=review, mood=mood)
        if mood is None and entry.mood is not None:
            entry = vault.journal.update(dataclasses.replace(entry, mood=None))
        return entry
