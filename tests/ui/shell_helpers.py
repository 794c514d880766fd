"""Shared set-up for the shell's tests: a main window over stub screens, vaults on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.tasks import VaultTasks
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import wait_idle
from tests.ui.shell_stubs import STUB_SCREENS, StubDetail


def window_settings(tmp_path: Path) -> QSettings:
    """Window settings in a file of the test's own, never the person's real settings."""
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


def make_window(
    qtbot: QtBot,
    tasks: VaultTasks,
    settings: QSettings,
    backend: object | None = None,
) -> MainWindow:
    window = MainWindow(
        tasks,
        backend=backend if backend is not None else InMemoryKeyringFake(),  # type: ignore[arg-type]
        screens=STUB_SCREENS,
        detail=StubDetail,
        settings=settings,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    wait_idle(qtbot, tasks)
    return window


def create_vault(
    data_dir: Path,
    storage: KeyStorage,
    passphrase: str,
    backend: object | None = None,
) -> tuple[VaultPaths, object]:
    """A closed vault on disk, made with the real storage code; returns paths and backend."""
    paths = VaultPaths(data_dir)
    keyring = backend if backend is not None else InMemoryKeyringFake()
    env = KeyEnvironment(keyring, passphrase=lambda: passphrase)  # type: ignore[arg-type]
    Vault.init(paths, env, storage).close()
    return paths, keyring


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its SHA-256: proof that nothing was written."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
