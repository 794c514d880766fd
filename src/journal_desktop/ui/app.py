"""Starting the desktop app: the first-run wizard or the unlock screen, then the main window.

`journal-desktop` with no arguments (or `journal-desktop gui`) lands here. The data folder is
the platform's one unless `--data-dir` names another, like the command line's option.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from journal_desktop import __version__
from journal_desktop.storage.keychain import KeyringBackend, default_backend
from journal_desktop.storage.paths import VaultPaths, default_data_dir
from journal_desktop.ui.first_run import FirstRunWizard
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.resources import APP_ICON, icon
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.screens import detail_screen, sidebar_screens
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import ThemeManager
from journal_desktop.ui.unlock import UnlockWindow

ORGANIZATION = "Journal Desktop"
APPLICATION = "journal-desktop"


class AppController(QObject):
    """Walks from start-up to the main window; holds the windows so they stay alive."""

    def __init__(
        self,
        tasks: VaultTasks,
        paths: VaultPaths,
        backend: KeyringBackend,
        *,
        settings: QSettings | None = None,
        theme: ThemeManager | None = None,
        screens: Sequence[type[Screen]] | None = None,
        detail: type[Screen] | None = None,
    ) -> None:
        super().__init__()
        self.tasks = tasks
        self.paths = paths
        self.backend = backend
        self.settings = settings
        self.theme = theme
        self.screens = screens
        self.detail = detail
        self.gate: QWidget | None = None  # the wizard or the unlock window
        self.window: MainWindow | None = None

    def start(self) -> None:
        # The screens are imported right after the first window is on screen: while the
        # wizard waits for the person or the worker opens the vault, and before any import
        # work runs (their modules bind their imports first).
        QTimer.singleShot(0, self._load_screens)
        if self.paths.exists():
            unlock = UnlockWindow(self.tasks, self.paths, self.backend)
            unlock.unlocked.connect(lambda _metadata: self._open_main_window(first_run=False))
            self.gate = unlock
            unlock.show()
            unlock.start()
        else:
            wizard = FirstRunWizard(self.tasks, self.paths, self.backend)
            wizard.created.connect(lambda _metadata: self._open_main_window(first_run=True))
            self.gate = wizard
            wizard.show()

    def _load_screens(self) -> None:
        if self.screens is None:
            self.screens, self.detail = sidebar_screens(), detail_screen()

    def _open_main_window(self, *, first_run: bool) -> None:
        self._load_screens()
        window = MainWindow(
            self.tasks,
            backend=self.backend,
            screens=self.screens,
            detail=self.detail,
            settings=self.settings,
            theme=self.theme,
        )
        if first_run:
            window.show_screen(0)  # land on the dashboard
        self.window = window
        window.show()
        if isinstance(self.gate, FirstRunWizard) and self.gate.sample_error:
            window.show_failure(self.gate.sample_error)
        if self.gate is not None:
            self.gate.close()
            self.gate.deleteLater()
            self.gate = None


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
    controller = AppController(tasks, VaultPaths(data_dir), keyring_backend(), theme=theme)
    controller.start()
    try:
        return app.exec()
    finally:
        tasks.shutdown()
        lock.unlock()


if __name__ == "__main__":
    raise SystemExit(main())
