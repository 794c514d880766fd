"""Opening an existing vault: each failure says why, offers a way on, and writes nothing.

Start-up shows the main window first and opens the vault behind it, so every case here runs
that real path (`AppController.start` over stub screens): the window is up before the vault is
open, and a passphrase request or a failure appears inside it, in the unlock panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, SignalInstance
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.ui.app import AppController
from journal_desktop.ui.lock import LockScreen
from journal_desktop.ui.main_window import MainWindow, PendingPage
from journal_desktop.ui.screen import OPENING_TEXT
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.unlock import UnlockPanel
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import wait_idle
from tests.ui.shell_helpers import create_vault, folder_digest, window_settings
from tests.ui.shell_stubs import STUB_SCREENS, StubDashboard, StubDetail

SECRET = "correct horse battery staple"


def _start(
    qtbot: QtBot, runner: VaultTasks, paths: VaultPaths, keyring: object, tmp_path: Path
) -> MainWindow:
    """`journal-desktop` over the vault: the main window is shown before the vault opens."""
    controller = AppController(
        runner,
        paths,
        keyring,  # type: ignore[arg-type]
        settings=window_settings(tmp_path),
        screens=STUB_SCREENS,
        detail=StubDetail,
    )
    controller.start()
    window = controller.window
    assert isinstance(window, MainWindow)  # at once: never the wizard over an existing vault
    assert controller.gate is None
    qtbot.addWidget(window)
    assert window.isVisible()
    assert not runner.is_open  # the vault is opened on the worker after the first paint
    qtbot.waitExposed(window)
    return window


def _window(qtbot: QtBot, runner: VaultTasks, paths: VaultPaths, keyring: object) -> _Shown:
    """The started window once opening has needed the person: its unlock panel."""
    window = _start(qtbot, runner, paths, keyring, paths.data_dir.parent)
    qtbot.waitUntil(lambda: window.is_locked, timeout=20_000)
    wait_idle(qtbot, runner)
    screen = window.outer.currentWidget()
    assert isinstance(screen, LockScreen)
    assert not window.content.isVisible()  # nothing of the journal shows behind the panel
    return _Shown(window, screen.panel)


@dataclass
class _Shown:
    window: MainWindow
    panel: UnlockPanel

    @property
    def unlocked(self) -> SignalInstance:
        return self.window.locker.unlocked


def _failure_shown(qtbot: QtBot, panel: UnlockPanel, runner: VaultTasks) -> None:
    qtbot.waitUntil(lambda: panel.last_failure is not None, timeout=20_000)
    wait_idle(qtbot, runner)
    assert not runner.is_open
    assert panel.error.isVisible() and panel.detail.isVisible()


def test_a_wrong_passphrase_is_named_and_nothing_changes(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, SECRET)
    before = folder_digest(paths.data_dir)
    runner = VaultTasks()
    try:
        window = _window(qtbot, runner, paths, keyring)
        panel = window.panel
        assert panel.passphrase.isVisible()  # it asked rather than failed
        assert panel.last_failure is None and not runner.is_open
        opened: list[object] = []
        window.unlocked.connect(opened.append)

        qtbot.keyClicks(panel.passphrase, "wrong passphrase here")
        qtbot.keyClick(panel.passphrase, Qt.Key.Key_Return)
        _failure_shown(qtbot, panel, runner)
        assert panel.error.text() == "Wrong passphrase."
        assert "try again" in panel.detail.text()
        assert not opened
        assert folder_digest(paths.data_dir) == before

        qtbot.keyClicks(panel.passphrase, SECRET)
        qtbot.keyClick(panel.passphrase, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
        assert runner.is_open
        # The typed passphrase does not stay behind: the panel clears it and is then deleted.
        assert not isValid(panel.passphrase) or panel.passphrase.text() == ""
        assert not window.window.is_locked and window.window.content.isVisible()
    finally:
        runner.shutdown()


def test_a_keychain_vault_opens_without_asking(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    runner = VaultTasks()
    try:
        window = _start(qtbot, runner, paths, keyring, tmp_path)
        asked: list[object] = []
        window.locker.locked.connect(lambda: asked.append(True))
        qtbot.waitUntil(lambda: runner.is_open, timeout=20_000)
        wait_idle(qtbot, runner)
        assert not asked and not window.is_locked
        assert window.content.isVisible()
        dashboard = window.current_screen
        assert isinstance(dashboard, StubDashboard)
        assert dashboard.reloads >= 1  # read from the vault once it was open
        # The vault's facts arrived too, so Ctrl+L can lock it now.
        qtbot.waitUntil(lambda: window.locker.paths is not None)
        assert window.locker.backend is keyring
    finally:
        runner.shutdown()


def test_ctrl_l_while_the_vault_still_opens_locks_it_once_open(
    qtbot: QtBot, tmp_path: Path
) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    runner = VaultTasks()
    try:
        window = _start(qtbot, runner, paths, keyring, tmp_path)
        assert not runner.is_open
        window.lock_action.trigger()  # Ctrl+L, before the vault has opened
        assert not window.is_locked
        qtbot.waitUntil(lambda: window.is_locked, timeout=20_000)
        wait_idle(qtbot, runner)
        assert not runner.is_open
        lock = window.outer.currentWidget()
        assert isinstance(lock, LockScreen)
        assert lock.panel.heading.text() == "Journal locked"
        assert lock.panel.unlock_button.isVisible()  # a keychain vault: Unlock, no passphrase
    finally:
        runner.shutdown()


def test_a_missing_keychain_entry_is_explained_and_no_vault_is_made(
    qtbot: QtBot, tmp_path: Path
) -> None:
    paths, _keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    before = folder_digest(paths.data_dir)
    empty_keychain = InMemoryKeyringFake()
    runner = VaultTasks()
    try:
        window = _window(qtbot, runner, paths, empty_keychain)
        panel = window.panel
        _failure_shown(qtbot, panel, runner)
        assert panel.error.text() == "The OS keychain has no key for this vault."
        assert "journal-desktop restore" in panel.detail.text()
        assert str(paths.data_dir) in panel.folder.text()
        assert panel.retry.isVisible() and panel.open_folder.isVisible()
        assert not panel.passphrase.isVisible()
        assert folder_digest(paths.data_dir) == before
        assert empty_keychain.entries == {}

        panel.retry.click()  # trying again changes nothing either
        qtbot.waitUntil(lambda: not panel.busy)
        _failure_shown(qtbot, panel, runner)
        assert folder_digest(paths.data_dir) == before
    finally:
        runner.shutdown()


def test_a_damaged_database_is_explained_and_left_alone(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    data = bytearray(paths.database.read_bytes())
    for offset in range(0, len(data), 97):  # scramble every page, header included
        data[offset] ^= 0xFF
    paths.database.write_bytes(bytes(data))
    before = folder_digest(paths.data_dir)
    runner = VaultTasks()
    try:
        window = _window(qtbot, runner, paths, keyring)
        panel = window.panel
        _failure_shown(qtbot, panel, runner)
        assert panel.error.text() == "The vault file cannot be read."
        assert "journal-desktop check" in panel.detail.text()
        assert "backup" in panel.detail.text()
        assert "no new vault was created" in panel.detail.text()
        assert str(paths.data_dir) in panel.folder.text()
        assert folder_digest(paths.data_dir) == before
    finally:
        runner.shutdown()


def test_a_missing_metadata_file_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, SECRET)
    paths.metadata.unlink()
    before = folder_digest(paths.data_dir)
    runner = VaultTasks()
    try:
        window = _window(qtbot, runner, paths, keyring)
        panel = window.panel
        _failure_shown(qtbot, panel, runner)
        assert "vault.json is missing" in panel.detail.text()
        assert folder_digest(paths.data_dir) == before
        assert not paths.metadata.exists()
    finally:
        runner.shutdown()


def test_start_up_shows_the_window_first_then_asks_in_it(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, SECRET)
    runner = VaultTasks()
    try:
        window = _start(qtbot, runner, paths, keyring, tmp_path)
        qtbot.waitUntil(lambda: window.is_locked, timeout=20_000)
        lock = window.outer.currentWidget()
        assert isinstance(lock, LockScreen)
        assert lock.panel.heading.text() == "Open your journal"
        assert lock.panel.passphrase.isVisible()
        assert lock.panel.last_failure is None  # asked, not failed
        qtbot.keyClicks(lock.panel.passphrase, SECRET)
        lock.panel.submit()
        qtbot.waitUntil(lambda: not window.is_locked, timeout=20_000)
        assert runner.is_open
        assert window.content.isVisible()
        assert isinstance(window.current_screen, StubDashboard)
        assert window.windowTitle() == "Dashboard — Journal Desktop"
        wait_idle(qtbot, runner)
        qtbot.waitUntil(lambda: window.locker.paths is not None)
        window.lock()  # and it locks like any window
        qtbot.waitUntil(lambda: window.is_locked and not runner.is_open)
        window.close()
    finally:
        runner.shutdown()


def test_the_screen_shown_at_start_says_the_journal_is_opening(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The real screens load lazily: until the shown one is built its page says so."""
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, SECRET)
    runner = VaultTasks()
    try:
        controller = AppController(
            runner,
            paths.data_dir,  # as `main()` passes it: the folder, storage not imported for it
            keyring,  # type: ignore[arg-type]
            settings=window_settings(tmp_path),
        )
        controller.start()
        window = controller.window
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)
        page = window.current_screen
        assert isinstance(page, PendingPage)  # nothing built before the first paint
        assert page.label.text() == OPENING_TEXT
        assert window.built_screens == []
        qtbot.waitUntil(lambda: window.is_locked, timeout=20_000)
        lock = window.outer.currentWidget()
        assert isinstance(lock, LockScreen)
        qtbot.keyClicks(lock.panel.passphrase, SECRET)
        lock.panel.submit()
        qtbot.waitUntil(lambda: not window.is_locked, timeout=20_000)
        # Behind the panel the dashboard was imported and built; it is the screen shown now,
        # and it reads the journal that has just been opened.
        qtbot.waitUntil(
            lambda: type(window.current_screen).__name__ == "DashboardScreen", timeout=20_000
        )
        dashboard = window.current_screen
        qtbot.waitUntil(lambda: getattr(dashboard, "reload_count", 0) > 0, timeout=20_000)
        assert window.windowTitle() == "Dashboard — Journal Desktop"
        wait_idle(qtbot, runner)
    finally:
        runner.shutdown()


def test_a_keychain_that_cannot_be_reached_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    from keyring.backends.fail import Keyring as NoKeyring  # keyring's own "no keychain"

    paths, _keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    before = folder_digest(paths.data_dir)
    runner = VaultTasks()
    try:
        window = _window(qtbot, runner, paths, NoKeyring())
        panel = window.panel
        _failure_shown(qtbot, panel, runner)
        assert panel.error.text() == "The OS keychain could not be reached."
        assert "Try again" in panel.detail.text()
        assert panel.retry.isVisible()
        assert folder_digest(paths.data_dir) == before
    finally:
        runner.shutdown()
