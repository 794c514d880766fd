"""Scrolling the trades screen over 100,000 trades: GUI-thread stalls, page latency, memory.

Run: `QT_QPA_PLATFORM=offscreen python -m benchmarks.trades_scroll_bench [TRADES] [FOLDER]`.
Builds a vault (or reuses one built earlier in FOLDER), opens it on the real worker, shows the
real `TradesScreen`, then (1) jumps the scroll bar to 100 random positions, waiting each time
until the visible rows are loaded, and (2) drags it smoothly from top to bottom in 400 steps
without waiting. A 1 ms timer on the GUI thread records the longest gap between its ticks:
the longest the window could not respond. Prints that, the median and worst time for a jump's
rows to appear, and the process's resident memory.
"""

from __future__ import annotations

import pickle
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from PySide6.QtCore import QTimer  # noqa: TID251 - this figure measures the Qt view
from PySide6.QtWidgets import QApplication  # noqa: TID251

from benchmarks.context import InMemoryKeyring
from benchmarks.trade_list_bench import build
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.trade_table_model import LoadedRole
from journal_desktop.ui.trades_screen import TradesScreen


class StallMeter:
    """The longest gap between ticks of a 1 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(1)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.longest = 0.0
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


def pump_until(app: QApplication, done: object, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while not done() and time.perf_counter() < end:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.0005)


def main(count: int, folder: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    paths = VaultPaths(folder / "vault")
    keyring = InMemoryKeyring()
    saved_keys = folder / "keyring.pickle"
    if not paths.database.exists():
        build(paths, KeyEnvironment(keyring), count)
        saved_keys.write_bytes(pickle.dumps(keyring.entries))
    keyring.entries = pickle.loads(saved_keys.read_bytes())
    env = KeyEnvironment(keyring)
    tasks = VaultTasks()
    tasks.open(lambda: Vault.open(paths, env))
    pump_until(app, lambda: tasks.is_open and not tasks.busy)
    rss_before = psutil.Process().memory_info().rss

    screen = TradesScreen(tasks)
    screen.resize(1400, 900)
    started = time.perf_counter()
    screen.show()
    pump_until(app, lambda: screen.model.rowCount() > 0 and not tasks.busy)
    first = time.perf_counter() - started
    view, model = screen.view, screen.model
    bar = view.verticalScrollBar()
    print(f"{model.rowCount():,} trades; first rows shown after {first * 1000:.0f} ms")

    meter = StallMeter()
    meter.start()
    rng = random.Random(7)
    waits = []
    for _ in range(100):
        bar.setValue(rng.randrange(bar.maximum()))
        row = view.rowAt(view.viewport().height() // 2)
        began = time.perf_counter()
        pump_until(app, lambda row=row: bool(model.index(row, 0).data(LoadedRole)))
        waits.append(time.perf_counter() - began)
    jump_stall = meter.longest

    meter.start()
    for step in range(400):
        bar.setValue(bar.maximum() * step // 399)
        app.processEvents()
    bottom = view.rowAt(view.viewport().height() // 2)
    pump_until(app, lambda: bool(model.index(bottom, 0).data(LoadedRole)) and not tasks.busy)
    drag_stall = meter.longest
    rss = psutil.Process().memory_info().rss
    print(
        f"jumps: rows shown after median {statistics.median(waits) * 1000:.0f} ms, "
        f"worst {max(waits) * 1000:.0f} ms; longest GUI stall {jump_stall * 1000:.0f} ms"
    )
    print(f"smooth drag top to bottom: longest GUI stall {drag_stall * 1000:.0f} ms")
    print(
        f"resident memory {rss / 2**20:.0f} MiB "
        f"(vault open before the screen: {rss_before / 2**20:.0f} MiB); "
        f"pages cached {len(model.cached_pages())}"
    )
    tasks.shutdown()


if __name__ == "__main__":
    trades = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if len(sys.argv) > 2:
        main(trades, Path(sys.argv[2]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(trades, Path(tmp))
