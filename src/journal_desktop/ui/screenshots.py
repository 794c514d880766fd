"""`python -m journal_desktop.ui.screenshots OUT_DIR`: every screen, with demo data, as PNG.

For the README and for review. A throwaway vault is created in a temporary folder with the
real SQLCipher and a fixed demo passphrase (passphrase mode needs no keychain), the sample
data is imported through the normal import path, and each screen is rendered offscreen once
the data it asked for has arrived. The user's own vault and window settings are never touched.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from journal_desktop.ui.screen import Screen
    from journal_desktop.ui.tasks import VaultTasks

DEMO_PASSPHRASE = "demo passphrase for screenshots"  # noqa: S105 (a throwaway demo vault)
WINDOW_SIZE = (1280, 800)
#: Work that is idle this long counts as finished (screens may chain a second query).
QUIET_MS = 250
SETTLE_TIMEOUT_S = 60.0


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "screen"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1 or arguments[0].startswith("-"):
        print("usage: python -m journal_desktop.ui.screenshots OUT_DIR", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    written = render_all(Path(arguments[0]).expanduser())
    for path in written:
        print(path)
    return 0


def render_all(
    out_dir: Path,
    *,
    screens: Sequence[type[Screen]] | None = None,
    detail: type[Screen] | None = None,
) -> list[Path]:
    """Build the demo vault, render every screen into `out_dir`, return the files written.

    `screens` and `detail` default to the real ones (whichever exist).
    """
    # Qt is imported here so `--help`-style misuse above does not pay for it.
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings

    from journal_desktop.sample_data import load_sample_data
    from journal_desktop.ui.app import create_application, keyring_backend
    from journal_desktop.ui.first_run import FirstRunWizard
    from journal_desktop.ui.main_window import MainWindow
    from journal_desktop.ui.screens import detail_screen, sidebar_screens
    from journal_desktop.ui.tasks import ChangeSet, VaultTasks
    from journal_desktop.ui.theme import ThemeManager

    if screens is None:
        screens, detail = sidebar_screens(), detail_screen()
    out_dir.mkdir(parents=True, exist_ok=True)
    app = create_application([])
    theme = ThemeManager(app)
    theme.set_mode("light")
    backend = keyring_backend()
    written: list[Path] = []
    tasks = VaultTasks()
    with tempfile.TemporaryDirectory(prefix="journal-shots-") as tmp:
        paths = VaultPaths(Path(tmp) / "vault")
        settings = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        settle = _settler(tasks)

        def shoot(widget: QWidget, name: str) -> None:
            settle()
            path = out_dir / f"{name}.png"
            if not widget.grab().save(str(path)):
                raise OSError(f"could not write {path}")
            written.append(path)

        wizard = FirstRunWizard(tasks, paths, backend)
        wizard.show()
        shoot(wizard, "00-first-run")
        wizard.next()
        shoot(wizard, "00-first-run-passphrase")
        wizard.hide()
        wizard.deleteLater()

        env = KeyEnvironment(backend, passphrase=lambda: DEMO_PASSPHRASE)
        failures: list[BaseException] = []
        tasks.open(
            lambda: Vault.init(paths, env, KeyStorage.PASSPHRASE), on_failure=failures.append
        )
        tasks.run(load_sample_data, changes=ChangeSet.everything(), on_failure=failures.append)
        settle()
        if failures:
            raise failures[0]

        window = MainWindow(
            tasks, backend=backend, screens=screens, detail=detail, settings=settings, theme=theme
        )
        window.resize(*WINDOW_SIZE)
        window.show()
        window.idle.stop()
        journal_day = _latest_journal_day(tasks, settle)
        for index, screen in enumerate(window.screens):
            window.show_screen(index)
            select_day = getattr(screen, "select_day", None)
            if journal_day is not None and select_day is not None:
                select_day(journal_day)  # a day with a plan, a review and trades, not today
            shoot(window, f"{index + 1:02d}-{_slug(screen.title)}")

        trade_id = _busiest_trade(tasks, settle)
        if window.detail is not None and trade_id is not None:
            window.show_screen(min(1, len(window.screens) - 1))  # from the trade list
            window.open_trade(trade_id)
            shoot(window, "06-trade-detail")
            window.close_detail()

        theme.set_mode("dark")
        window.show_screen(0)
        shoot(window, "08-dashboard-dark")
        theme.set_mode("light")

        window.lock()
        shoot(window, "07-lock")
        window.close()
        window.deleteLater()  # its screens must not outlive the worker they talk to
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        tasks.shutdown()
        theme.set_mode("system")
        app.processEvents()
    return written


def _settler(tasks: VaultTasks) -> Callable[[], None]:
    """Process events until the worker has been idle for `QUIET_MS`."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    def settle() -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if tasks.busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= QUIET_MS:
                return
            time.sleep(0.01)
        raise TimeoutError("the screens did not finish loading their data")

    return settle


def _latest_journal_day(tasks: VaultTasks, settle: Callable[[], None]) -> date | None:
    """The newest day the demo journal wrote about."""
    box: list[date | None] = []
    tasks.run(
        lambda vault: max((e.day for e in vault.journal.list_all()), default=None),
        on_success=box.append,
    )
    settle()
    return box[0] if box else None


def _busiest_trade(tasks: VaultTasks, settle: Callable[[], None]) -> uuid.UUID | None:
    """A closed winner with notes, tags and the most executions: the most telling detail."""
    box: list[uuid.UUID | None] = []

    def pick(vault: Vault) -> uuid.UUID | None:
        trades = [t for t in vault.trades.list_all() if t.closed_at is not None]
        if not trades:
            return None
        best = max(
            trades,
            key=lambda t: (bool(t.notes), bool(t.tag_ids), t.net_pnl > 0, len(t.fills), t.net_pnl),
        )
        return best.id

    tasks.run(pick, on_success=box.append)
    settle()
    return box[0] if box else None


if __name__ == "__main__":
    raise SystemExit(main())
