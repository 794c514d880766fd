"""Opening an existing vault: each failure says why, offers a way on, and writes nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.ui.app import AppController
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.unlock import UnlockPanel, UnlockWindow
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import wait_idle
from tests.ui.shell_helpers import create_vault, folder_digest, window_settings
from tests.ui.shell_stubs import STUB_SCREENS, StubDetail

SECRET = "correct horse battery staple"


def _window(qtbot: QtBot, runner: VaultTasks, paths: VaultPaths, keyring: object) -> UnlockWindow:
    window = UnlockWindow(runner, paths, keyring)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    window.start()
    wait_idle(qtbot, runner)
    return window


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
        assert panel.passphrase.text() == ""
    finally:
        runner.shutdown()


def test_a_keychain_vault_opens_without_asking(qtbot: QtBot, tmp_path: Path) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.KEYCHAIN, "unused")
    runner = VaultTasks()
    try:
        opened: list[object] = []
        window = UnlockWindow(runner, paths, keyring)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.unlocked.connect(opened.append)
        window.start()
        qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
        assert runner.is_open
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


def test_start_up_with_a_vault_unlocks_then_opens_the_main_window(
    qtbot: QtBot, tmp_path: Path
) -> None:
    paths, keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, SECRET)
    runner = VaultTasks()
    try:
        controller = AppController(
            runner,
            paths,
            keyring,  # type: ignore[arg-type]
            settings=window_settings(tmp_path),
            screens=STUB_SCREENS,
            detail=StubDetail,
        )
        controller.start()
        gate = controller.gate
        assert isinstance(gate, UnlockWindow)  # never the wizard over an existing vault
        qtbot.addWidget(gate)
        wait_idle(qtbot, runner)
        qtbot.keyClicks(gate.panel.passphrase, SECRET)
        gate.panel.submit()
        qtbot.waitUntil(lambda: controller.window is not None, timeout=20_000)
        assert isinstance(controller.window, MainWindow)
        qtbot.addWidget(controller.window)
        assert controller.window.isVisible()
        assert controller.gate is None
        wait_idle(qtbot, runner)
        controller.window.close()
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
