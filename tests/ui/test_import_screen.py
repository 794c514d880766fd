"""The Import screen over a real vault: preview, import, per-line errors, cancel, undo, drop."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from journal_desktop.importers.registry import formats
from journal_desktop.ui import formatting, import_history
from journal_desktop.ui.import_screen import ImportScreen
from journal_desktop.ui.tasks import VaultTasks
from tests.ui.conftest import run_sync, wait_idle

SAMPLES = Path(__file__).parents[1] / "importers" / "samples"
GENERIC = SAMPLES / "generic.csv"


@pytest.fixture
def screen(qtbot: QtBot, tasks: VaultTasks) -> ImportScreen:
    widget = ImportScreen(tasks)
    qtbot.addWidget(widget)
    widget.show()
    wait_idle(qtbot, tasks)
    return widget


def wait_prepared(qtbot: QtBot, screen: ImportScreen, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: screen.prepared is not None, timeout=timeout)


def counts(qtbot: QtBot, tasks: VaultTasks) -> tuple[int, int, int]:
    return run_sync(  # type: ignore[no-any-return]
        qtbot,
        tasks,
        lambda v: (v.executions.count(), v.trades.count(), len(v.imports.newest_first())),
    )


def cell(screen: ImportScreen, row: int, column: int) -> str:
    item = screen.preview.table.item(row, column)
    assert item is not None
    return item.text()


def test_a_file_shows_its_detected_format_and_first_executions(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen
) -> None:
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    prepared = screen.prepared
    assert prepared is not None and prepared.format_name == "generic" and prepared.detected
    assert "recognised as generic" in screen.preview.summary.text()
    assert "4 new" in screen.preview.summary.text()
    assert screen.preview.table.rowCount() == 4
    # 03/02/2026 09:30:01 in the generic format's default zone, New York, shown in local time.
    wall = datetime(2026, 3, 2, 9, 30, 1, tzinfo=ZoneInfo("America/New_York"))
    assert cell(screen, 0, 0) == formatting.local_time(wall.astimezone(UTC), seconds=True)
    assert [cell(screen, 0, c) for c in range(2, 7)] == ["TSLA", "sell", "100", "180.5", "1.32"]
    assert screen.zone_combo.itemText(0) == "Format default (America/New_York)"
    assert "does not say which account" in screen.account_hint.text()
    assert screen.import_button.isEnabled()
    # Nothing is stored by looking.
    assert counts(qtbot, tasks) == (0, 0, 0)

    # Another zone re-reads the file: the same wall-clock time is a different moment.
    screen.zone_combo.setCurrentText("UTC")
    screen.zone_combo.activated.emit(screen.zone_combo.currentIndex())
    qtbot.waitUntil(
        lambda: screen.prepared is not None and screen.prepared.zone_name == "UTC", timeout=20_000
    )
    as_utc = datetime(2026, 3, 2, 9, 30, 1, tzinfo=UTC)
    assert cell(screen, 0, 0) == formatting.local_time(as_utc, seconds=True)

    # Naming an account puts every execution there.
    screen.account_edit.setText("Margin")
    screen.account_edit.editingFinished.emit()
    qtbot.waitUntil(
        lambda: screen.prepared is not None and screen.prepared.options.account == "Margin",
        timeout=20_000,
    )
    assert cell(screen, 0, 1) == "Margin"
    assert "New accounts: Margin." in screen.preview.summary.text()
    assert screen.account_hint.text() == "Every execution goes into the account “Margin”."


def test_import_adds_the_trades_and_lists_the_import(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen
) -> None:
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    with qtbot.waitSignal(tasks.changes_applied, timeout=60_000) as signal:
        screen.import_button.click()
    assert signal.args[0].trades and signal.args[0].imports and signal.args[0].executions
    wait_idle(qtbot, tasks)
    assert "Imported 4 of 4 executions" in screen.status.text()
    assert counts(qtbot, tasks) == (4, 2, 1)
    symbols = run_sync(
        qtbot,
        tasks,
        lambda v: sorted(
            v.instruments.require(t.instrument_id).symbol for t in v.trades.list_all()
        ),
    )
    assert symbols == ["AAPL", "TSLA"]
    assert screen.history.table.rowCount() == 1
    assert screen.history.batches[0].filename == "generic.csv"

    # The same file again adds nothing: the preview says so and Import stays off.
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    assert "0 new, 4 already in the journal" in screen.preview.summary.text()
    assert not screen.import_button.isEnabled()


def test_a_malformed_file_names_file_line_and_column_and_changes_nothing(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.csv"
    lines = GENERIC.read_text().splitlines()
    lines[2] = lines[2].replace("178.25", "17x.25")
    bad.write_text("\n".join(lines) + "\n")
    screen.import_file(bad)
    qtbot.waitUntil(lambda: screen.preview.errors.count() > 0, timeout=20_000)
    problem = screen.preview.errors.item(0).text()
    assert problem.startswith("broken.csv, line 3, column Price:")
    assert screen.preview.errors.isVisible()
    assert not screen.import_button.isEnabled()
    assert screen.preview.table.rowCount() == 0
    assert counts(qtbot, tasks) == (0, 0, 0)


def _big_generic_file(path: Path, rows: int) -> None:
    start = datetime(2025, 1, 2, 9, 30)
    lines = ["Date,Time,Symbol,Quantity,Price,Side,Commission"]
    for n in range(rows):
        moment = start + timedelta(seconds=37 * n)
        side = "Buy" if n % 2 == 0 else "Sell"
        price = f"{100 + (n % 50) / 4:.2f}"
        lines.append(f"{moment:%m/%d/%Y},{moment:%H:%M:%S},SPY,10,{price},{side},0.50")
    path.write_text("\n".join(lines) + "\n")


def test_cancel_during_import_leaves_the_vault_unchanged(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    _big_generic_file(big, 20_000)
    screen.import_file(big)
    wait_prepared(qtbot, screen, timeout=180_000)
    assert screen.prepared is not None and screen.prepared.dry_run.new_executions == 20_000
    reports: list[int] = []
    original = screen._progressed

    def cancel_at_first_report(done: int, total: int, text: str) -> None:
        reports.append(done)
        original(done, total, text)
        screen.cancel()

    screen._progressed = cancel_at_first_report  # type: ignore[method-assign]
    screen.import_button.click()
    # Another file cannot replace the one being imported.
    screen.import_file(GENERIC)
    assert screen.prepared is not None and screen.prepared.filename == "big.csv"
    qtbot.waitUntil(lambda: "cancelled" in screen.status.text(), timeout=180_000)
    wait_idle(qtbot, tasks)
    assert reports and reports[0] < 20_000
    assert screen.status.text() == "Import cancelled: nothing was stored."
    assert counts(qtbot, tasks) == (0, 0, 0)
    # The prepared file is still there: the trader can import it after all.
    assert screen.prepared is not None and screen.import_button.isEnabled()


def test_undo_removes_the_batch_after_confirmation(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    screen.import_button.click()
    qtbot.waitUntil(lambda: screen.history.table.rowCount() == 1, timeout=60_000)
    wait_idle(qtbot, tasks)
    screen.history.table.selectRow(0)
    assert screen.history.undo_button.isEnabled()

    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(import_history.QMessageBox, "question", lambda *a, **k: answers.pop(0))
    screen.history.undo_button.click()  # the trader says no first
    wait_idle(qtbot, tasks)
    assert counts(qtbot, tasks) == (4, 2, 1)

    with qtbot.waitSignal(screen.history.undone, timeout=60_000):
        screen.history.undo_button.click()
    qtbot.waitUntil(lambda: screen.history.table.rowCount() == 0, timeout=20_000)
    assert counts(qtbot, tasks) == (0, 0, 0)
    assert "Removed the import of generic.csv: 4 executions" in screen.status.text()


def test_undo_becomes_available_once_the_worker_is_free(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen
) -> None:
    """A past import picked while other work runs (an automatic backup, a screen's reload)
    can be undone as soon as that work is done, without picking it again."""
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    screen.import_button.click()
    qtbot.waitUntil(lambda: screen.history.table.rowCount() == 1, timeout=60_000)
    wait_idle(qtbot, tasks)
    release = threading.Event()
    tasks.run(lambda _vault: release.wait(20))
    screen.history.table.selectRow(0)
    assert not screen.history.undo_button.isEnabled()  # not while the worker is busy
    release.set()
    wait_idle(qtbot, tasks)
    assert screen.history.undo_button.isEnabled()


def test_a_dropped_file_starts_the_flow(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen
) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLES / "tradovate-performance.csv"))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    screen.dropEvent(event)
    wait_prepared(qtbot, screen)
    assert screen.prepared is not None
    assert screen.prepared.format_name == "tradovate-performance"
    assert cell(screen, 0, 2) == "MNQM6"
    # The importer's advice is worded for the app, not the command line.
    assert "choose it under Time zone above" in screen.preview.summary.text()
    assert "--timezone" not in screen.preview.summary.text()


def test_a_time_zone_typed_with_enter_is_read_and_a_wrong_one_is_not_kept_in_the_list(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen
) -> None:
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    zones = [screen.zone_combo.itemText(i) for i in range(1, screen.zone_combo.count())]
    line = screen.zone_combo.lineEdit()
    assert line is not None

    line.selectAll()
    qtbot.keyClicks(line, "Mars/Base")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not a known time zone" in screen.preview.summary.text())
    wait_idle(qtbot, tasks)
    assert not screen.import_button.isEnabled()
    # The typo is named, and not offered again as if it were a zone.
    assert [screen.zone_combo.itemText(i) for i in range(1, screen.zone_combo.count())] == zones

    line.selectAll()
    qtbot.keyClicks(line, "Europe/London")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: screen.prepared is not None and screen.prepared.zone_name == "Europe/London",
        timeout=20_000,
    )
    assert screen.import_button.isEnabled()


def test_a_chosen_format_overrides_detection(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen
) -> None:
    screen.import_file(GENERIC)
    wait_prepared(qtbot, screen)
    # Every registered format can be chosen, after "Detect automatically".
    assert [screen.format_combo.itemData(i) for i in range(screen.format_combo.count())] == [
        None,
        *(fmt.name for fmt in formats()),
    ]
    index = screen.format_combo.findData("tradovate-orders")
    screen.format_combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: screen.preview.errors.count() > 0, timeout=20_000)
    # Read as the wrong format, the file is refused with a reason, not imported as nonsense.
    assert screen.prepared is None
    assert screen.preview.errors.item(0).text() == (
        "generic.csv, line 1, column B/S: a required column is missing"
    )
    assert not screen.import_button.isEnabled()
    assert counts(qtbot, tasks) == (0, 0, 0)


def test_a_saved_column_mapping_reads_any_other_csv(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen, tmp_path: Path
) -> None:
    from journal_desktop.cli_trading import MAPPING_SETTING_PREFIX
    from journal_desktop.importers.mapping import ColumnMapping

    mapping = ColumnMapping.from_json(
        '{"version": 1, "name": "my-broker", "date": "Trade Time", "symbol": "Ticker",'
        ' "quantity": "Shares", "price": "Fill", "side": "B/S",'
        ' "date_formats": ["%Y-%m-%d %H:%M:%S"], "side_words": {"B": "buy", "S": "sell"}}'
    )
    run_sync(
        qtbot,
        tasks,
        lambda v: v.settings.set(MAPPING_SETTING_PREFIX + "my-broker", mapping.to_json()),
    )
    screen.reload()
    wait_idle(qtbot, tasks)
    index = screen.format_combo.findText("Saved column mapping: my-broker")
    assert index > 0
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "Trade Time,Ticker,Shares,Fill,B/S\n"
        "2026-03-02 14:30:00,MSFT,20,400.50,B\n"
        "2026-03-02 15:00:00,MSFT,20,402.00,S\n"
    )
    screen.import_file(odd)
    qtbot.waitUntil(lambda: screen.preview.errors.count() > 0 or screen.prepared is not None)
    screen.format_combo.setCurrentIndex(index)
    qtbot.waitUntil(
        lambda: screen.prepared is not None and screen.prepared.options.mapping == "my-broker",
        timeout=20_000,
    )
    assert screen.format_combo.currentIndex() == index
    assert cell(screen, 0, 2) == "MSFT"
    as_utc = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert cell(screen, 0, 0) == formatting.local_time(as_utc, seconds=True)
    assert "read as UTC" in screen.preview.summary.text()
    screen.import_button.click()
    qtbot.waitUntil(lambda: "Imported 2 of 2" in screen.status.text(), timeout=20_000)
    assert counts(qtbot, tasks) == (2, 1, 1)


def test_cancel_while_a_file_is_checked(
    qtbot: QtBot, tasks: VaultTasks, screen: ImportScreen, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    _big_generic_file(big, 20_000)
    original = screen._progressed

    def cancel_at_first_report(done: int, total: int, text: str) -> None:
        original(done, total, text)
        screen.cancel()

    screen._progressed = cancel_at_first_report  # type: ignore[method-assign]
    screen.import_file(big)
    qtbot.waitUntil(lambda: "cancelled" in screen.status.text(), timeout=120_000)
    wait_idle(qtbot, tasks)
    assert screen.status.text() == "Reading the file was cancelled."
    assert screen.prepared is None and not screen.import_button.isEnabled()
    assert not screen.progress.isVisible()
    assert counts(qtbot, tasks) == (0, 0, 0)
