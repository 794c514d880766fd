"""Starting the desktop app: the first-run wizard, or the main window over an existing vault.

`journal-desktop` with no arguments (or `journal-desktop gui`) lands here. The data folder is
the platform's one unless `--data-dir` names another, like the command line's option.

Over an existing vault the main window is shown at once, with the journal still closed, and
the vault is opened on the worker behind it (the keychain's key, SQLCipher): a keychain vault
simply fills in, a passphrase vault or a failure brings up the unlock panel inside the window.
Nothing on the way to that first paint imports the storage package, `keyring` or a screen;
`python -m benchmarks --only desktop` measures it against an empty PySide6 window.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from journal_desktop import __version__
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.resources import APP_ICON, icon
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import ThemeManager
from journal_desktop.ui.vault_opening import default_data_dir, vault_exists

if TYPE_CHECKING:
    from journal_desktop.storage.keychain import KeyringBackend
    from journal_desktop.storage.paths import VaultPaths

ORGANIZATION = "Journal Desktop"
APPLICATION = "journal-desktop"


class AppController(QObject):
    """Walks from start-up to the main window; holds the windows so they stay alive.

    `paths` is the vault's `VaultPaths`, or just its data folder (start-up passes the folder,
    so the storage package is not imported before the window is up). `backend` None means the
    OS keychain, found when first needed (on the worker, for an existing vault).
    """

    def __init__(
        self,
        tasks: VaultTasks,
        paths: VaultPaths | Path,
        backend: KeyringBackend | None = None,
        *,
        settings: QSettings | None = None,
        theme: ThemeManager | None = None,
        screens: Sequence[type[Screen]] | None = None,
        detail: type[Screen] | None = None,
    ) -> None:
        super().__init__()
        self.tasks = tasks
        self.data_dir: Path = paths if isinstance(paths, Path) else paths.data_dir
        self.backend = backend
        self.settings = settings
        self.theme = theme
        self.screens = screens
        self.detail = detail
        self.gate: QWidget | None = None  # the first-run wizard, while it is open
        self.window: MainWindow | None = None

    def start(self) -> None:
        if vault_exists(self.data_dir):
            window = self._open_main_window(first_run=False)
            window.open_at_start(self.data_dir, keyring_backend)
            return
        from journal_desktop.storage.paths import VaultPaths
        from journal_desktop.ui.first_run import FirstRunWizard

        if self.backend is None:
            self.backend = keyring_backend()
        wizard = FirstRunWizard(self.tasks, VaultPaths(self.data_dir), self.backend)
        wizard.created.connect(lambda _metadata: self._open_main_window(first_run=True))
        self.gate = wizard
        wizard.show()

    def _open_main_window(self, *, first_run: bool) -> MainWindow:
        window = MainWindow(
            self.tasks,
            backend=self.backend,
            screens=self.screens,
            detail=self.detail,
            settings=self.settings,
            theme=self.theme,
        )
        if first_run:
            window.land_on(0)  # the dashboard, built after the first paint like any start
        self.window = window
        window.show()
        gate, self.gate = self.gate, None
        if gate is not None:
            sample_error = getattr(gate, "sample_error", None)
            if sample_error:
                window.show_failure(sample_error)
            gate.close()
            gate.deleteLater()
        return window


def default_backend() -> Any:
    """keyring's backend for this desktop (imports `keyring`, which takes a while)."""
    from journal_desktop.storage.keychain import default_backend as keyring_default

    return keyring_default()


def keyring_backend() -> KeyringBackend:
    """The OS keychain through `keyring`; its "no keychain" backend if `keyring` breaks.

    A broken keyring configuration must not stop the app: the wizard then offers only the
    passphrase, and a keychain vault explains that its key cannot be reached.
    """
    try:
        backend: KeyringBackend = default_backend()
    except Exception:
        from keyring.backends.fail import Keyring

        backend = Keyring()
    return backend


def instance_lock(data_dir: Path) -> QLockFile | None:
    """Hold a lock for this data folder, or None when another window already has it.

    Two windows on one vault would fight over the database and each show stale data. The lock
    file lives in the temporary folder, named by the data folder's path, so nothing is written
    into a data folder that may not hold a vault yet; a crashed holder's lock goes stale.
    """
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    lock = QLockFile(str(Path(tempfile.gettempdir()) / f"journal-desktop-{digest}.lock"))
    lock.setStaleLockTime(0)  # only a live process holds it; a dead one's lock is taken over
    return lock if lock.tryLock(200) else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journal-desktop", description="The Journal Desktop window."
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the vault's folder (default: the platform's user data folder)",
    )
    return parser


def create_application(argv: Sequence[str]) -> QApplication:
    """The QApplication with names for QSettings, the icon, and high-DPI defaults."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication([sys.argv[0] if sys.argv else APPLICATION, *argv])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Journal Desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APPLICATION)
    app.setWindowIcon(icon(APP_ICON))
    return app


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = build_parser().parse_known_args(list(sys.argv[1:] if argv is None else argv))
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    app = create_application(qt_args)
    lock = instance_lock(data_dir)
    if lock is None:
        QMessageBox.information(
            None,
            "Journal Desktop",
            f"Journal Desktop is already open with the journal in {data_dir}. "
            "Switch to that window; one journal is opened by one window at a time.",
        )
        return 1
    theme = ThemeManager(app)
    theme.set_mode("system")
    tasks = VaultTasks()
    controller = AppController(tasks, data_dir, theme=theme)
    controller.start()
    try:
        return app.exec()
    finally:
        tasks.shutdown()
        lock.unlock()


if __name__ == "__main__":
    raise SystemExit(main())
