"""Locking closes the vault and hides the journal; unlocking brings the window back as it was."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from journal_desktop.storage import key_management
from journal_desktop.storage.database import Database
from journal_desktop.storage.keychain import Keychain
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.idle import AUTO_LOCK_SETTING
from journal_desktop.ui.lock import LockScreen
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.settings_screen import SettingsScreen
from journal_desktop.ui.tasks import VaultTasks
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import PASSPHRASE, run_sync, wait_idle
from tests.ui.shell_helpers import create_vault, make_window, window_settings
from tests.ui.shell_stubs import StubJournal, StubSettings, StubTrades


def _lock_screen(window: MainWindow) -> LockScreen:
    screen = window.outer.currentWidget()
    assert isinstance(screen, LockScreen)
    return screen


def _locked(qtbot: QtBot, window: MainWindow, tasks: VaultTasks) -> LockScreen:
    qtbot.waitUntil(lambda: window.is_locked and not tasks.is_open)
    wait_idle(qtbot, tasks)
    return _lock_screen(window)


def test_ctrl_l_locks_and_the_passphrase_restores_the_same_screen(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.show_screen(2)
    journal = window.current_screen
    assert isinstance(journal, StubJournal)
    geometry = window.geometry()
    reloads = journal.reloads

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = _locked(qtbot, window, tasks)
    assert not window.content.isVisible()
    assert lock.panel.passphrase.isVisible()
    assert window.windowTitle().startswith("Locked")
    # While locked the screen shortcuts do nothing.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is journal

    qtbot.keyClicks(lock.panel.passphrase, PASSPHRASE)
    qtbot.keyClick(lock.panel.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked)
    assert tasks.is_open
    assert window.content.isVisible()
    assert window.current_screen is journal
    assert window.geometry() == geometry
    assert journal.reloads > reloads  # the visible screen reloaded from the reopened vault
    trades = next(s for s in window.screens if isinstance(s, StubTrades))
    assert trades._stale  # hidden screens reload when shown
    assert run_sync(qtbot, tasks, lambda vault: vault.trades.count()) == 0


def test_a_wrong_passphrase_on_the_lock_screen_keeps_it_locked(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.lock()
    lock = _locked(qtbot, window, tasks)
    qtbot.keyClicks(lock.panel.passphrase, "not the passphrase")
    lock.panel.submit()
    qtbot.waitUntil(lambda: lock.panel.last_failure is not None, timeout=20_000)
    assert lock.panel.error.text() == "Wrong passphrase."
    assert lock.panel.passphrase.text() == ""
    assert window.is_locked and not tasks.is_open
    assert not window.content.isVisible()


def test_the_settings_screen_can_lock(qtbot: QtBot, tasks: VaultTasks, tmp_path: Path) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    settings_screen = next(s for s in window.screens if isinstance(s, StubSettings))
    settings_screen.lock_requested.emit()
    _locked(qtbot, window, tasks)


def test_locking_closes_open_dialogs(qtbot: QtBot, tasks: VaultTasks, tmp_path: Path) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    dialog = QDialog(window)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    window.lock()
    _locked(qtbot, window, tasks)
    assert not dialog.isVisible()


def test_work_queued_after_a_lock_fails_as_locked(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.lock()
    errors: list[BaseException] = []
    tasks.run(lambda vault: vault.trades.count(), on_failure=errors.append)
    _locked(qtbot, window, tasks)
    assert [type(e).__name__ for e in errors] == ["VaultLocked"]


def test_a_keychain_vault_unlocks_with_the_button(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    runner = VaultTasks()
    try:
        runner.open(lambda: Vault.open(paths, KeyEnvironment(keyring)))  # type: ignore[arg-type]
        wait_idle(qtbot, runner)
        window = make_window(qtbot, runner, window_settings(tmp_path), backend=keyring)
        window.lock()
        lock = _locked(qtbot, window, runner)
        assert not lock.panel.passphrase.isVisible()
        assert lock.panel.unlock_button.isVisible()
        qtbot.mouseClick(lock.panel.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.is_locked)
        assert runner.is_open
    finally:
        runner.shutdown()


def test_no_vault_or_key_outlives_the_lock(qtbot: QtBot, tasks: VaultTasks, tmp_path: Path) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    gc.collect()
    assert any(isinstance(obj, Vault) for obj in gc.get_objects())  # the check can see it
    window.lock()
    _locked(qtbot, window, tasks)
    gc.collect()
    alive = [obj for obj in gc.get_objects() if isinstance(obj, Vault | Database)]
    assert [obj for obj in alive if not getattr(obj, "closed", False)] == []
    assert not any(isinstance(obj, Vault) for obj in alive)


def test_the_lock_screen_follows_a_change_of_key_storage(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    runner = VaultTasks()
    try:
        runner.open(lambda: Vault.open(paths, KeyEnvironment(keyring)))  # type: ignore[arg-type]
        wait_idle(qtbot, runner)
        window = make_window(qtbot, runner, window_settings(tmp_path), backend=keyring)

        def to_passphrase(vault: Vault) -> None:
            key = Keychain(keyring).fetch(vault.metadata.vault_id)  # type: ignore[arg-type]
            assert key is not None
            env = KeyEnvironment(keyring, passphrase=lambda: PASSPHRASE)  # type: ignore[arg-type]
            key_management.switch_key_storage(vault, key, env, KeyStorage.PASSPHRASE)

        run_sync(qtbot, runner, to_passphrase)  # as the settings screen would
        window.lock()
        lock = _locked(qtbot, window, runner)
        assert lock.panel.passphrase.isVisible()  # not the keychain's Unlock-only view
        qtbot.keyClicks(lock.panel.passphrase, PASSPHRASE)
        lock.panel.submit()
        qtbot.waitUntil(lambda: not window.is_locked, timeout=20_000)
        assert runner.is_open
    finally:
        runner.shutdown()


def test_an_auto_lock_change_made_just_before_ctrl_l_is_kept(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    """The spin box writes after a pause; a lock inside that pause writes it first (its
    write queued after the vault closed would fail, and the choice be lost)."""
    window = MainWindow(
        tasks,
        backend=InMemoryKeyringFake(),  # type: ignore[arg-type]
        screens=[SettingsScreen],
        detail=None,
        settings=window_settings(tmp_path),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    wait_idle(qtbot, tasks)
    settings = window.current_screen
    assert isinstance(settings, SettingsScreen)
    settings.general.auto_lock.setValue(25)

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = _locked(qtbot, window, tasks)
    qtbot.keyClicks(lock.panel.passphrase, PASSPHRASE)
    qtbot.keyClick(lock.panel.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked)
    wait_idle(qtbot, tasks)
    assert run_sync(qtbot, tasks, lambda vault: vault.settings.get(AUTO_LOCK_SETTING)) == "25"
    assert settings.general.auto_lock.value() == 25
    assert "locked" not in settings.general.status.text().lower()
