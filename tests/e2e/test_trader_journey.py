"""A trader's first session, end to end, through the real app and its real widgets.

First run (wizard), import two broker files, annotate a trade (notes, tag, pasted
screenshot), find it again by a word of its notes, see the dashboard follow to the cent, lock
and unlock, close; then the files on disk are checked (what the trader wrote is in none of
them in plain text, and the vault still opens), and the app is started again over them.

Nothing is stubbed: the `AppController` of `ui/app.py` with the screens of `ui/screens.py`,
the one `VaultTasks` worker, a real SQLCipher vault in `tmp_path`, window settings in a file
of the test's own. The key is kept two ways: a passphrase (always), and the real OS keychain
(`keychain` marker: under `scripts/test.sh`, whose private gnome-keyring makes a missing
keychain a failure; elsewhere it runs only when keyring resolves to a secure keychain).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import keyring.errors
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QTreeWidget, QTreeWidgetItem, QWizard
from pytestqt.qtbot import QtBot

from journal_desktop.storage import trade_attachments
from journal_desktop.storage.keychain import (
    SERVICE_NAME,
    describe_backend,
    entry_name,
    is_secure_backend,
)
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.trade_editing import TradeDetail, load_trade
from journal_desktop.storage.vault import Vault, read_metadata
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.app import AppController, keyring_backend
from journal_desktop.ui.dashboard_screen import DashboardScreen
from journal_desktop.ui.first_run import FINISH_PAGE, PASSPHRASE_PAGE, FirstRunWizard
from journal_desktop.ui.import_screen import ImportScreen
from journal_desktop.ui.lock import LockScreen
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.trade_detail import TradeDetailScreen
from journal_desktop.ui.trades_screen import TradesScreen
from tests.storage.conftest import real_keychain_required
from tests.ui.conftest import wait_idle

SAMPLES = Path(__file__).parents[1] / "importers" / "samples"
PASSPHRASE = "copper heron midnight ledger"
NOTES_WORD = "zebracorn-setup"
TAG = "quokka-breakout"
#: Generous: the test machine is shared and loaded.
SLOW = 60_000

S = TypeVar("S", bound=Screen)

# The figures, worked out by hand from the sample files' lines.
# generic.csv (stocks; TransFee and ECNFee are charges when positive and credits when
# negative, as the Tradervue format says, so the cover's ECN fee of -0.25 is a rebate):
#   TSLA short 100 @ 180.50, cover @ 178.25: 2.25 x 100, less (1.00 + 0.02 + 0.30) on the
#   short and (1.00 + 0.00 - 0.25) on the cover.
TSLA_NET = Decimal("225.00") - Decimal("1.32") - Decimal("0.75")  # 222.93
#   AAPL long 50 @ 175.10, sold @ 176.00: 0.90 x 50, less 0.50 and (0.50 + 0.01 + 0.10).
AAPL_NET = Decimal("45.00") - Decimal("0.50") - Decimal("0.61")  # 43.89
# tradovate-performance.csv (MNQ, 2 dollars a point, no fees in the file):
#   4 long @ 19300.00 out @ 19250.00: -50 x 4 x 2; 5 long @ 19262.00 out @ 19382.00: 120 x 5 x 2.
MNQ_NETS = (Decimal("-400.00"), Decimal("1200.00"))
TOTAL_NET = TSLA_NET + AAPL_NET + sum(MNQ_NETS)  # 1,066.82 over four closed trades, 3 won


@dataclass
class Journey:
    """The app under test and what the journey needs to reach it."""

    mode: KeyStorage
    backend: Any
    paths: VaultPaths
    tasks: VaultTasks
    controller: AppController
    settings: QSettings
    shut_down: bool = False

    def quit(self, qtbot: QtBot) -> None:
        """Close the window and stop the worker, as `main()` does when the event loop ends."""
        window = self.controller.window
        if window is not None and not window.isHidden():
            wait_idle(qtbot, self.tasks, SLOW)  # no answer left on its way to a screen
            window.close()
        if not self.shut_down:
            self.shut_down = True
            self.tasks.shutdown()

    def restart(self) -> AppController:
        """A new start of the app on the same data folder and window settings."""
        self.tasks = VaultTasks()
        self.shut_down = False
        self.controller = AppController(
            self.tasks, self.paths, self.backend, settings=self.settings
        )
        return self.controller


@pytest.fixture(
    params=[
        pytest.param(KeyStorage.PASSPHRASE, id="passphrase"),
        pytest.param(KeyStorage.KEYCHAIN, id="keychain", marks=pytest.mark.keychain),
    ]
)
def journey(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path) -> Iterator[Journey]:
    """The app as `journal-desktop` starts it, on a new data folder; cleaned up afterwards."""
    mode: KeyStorage = request.param
    backend = keyring_backend()  # as `main()` picks it: keyring's default backend
    if mode is KeyStorage.KEYCHAIN and not is_secure_backend(backend):
        reason = f"no secure OS keychain here (keyring resolved to {describe_backend(backend)})"
        if real_keychain_required():
            pytest.fail(f"JOURNAL_DESKTOP_TEST_KEYCHAIN=1 promises a real keychain, but {reason}")
        pytest.skip(reason)
    paths = VaultPaths(tmp_path / "vault")
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    tasks = VaultTasks()
    controller = AppController(tasks, paths, backend, settings=settings)
    journey = Journey(mode, backend, paths, tasks, controller, settings)
    try:
        yield journey
    finally:
        journey.quit(qtbot)
        if mode is KeyStorage.KEYCHAIN and paths.metadata.exists():
            vault_id = read_metadata(paths).vault_id
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                backend.delete_password(SERVICE_NAME, entry_name(vault_id))
            assert backend.get_password(SERVICE_NAME, entry_name(vault_id)) is None


def test_a_traders_first_session(qtbot: QtBot, journey: Journey) -> None:
    assert str(TOTAL_NET) == "1066.82"  # what the screens must show
    window = first_run(qtbot, journey)
    dashboard = screen_of(window, DashboardScreen)
    trades = screen_of(window, TradesScreen)
    importer = screen_of(window, ImportScreen)
    detail = window.detail
    assert isinstance(detail, TradeDetailScreen)
    assert window.current_screen is dashboard
    qtbot.waitUntil(lambda: dashboard.pages.currentWidget() is dashboard.empty_state, timeout=SLOW)

    # -- 2. Import two brokers' files; the trades screen lists their four trades -----------------
    press(qtbot, window, Qt.Key.Key_4)
    assert window.current_screen is importer
    import_sample(qtbot, importer, "generic.csv", executions=4)
    import_sample(qtbot, importer, "tradovate-performance.csv", executions=4)
    qtbot.waitUntil(lambda: importer.history.table.rowCount() == 2, timeout=SLOW)

    press(qtbot, window, Qt.Key.Key_2)
    assert window.current_screen is trades
    qtbot.waitUntil(lambda: trades.model.rowCount() == 4, timeout=SLOW)
    qtbot.waitUntil(lambda: trades.count_label.text() == "4 trades, net +1,066.82", timeout=SLOW)

    # -- 3. Open the TSLA trade, write notes, tag it, paste a screenshot, save, go back --------
    row = row_of(qtbot, trades, "TSLA")
    tsla = trades.model.trade_id(row)
    assert tsla is not None
    cell = trades.view.visualRect(trades.model.index(row, 3)).center()
    qtbot.mouseClick(trades.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert trades.view.currentIndex().row() == row
    qtbot.keyClick(trades.view, Qt.Key.Key_Return)
    shows_trade(qtbot, window, detail, tsla)
    assert detail.executions.model().rowCount() == 2  # short and cover
    assert detail.notes.text() == ""

    detail.notes.editor.setFocus()
    qtbot.keyClicks(detail.notes.editor, f"Faded the open: a clean {NOTES_WORD}, sized right.")
    qtbot.keyClicks(detail.tags, TAG)
    assert detail.dirty
    QApplication.clipboard().setImage(chart_image())
    detail.screenshots.list.setFocus()
    qtbot.keyClick(detail.screenshots.list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: detail.screenshots.count() == 1, timeout=SLOW)
    # The screenshot is stored at once; the notes typed meanwhile are still there, unsaved.
    assert NOTES_WORD in detail.notes.text() and detail.tags.text() == TAG and detail.dirty

    detail.notes.editor.setFocus()
    qtbot.keyClick(detail.notes.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not detail.dirty and detail.message.text() == "Saved.", timeout=SLOW)
    qtbot.mouseClick(detail.back_button, Qt.MouseButton.LeftButton)
    assert window.current_screen is trades
    # The table follows the save: the tag in its column, the notes mark.
    qtbot.waitUntil(lambda: shown_row(trades, "TSLA") == {"Tags": TAG, "Notes": "✎"}, timeout=SLOW)

    # Ctrl+F and a word of the notes find the trade (full-text search inside the vault).
    press(qtbot, window, Qt.Key.Key_F)
    search = trades.filters.search_edit
    assert search.hasFocus()
    qtbot.keyClicks(search, "zebracorn")
    qtbot.waitUntil(
        lambda: (
            trades.model.rowCount() == 1 and trades.count_label.text() == "1 trade, net +222.93"
        ),
        timeout=SLOW,
    )
    assert trades.model.trade_id(0) == tsla
    search.selectAll()
    qtbot.keyClick(search, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: trades.model.rowCount() == 4, timeout=SLOW)

    # -- 4. The dashboard shows the imported trades, to the cent, and the new tag --------------
    press(qtbot, window, Qt.Key.Key_1)
    assert window.current_screen is dashboard
    figures = dashboard_figures(qtbot, dashboard)
    assert figures["net_pnl"] == "+1,066.82"
    assert figures["trades"] == "4"
    assert figures["gross_pnl"] == "+1,070.00"
    assert figures["fees"] == "3.18"
    assert figures["win_rate"] == "75.0%"
    tag_rows = dashboard.breakdown_rows("tag")
    assert [r[0] for r in tag_rows] == [TAG], tag_rows
    assert dashboard.largest_list_rows(wins=False)[0][2] == "-400.00"

    # -- 5. Lock, unlock, and everything is where it was ---------------------------------------
    reloads = dashboard.reload_count
    press(qtbot, window, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: window.is_locked and not journey.tasks.is_open, timeout=SLOW)
    lock = window.outer.currentWidget()
    assert isinstance(lock, LockScreen)
    assert not window.content.isVisible()
    assert not dashboard.isVisible()
    assert window.windowTitle().startswith("Locked")
    unlock(qtbot, journey, lock)
    qtbot.waitUntil(lambda: not window.is_locked and journey.tasks.is_open, timeout=SLOW)
    assert window.content.isVisible()
    assert window.current_screen is dashboard
    assert window.windowTitle() == "Dashboard — Journal Desktop"
    qtbot.waitUntil(lambda: dashboard.reload_count > reloads, timeout=SLOW)  # read afresh
    assert dashboard_figures(qtbot, dashboard) == figures

    # Reopen the trade from the dashboard's largest wins (the open_trade path).
    wins = dashboard.largest_wins
    tsla_item = item_of(wins, "TSLA")
    assert tsla_item.text(2) == "+222.93"
    wins.setFocus()
    wins.setCurrentItem(tsla_item)
    qtbot.keyClick(wins, Qt.Key.Key_Return)
    shows_trade(qtbot, window, detail, tsla)
    qtbot.waitUntil(lambda: detail.screenshots.count() == 1, timeout=SLOW)
    assert NOTES_WORD in detail.notes.text()
    assert detail.tags.words() == (TAG,)
    assert not detail.screenshots.list.item(0).icon().isNull()
    assert not detail.dirty
    qtbot.mouseClick(detail.back_button, Qt.MouseButton.LeftButton)
    assert window.current_screen is dashboard

    # -- 6. Close; on disk the journal is ciphertext, and it opens again with its key ----------
    press(qtbot, window, Qt.Key.Key_2)  # the screen the next start opens on
    journey.quit(qtbot)
    assert not window.isVisible() and not journey.tasks.is_open
    check_files(journey, tsla)

    # -- 7. Start again: unlock, and the window opens on the trades, tag and notes shown -------
    restarted = start_again(qtbot, journey)
    trades = screen_of(restarted, TradesScreen)
    assert restarted.current_screen is trades
    qtbot.waitUntil(lambda: shown_row(trades, "TSLA") == {"Tags": TAG, "Notes": "✎"}, timeout=SLOW)
    assert trades.model.rowCount() == 4
    journey.quit(qtbot)


# -- the journey's steps --------------------------------------------------------------------------


def first_run(qtbot: QtBot, journey: Journey) -> MainWindow:
    """The wizard as a new user walks it: choose how the key is kept, Next, Finish."""
    assert not journey.paths.exists()
    journey.controller.start()
    wizard = journey.controller.gate
    assert isinstance(wizard, FirstRunWizard)
    qtbot.addWidget(wizard)
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    page = wizard.key_page
    secure = is_secure_backend(journey.backend)
    assert page.keychain.isEnabled() is secure
    choice = page.keychain if journey.mode is KeyStorage.KEYCHAIN else page.passphrase
    qtbot.mouseClick(choice, Qt.MouseButton.LeftButton, pos=QPoint(8, choice.height() // 2))
    assert choice.isChecked()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    if journey.mode is KeyStorage.PASSPHRASE:
        assert wizard.currentId() == PASSPHRASE_PAGE
        fields = wizard.passphrase_page.fields
        assert fields.passphrase.hasFocus()
        qtbot.keyClicks(fields.passphrase, PASSPHRASE)
        qtbot.keyClick(fields.passphrase, Qt.Key.Key_Tab)
        assert fields.confirm.hasFocus()
        qtbot.keyClicks(fields.confirm, PASSPHRASE)
        assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
        qtbot.keyClick(fields.confirm, Qt.Key.Key_Return)  # Enter goes on, like Next
    assert wizard.currentId() == FINISH_PAGE
    assert not wizard.finish_page.sample.isChecked()  # a real journal starts empty
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: journey.controller.window is not None, timeout=SLOW)
    window = journey.controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert journey.tasks.is_open
    assert read_metadata(journey.paths).key_storage is journey.mode
    assert journey.paths.key_file.exists() is (journey.mode is KeyStorage.PASSPHRASE)
    # The lock needs the vault's facts, read on the worker after the window opened.
    qtbot.waitUntil(lambda: window.locker.paths is not None, timeout=SLOW)
    return window


def start_again(qtbot: QtBot, journey: Journey) -> MainWindow:
    """`journal-desktop` on an existing vault: the main window at once, the vault opening
    behind it; a passphrase vault asks in the window, a keychain vault just opens."""
    controller = journey.restart()
    controller.start()
    assert controller.gate is None  # never the wizard over an existing vault
    window = controller.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    if journey.mode is KeyStorage.PASSPHRASE:
        qtbot.waitUntil(lambda: window.is_locked, timeout=SLOW)
        lock = window.outer.currentWidget()
        assert isinstance(lock, LockScreen)
        panel = lock.panel
        qtbot.waitUntil(lambda: panel.passphrase.isVisible() and not panel.busy, timeout=SLOW)
        qtbot.keyClicks(panel.passphrase, PASSPHRASE)
        qtbot.keyClick(panel.passphrase, Qt.Key.Key_Return)
    # A keychain vault opens by itself: the key comes from the OS keychain.
    qtbot.waitUntil(lambda: journey.tasks.is_open and not window.is_locked, timeout=SLOW)
    assert window.content.isVisible()
    return window


def import_sample(qtbot: QtBot, importer: ImportScreen, name: str, *, executions: int) -> None:
    """Choose a file (as a drop or the file dialog would), check the preview, press Import."""
    importer.import_file(SAMPLES / name)
    qtbot.waitUntil(
        lambda: importer.prepared is not None and importer.import_button.isEnabled(),
        timeout=SLOW,
    )
    assert f"Ready to import {executions} new executions." == importer.status.text()
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: importer.status.text().startswith("Imported"), timeout=SLOW)
    assert f"Imported {executions} of {executions} executions from {name}" in (
        importer.status.text()
    )


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    """Ctrl+key on the window, as a menu shortcut is pressed."""
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)


def screen_of(window: MainWindow, cls: type[S]) -> S:
    found = [screen for screen in window.screens if isinstance(screen, cls)]
    assert len(found) == 1, f"the window has no single {cls.__name__}"
    return found[0]


def column(name: str, trades: TradesScreen) -> int:
    model = trades.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return headers.index(name)


def table_text(trades: TradesScreen, row: int, name: str) -> str:
    return str(trades.model.index(row, column(name, trades)).data() or "")


def shown_row(trades: TradesScreen, symbol: str) -> dict[str, str]:
    """The Tags and Notes cells of the one row showing `symbol` (empty while not shown)."""
    rows = [r for r in range(trades.model.rowCount()) if table_text(trades, r, "Symbol") == symbol]
    if len(rows) != 1:
        return {}
    return {name: table_text(trades, rows[0], name) for name in ("Tags", "Notes")}


def row_of(qtbot: QtBot, trades: TradesScreen, symbol: str) -> int:
    """The row showing `symbol`, once its page has arrived from the worker."""
    rows: list[int] = []

    def found() -> bool:
        symbols = [table_text(trades, r, "Symbol") for r in range(trades.model.rowCount())]
        rows[:] = [r for r, s in enumerate(symbols) if s == symbol]
        return len(rows) == 1

    qtbot.waitUntil(found, timeout=SLOW)
    return rows[0]


def shows_trade(
    qtbot: QtBot, window: MainWindow, detail: TradeDetailScreen, trade_id: uuid.UUID
) -> None:
    assert window.current_screen is detail
    qtbot.waitUntil(
        lambda: (
            detail.trade_id == trade_id
            and detail.detail is not None
            and detail.detail.trade.id == trade_id
            and detail.notes.isEnabled()
        ),
        timeout=SLOW,
    )
    assert "TSLA" in detail.heading.text()


def dashboard_figures(qtbot: QtBot, dashboard: DashboardScreen) -> dict[str, str]:
    """The cards once the dashboard shows the imported trades (its reload has landed)."""
    qtbot.waitUntil(
        lambda: (
            not dashboard.loading
            and dashboard.data is not None
            and dashboard.data.statistics.trade_count == 4
            and dashboard.pages.currentWidget() is not dashboard.empty_state
        ),
        timeout=SLOW,
    )
    return dict(dashboard.card_values())


def item_of(tree: QTreeWidget, symbol: str) -> QTreeWidgetItem:
    """The row of a dashboard list (symbol, closed, net) that shows `symbol`."""
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    found = [item for item in items if item is not None and item.text(0) == symbol]
    assert len(found) == 1, f"{symbol} is not listed once in {tree.accessibleName()}"
    return found[0]


def unlock(qtbot: QtBot, journey: Journey, lock: LockScreen) -> None:
    panel = lock.panel
    if journey.mode is KeyStorage.PASSPHRASE:
        assert panel.passphrase.isVisible()
        qtbot.keyClicks(panel.passphrase, PASSPHRASE)
        qtbot.keyClick(panel.passphrase, Qt.Key.Key_Return)
    else:
        assert not panel.passphrase.isVisible()
        assert panel.unlock_button.isVisible()
        qtbot.mouseClick(panel.unlock_button, Qt.MouseButton.LeftButton)


def chart_image() -> QImage:
    """A stand-in for a chart screenshot: a coloured image with a diagonal stripe."""
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f2937"))
    for x in range(200):
        image.setPixelColor(x + 60, x, QColor("#22c55e"))
    return image


def check_files(journey: Journey, trade_id: uuid.UUID) -> None:
    """No plaintext of the trader's words on disk; the vault reopens and holds them."""
    paths = journey.paths
    database = paths.database.read_bytes()
    assert len(database) > 4096
    assert not database.startswith(b"SQLite format 3")  # SQLCipher: no plain header
    # The database, its write-ahead log if one is left, and every other file of the folder
    # (metadata, key file, backups): none holds the trader's words or the pasted image.
    files = sorted(path for path in paths.data_dir.rglob("*") if path.is_file())
    assert paths.database in files
    for path in files:
        raw = path.read_bytes()
        for secret in (NOTES_WORD, TAG, "Faded the open", "TSLA"):
            for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
                assert encoded not in raw, f"{secret!r} is in plain text in {path.name}"
        assert b"\x89PNG\r\n" not in raw, f"the screenshot is in plain form in {path.name}"

    env = KeyEnvironment(journey.backend, passphrase=lambda: PASSPHRASE)
    with Vault.open(paths, env) as vault:
        trade_detail: TradeDetail = load_trade(vault, trade_id)
        assert NOTES_WORD in trade_detail.trade.notes
        assert trade_detail.tag_names == (TAG,)
        assert trade_detail.trade.net_pnl == TSLA_NET
        assert len(trade_attachments.screenshots(vault, trade_id)) == 1
        assert vault.trades.count() == 4
        assert sum((t.net_pnl for t in vault.trades.list_all()), Decimal(0)) == TOTAL_NET
        vault_id = vault.metadata.vault_id
    if is_secure_backend(journey.backend):
        stored = journey.backend.get_password(SERVICE_NAME, entry_name(vault_id))
        if journey.mode is KeyStorage.KEYCHAIN:
            assert stored is not None and len(bytes.fromhex(stored)) == 32
        else:
            assert stored is None  # a passphrase vault leaves nothing in the keychain
