"""Demo data for a first look: six weeks of executions and a few journal days.

The sample is moved forward by whole weeks (weekdays stay weekdays) so that it ends in the
week before the day it is loaded: a new journal then shows recent days, not a distant past.

Loaded through the normal import path (parse, then `import_parsed` in one transaction), so the
sample behaves exactly like a trader's own file and can be undone from the import list. Runs on
the vault's worker thread (first-run wizard) or in a script (screenshots); never on the GUI
thread.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from journal_desktop.assets import SAMPLE_EXECUTIONS, resource_path
from journal_desktop.domain.records import Mood, Tag, Trade
from journal_desktop.importers import get_format, parse_file
from journal_desktop.storage import operations
from journal_desktop.storage.importing import ImportSummary, import_parsed
from journal_desktop.storage.vault import Vault

SAMPLE_FORMAT = "generic"
#: The last trading day in resources/sample/sample-executions.csv (a Friday).
SAMPLE_LAST_DAY = date(2026, 10, 30)
_CSV_DATE = "%m/%d/%Y"

#: A few days of journal so the journal screen is not empty in a demo.
SAMPLE_JOURNAL: tuple[tuple[date, str, str, Mood], ...] = (
    (
        date(2026, 10, 26),
        "- Overnight range 6,905 to 6,932 on MES; wait for the open to pick a side.\n"
        "- **Only A+ setups**: opening-range break with volume, VWAP reclaim.\n"
        "- Max loss for the day: $400. Stop after two losers in a row.",
        "Followed the plan on the first two trades. Chased NVDA after the second loss — "
        "that is the **mistake** to stop repeating.",
        Mood.NEUTRAL,
    ),
    (
        date(2026, 10, 27),
        "- CPI at 08:30: no trades before 09:45.\n- Focus on MES pullbacks to VWAP.",
        "Patient morning, two clean MES longs. Sized down after lunch as planned.",
        Mood.GOOD,
    ),
    (
        date(2026, 10, 28),
        "- FOMC day: small size, flat before 14:00.",
        "Stayed flat into the announcement. Good discipline.",
        Mood.GREAT,
    ),
)


SAMPLE_SETUPS = ("Opening range break", "VWAP reclaim", "Pullback", "Breakout", "Fade")
SAMPLE_TAGS = (("A+ setup", "#12703f"), ("FOMO", "#c0392b"), ("News", "#2563eb"))
#: Notes for winners and for losers, so a note never contradicts its trade's result.
WINNER_NOTES = (
    "Clean **opening range break**; held the runner to the 2R target.",
    "Scaled out too early, left most of the move on the table.",
    "Waited for the pullback to VWAP as planned. *Patience paid.*",
)
LOSER_NOTES = (
    "Entered late after the move; *chased*. Next time wait for the pullback.",
    "Stopped out at the planned level. Good loss: followed the plan.",
    "Traded the news spike without a setup. **Rule: no trades in the first minute.**",
)


def weeks_to_shift(today: date) -> int:
    """Whole weeks that bring the sample's last day into the week before `today`."""
    return max(0, (today - SAMPLE_LAST_DAY).days // 7)


def shift_dates(data: bytes, weeks: int) -> bytes:
    """The sample CSV with every Date moved forward by `weeks` weeks."""
    if weeks == 0:
        return data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        day = datetime.strptime(row["Date"], _CSV_DATE).date() + timedelta(weeks=weeks)
        writer.writerow({**row, "Date": day.strftime(_CSV_DATE)})
    return out.getvalue().encode("utf-8")


def load_sample_data(vault: Vault, *, today: date | None = None) -> ImportSummary:
    """Import the sample executions, annotate some trades, write the sample journal days."""
    weeks = weeks_to_shift(today or date.today())
    path = resource_path(*SAMPLE_EXECUTIONS)
    data = shift_dates(path.read_bytes(), weeks)
    zone = get_format(SAMPLE_FORMAT).default_timezone
    parsed = parse_file(data, path.name, format_name=SAMPLE_FORMAT, timezone=zone)
    summary = import_parsed(vault, parsed, data, path.name, timezone=zone)
    for day, plan, review, mood in SAMPLE_JOURNAL:
        shifted = day + timedelta(weeks=weeks)
        operations.write_journal(vault, shifted, plan=plan, review=review, mood=mood)
    _annotate(vault)
    return summary


def _annotate(vault: Vault) -> None:
    """Setups, risk, ratings, a few notes and tags, so every breakdown has something to show."""
    with vault.transaction():
        tags = [
            vault.tags.by_name(n) or vault.tags.add(Tag(name=n, color=c)) for n, c in SAMPLE_TAGS
        ]
        for index, trade in enumerate(vault.trades.list_all(order_by="opened_at")):
            vault.trades.update(_annotated(trade, index, tags))


def _annotated(trade: Trade, index: int, tags: list[Tag]) -> Trade:
    risk = Decimal(100) if trade.quantity <= 4 else Decimal(150)  # futures lots vs shares
    won = trade.net_pnl > 0
    tag_ids: tuple[uuid.UUID, ...] = ()
    if trade.net_pnl > risk:
        tag_ids = (tags[0].id,)  # A+ setup
    elif not won and index % 3 == 1:
        tag_ids = (tags[1].id,)  # FOMO
    elif index % 11 == 5:
        tag_ids = (tags[2].id,)  # News
    notes = WINNER_NOTES if won else LOSER_NOTES
    return dataclasses.replace(
        trade,
        setup=SAMPLE_SETUPS[index % len(SAMPLE_SETUPS)],
        initial_risk=risk,
        rating=(3 + index % 3) if won else (1 + index % 3),
        notes=notes[index % len(notes)] if index % 3 == 0 else "",
        mistakes=("chased",) if tag_ids == (tags[1].id,) else (),
        tag_ids=tag_ids,
    )
