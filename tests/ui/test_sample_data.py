"""The sample data: imported through the normal path, annotated, and recent when loaded."""

from __future__ import annotations

from datetime import date, timedelta

from pytestqt.qtbot import QtBot

from journal_desktop.assets import SAMPLE_EXECUTIONS, resource_path
from journal_desktop.sample_data import (
    LOSER_NOTES,
    SAMPLE_LAST_DAY,
    WINNER_NOTES,
    load_sample_data,
    shift_dates,
    weeks_to_shift,
)
from journal_desktop.ui.tasks import VaultTasks
from tests.ui.conftest import run_sync


def test_the_sample_is_moved_by_whole_weeks_to_end_last_week() -> None:
    assert weeks_to_shift(SAMPLE_LAST_DAY) == 0
    assert weeks_to_shift(SAMPLE_LAST_DAY - timedelta(days=400)) == 0
    assert weeks_to_shift(date(2026, 11, 21)) == 3  # a Saturday: ends Friday 2026-11-20
    data = resource_path(*SAMPLE_EXECUTIONS).read_bytes()
    assert shift_dates(data, 0) == data
    shifted = shift_dates(data, 3).decode().splitlines()
    original = data.decode().splitlines()
    assert len(shifted) == len(original)
    assert original[1].startswith("09/21/2026,") and shifted[1].startswith("10/12/2026,")
    assert shifted[1].split(",")[1:] == original[1].split(",")[1:]


def test_loading_the_sample_fills_every_part_of_the_journal(
    qtbot: QtBot, tasks: VaultTasks
) -> None:
    today = date(2026, 11, 21)
    summary = run_sync(qtbot, tasks, lambda vault: load_sample_data(vault, today=today))
    assert summary.new_executions == summary.executions_in_file > 200
    assert summary.trades_open == 0 and summary.trades_closed > 50

    def facts(vault):  # type: ignore[no-untyped-def]
        trades = vault.trades.list_all()
        return (
            {vault.instruments.require(t.instrument_id).symbol for t in trades},
            max(t.closed_at for t in trades).date(),
            sum(1 for t in trades if t.tag_ids),
            sum(1 for t in trades if t.notes),
            {t.setup for t in trades},
            vault.journal.for_day(date(2026, 11, 17)),
            all(
                t.notes in (WINNER_NOTES if t.net_pnl > 0 else LOSER_NOTES)
                for t in trades
                if t.notes
            ),
        )

    symbols, last_day, tagged, noted, setups, journal_day, notes_fit = run_sync(qtbot, tasks, facts)
    assert notes_fit  # no "chased" note on a winner
    assert {"MESZ6", "MNQZ6", "AAPL", "NVDA"} <= symbols
    assert last_day == date(2026, 11, 20)
    assert tagged > 10 and noted > 10 and len(setups) == 5
    assert journal_day is not None and journal_day.plan.startswith("- CPI")
