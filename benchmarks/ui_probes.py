"""Probes for the desktop figures, each run in a fresh Python process by `ui_bench`.

A Qt application is process-wide state, so every measurement gets its own interpreter. A probe
prints one JSON line on stdout when it is done; the parent times what it needs from outside
(process start to the "ready" line) or reads the figure from the line.

    python -m benchmarks.ui_probes empty-window
    python -m benchmarks.ui_probes app-window DATA_DIR < KEYRING_JSON
    python -m benchmarks.ui_probes memory DATA_DIR < KEYRING_JSON
    python -m benchmarks.ui_probes stall DATA_DIR CSV_FILE

`app-window` and `memory` open a keychain vault: the parent passes the entries of its in-memory
keyring (a fake standing in for the OS keychain, named as such) on stdin, so the app's own
unlock path runs without Argon2id, as it does with a real keychain.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class ProbeKeyring:
    """An in-memory keyring (a fake for the OS keychain, named so), kept here rather than
    imported from benchmarks.context so a probe's start-up imports only what the app does."""

    is_test_fake_secure = True

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def _say(**figures: object) -> None:
    print(json.dumps(figures), flush=True)


def empty_window() -> int:
    """The limit for start-up: an empty PySide6 main window, up to its first paint."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    _wait_painted(app, window)
    _say(ready=True)
    QTimer.singleShot(0, app.quit)
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
    return 0


def _wait_painted(app: object, window: object) -> None:
    """Until the window is exposed and one paint has gone through the event loop."""
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(app, QApplication) and isinstance(window, QWidget)
    deadline = time.monotonic() + 30
    while not window.isVisible() and time.monotonic() < deadline:
        app.processEvents()
    window.repaint()
    app.processEvents()


def _start_app(data_dir: str) -> tuple[object, object, float]:
    """The app's own start, as `ui.app.main` does it: QApplication, theme, worker, the main
    window over the vault's folder (the vault opens on the worker behind it); until the window
    has painted and the event loop has gone round once more.

    Returns the application, the controller and `time.perf_counter()` at that moment (the
    parent times the whole process from outside).
    """
    from PySide6.QtCore import QSettings

    from journal_desktop.ui.app import AppController, create_application
    from journal_desktop.ui.tasks import VaultTasks
    from journal_desktop.ui.theme import ThemeManager

    keyring = ProbeKeyring()
    for service, username, password in json.load(sys.stdin):
        keyring.set_password(service, username, password)
    app = create_application([])
    theme = ThemeManager(app)
    theme.set_mode("system")
    tasks = VaultTasks()
    settings_file = str(Path(data_dir).parent / "probe-settings.ini")
    settings = QSettings(settings_file, QSettings.Format.IniFormat)
    controller = AppController(tasks, Path(data_dir), keyring, settings=settings, theme=theme)
    controller.start()
    deadline = time.monotonic() + 120
    while controller.window is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    if controller.window is None:
        raise SystemExit("the main window did not open")
    _wait_painted(app, controller.window)
    return app, controller, time.perf_counter()


def _wait_idle(app: object, tasks: object, limit: float = 300.0) -> None:
    from PySide6.QtWidgets import QApplication

    from journal_desktop.ui.tasks import VaultTasks

    assert isinstance(app, QApplication) and isinstance(tasks, VaultTasks)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        app.processEvents()
        if not tasks.busy:
            app.processEvents()
            if not tasks.busy:
                return
        time.sleep(0.001)


def app_window(data_dir: str) -> int:
    """Start-up: the app over a vault of 100k trades, to the painted main window ("ready"),
    then on to the dashboard showing its figures ("loaded"): the vault opened on the worker,
    the dashboard's module imported and the screen built, its first read of the vault shown.
    """
    app, controller, painted = _start_app(data_dir)
    _say(ready=True)
    window = controller.window  # type: ignore[attr-defined]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not _figures_shown(window.screen_if_built(0)):
        app.processEvents()
        time.sleep(0.001)
    dashboard = window.screen_if_built(0)
    if not _figures_shown(dashboard):
        page = window.current_screen
        raise SystemExit(
            "the dashboard did not show its figures: "
            f"vault open {controller.tasks.is_open}, locked {window.is_locked}, "  # type: ignore[attr-defined]
            f"page {type(page).__name__}, dashboard built {dashboard is not None}, "
            f"status {getattr(getattr(dashboard, 'status', None), 'text', lambda: '')()!r}, "
            f"page text {getattr(getattr(page, 'label', None), 'text', lambda: '')()!r}"
        )
    loaded = time.perf_counter()
    _say(loaded=True, painted_to_loaded_s=loaded - painted)
    controller.tasks.shutdown()  # type: ignore[attr-defined]
    return 0


def _figures_shown(dashboard: object) -> bool:
    """The dashboard is built and shows figures read from the vault (not "Opening…")."""
    return getattr(dashboard, "reload_count", 0) > 0 and not getattr(dashboard, "loading", True)


def memory(data_dir: str) -> int:
    """Resident memory with the trades view over 100k trades, scrolled end to end."""
    from PySide6.QtWidgets import QTableView

    app, controller, _ = _start_app(data_dir)
    window = controller.window  # type: ignore[attr-defined]
    tasks = controller.tasks  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    while not tasks.is_open and time.monotonic() < deadline:  # it opens behind the window
        app.processEvents()
        time.sleep(0.001)
    index = [spec.class_name for spec in window.specs].index("TradesScreen")
    window.show_screen(index)
    _wait_idle(app, tasks)
    view = window.current_screen.findChild(QTableView)
    rows = view.model().rowCount()
    steps = 60
    for step in range(steps + 1):
        view.scrollTo(view.model().index(min(rows - 1, rows * step // steps), 0))
        _wait_idle(app, tasks)
    status = Path("/proc/self/status").read_text()
    figures = {
        line.split(":")[0]: int(line.split()[1]) * 1024
        for line in status.splitlines()
        if line.startswith(("VmRSS", "VmHWM"))
    }
    _say(rows=rows, rss_bytes=figures.get("VmRSS"), peak_rss_bytes=figures.get("VmHWM"))
    tasks.shutdown()
    return 0


def stall(data_dir: str, csv_file: str) -> int:
    """The longest time the GUI thread could not run while 100k executions import.

    A 1 ms timer on the GUI thread records the largest gap between its ticks while the worker
    reads, parses and dry-runs the file (the preview) and then imports it, through the import
    screen's own functions, reporting progress to a progress bar as the app does. The
    vault is a keychain vault (an in-memory keyring, named as such), so the figure is about
    the import, not about Argon2id.
    """
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication, QProgressBar

    from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths
    from journal_desktop.ui.import_flow import ImportOptions, prepare, run_import
    from journal_desktop.ui.tasks import Progress, VaultTasks

    app = QApplication([])
    bar = QProgressBar()
    bar.show()
    tasks = VaultTasks()
    env = KeyEnvironment(ProbeKeyring())
    tasks.open(lambda: Vault.init(VaultPaths(Path(data_dir)), env, KeyStorage.KEYCHAIN))
    while tasks.busy:
        app.processEvents()

    def work(vault: Vault, progress: Progress) -> int:
        # The import screen's own path: read, parse and dry-run for the preview, then import.
        options = ImportOptions(format_name="generic", timezone="America/New_York")
        report = lambda done, total: progress.report(done, total, "")  # noqa: E731
        prepared = prepare(vault, Path(csv_file), options, progress.check, report)
        summary = run_import(vault, prepared, progress.check, report)
        return summary.new_executions

    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(1)

    def tick() -> None:
        gaps.append(clock.restart() / 1000.0)

    ticker.timeout.connect(tick)
    done: list[object] = []
    started = time.perf_counter()
    clock.start()
    ticker.start()
    tasks.run_with_progress(
        work,
        on_progress=lambda d, t, _text: (bar.setMaximum(max(t, 1)), bar.setValue(d)),
        on_success=done.append,
        on_failure=done.append,
    )
    deadline = time.monotonic() + 600
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.0005)  # leave the GIL to the worker, as an idle event loop does
    ticker.stop()
    elapsed = time.perf_counter() - started
    tasks.shutdown()
    if not done or not isinstance(done[0], int):
        _say(error=f"import did not finish: {done[0] if done else 'timeout'!r}")
        return 1
    worst = max(gaps[1:] or [0.0])
    _say(longest_stall_s=worst, import_s=elapsed, ticks=len(gaps), imported=done[0])
    return 0


def main(argv: list[str]) -> int:
    probes = {
        "empty-window": empty_window,
        "app-window": app_window,
        "memory": memory,
        "stall": stall,
    }
    if not argv or argv[0] not in probes:
        print(f"usage: python -m benchmarks.ui_probes {'|'.join(probes)} ...", file=sys.stderr)
        return 2
    return probes[argv[0]](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
