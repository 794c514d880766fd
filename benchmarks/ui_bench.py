"""Figures for the desktop app over 100,000 trades: start-up, memory, GUI stalls on import.

- Start to an interactive main window over a vault of 100k trades, against an empty PySide6
  main window started the same way (a fresh interpreter, timed from spawn to its "ready"
  line). Ours is the app's own start as `ui.app.main` does it (QApplication, theme, worker,
  the main window over the vault's folder) up to the moment the window has painted and the
  event loop has gone round once more: the sidebar and menus answer, the shown screen's page
  says "Opening your journal…", and the vault is being opened (keychain key, SQLCipher) on
  the worker behind it. Target: under 2x. Beside it, how long after that the dashboard shows
  its figures: the vault open, the dashboard's module imported and the screen built, its
  first read of the 100k trades on screen.
- Resident memory of the app with the trades view over 100k trades, scrolled from top to
  bottom in 60 steps so the lazy model loads pages all the way down. Target: under 300 MB.
- The longest stall of the GUI thread while 100k executions (generic CSV) are parsed and
  imported on the worker, with a progress bar updating. Target: under 50 ms.

Each measurement runs in its own process (`benchmarks/ui_probes.py`). The keychain is an
in-memory keyring (a fake, named so) whose entries are handed to the probe, so start-up runs
the app's keychain unlock without a desktop keyring daemon.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.context import BenchContext, InMemoryKeyring
from benchmarks.harness import Result
from benchmarks.import_bench import make_file
from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths

TRADES = 100_000
START_TARGET = 2.0
MEMORY_LIMIT_BYTES = 300 * 1024 * 1024
STALL_LIMIT_S = 0.050
PROBE_TIMEOUT_S = 900


def _probe_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Bytecode is cached as an installed app's would be (in the run's folder, not the tree);
    # the first round of each side is a warm-up that fills the cache.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    config = workdir / "probe-config"
    config.mkdir(exist_ok=True)
    env["XDG_CONFIG_HOME"] = str(config)
    return env


def _spawn(args: list[str], workdir: Path, stdin: str = "") -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.ui_probes", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_probe_env(workdir),
    )
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    return process


def _lines(process: subprocess.Popen[str]) -> list[dict[str, Any]]:
    assert process.stdout is not None
    lines = [json.loads(line) for line in process.stdout if line.strip().startswith("{")]
    if process.wait(PROBE_TIMEOUT_S) != 0:
        raise RuntimeError(f"probe {process.args!r} failed with status {process.returncode}")
    return lines


def _time_to_ready(
    args: list[str], workdir: Path, stdin: str = ""
) -> tuple[float, list[dict[str, Any]]]:
    """Seconds from spawning the probe to its first JSON line, and every line it printed."""
    started = time.perf_counter()
    process = _spawn(args, workdir, stdin)
    assert process.stdout is not None
    first = process.stdout.readline()
    elapsed = time.perf_counter() - started
    rest = _lines(process)
    return elapsed, [json.loads(first), *rest]


def build_vault(ctx: BenchContext) -> tuple[Path, str]:
    """A keychain vault of 100k trades; returns its folder and the keyring entries as JSON."""
    keyring = InMemoryKeyring()
    paths = VaultPaths(ctx.workdir / "ui-vault")
    data = ctx.dataset
    ctx.progress(f"building a vault of {TRADES:,} trades for the desktop figures")
    with Vault.init(paths, KeyEnvironment(keyring), KeyStorage.KEYCHAIN) as vault:
        vault.accounts.add_many(data.accounts)
        vault.instruments.add_many(data.instruments)
        vault.trades.add_many(data.trades[:TRADES])
        vault.db.checkpoint()
    entries = [[s, u, p] for (s, u), p in keyring.entries.items()]
    return paths.data_dir, json.dumps(entries)


def start_figures(ctx: BenchContext, data_dir: Path, keyring: str) -> list[Result]:
    repeats = ctx.repeats(5)
    ctx.progress(f"timing start-up against an empty window, {repeats} rounds after a warm-up")
    _time_to_ready(["app-window", str(data_dir)], ctx.workdir, keyring)
    _time_to_ready(["empty-window"], ctx.workdir)
    ours: list[float] = []
    limit: list[float] = []
    loaded: list[float] = []
    for round_index in range(repeats):
        order = ["ours", "limit"] if round_index % 2 == 0 else ["limit", "ours"]
        for side in order:
            if side == "ours":
                seconds, lines = _time_to_ready(["app-window", str(data_dir)], ctx.workdir, keyring)
                ours.append(seconds)
                loaded.extend(
                    line["painted_to_loaded_s"] for line in lines if "painted_to_loaded_s" in line
                )
            else:
                seconds, _ = _time_to_ready(["empty-window"], ctx.workdir)
                limit.append(seconds)
    return [
        Result(
            "app start, 100k trades",
            ours,
            limit,
            START_TARGET,
            what="spawn to the painted main window answering input (vault opening behind it)",
            note=f"dashboard figures arrive {sorted(loaded)[len(loaded) // 2]:.2f} s later"
            if loaded
            else "",
        )
    ]


def memory_figure(ctx: BenchContext, data_dir: Path, keyring: str) -> Result:
    ctx.progress("measuring resident memory with the trades view scrolled through 100k trades")
    _, lines = _time_to_ready(["memory", str(data_dir)], ctx.workdir, keyring)
    figures = next(line for line in lines if "rss_bytes" in line)
    rss = float(figures["rss_bytes"])
    peak = float(figures["peak_rss_bytes"])
    return Result(
        "memory, trades view 100k",
        [rss],
        [float(MEMORY_LIMIT_BYTES)],
        1.0,
        what="VmRSS after scrolling the trades view end to end (limit: 300 MB)",
        note=f"{rss / 2**20:.0f} MB resident, peak {peak / 2**20:.0f} MB, {figures['rows']:,} rows",
        unit="bytes",
    )


def stall_figure(ctx: BenchContext) -> Result:
    csv_file = ctx.workdir / "ui-executions.csv"
    csv_file.write_bytes(make_file())
    repeats = max(1, ctx.repeats(2) - 1)
    stalls: list[float] = []
    notes: list[str] = []
    for n in range(repeats):
        ctx.progress(f"importing 100k executions with the GUI thread watched ({n + 1}/{repeats})")
        data_dir = ctx.workdir / f"ui-stall-{n}"
        _, lines = _time_to_ready(["stall", str(data_dir), str(csv_file)], ctx.workdir)
        figures = lines[0]
        if "error" in figures:
            raise RuntimeError(figures["error"])
        stalls.append(float(figures["longest_stall_s"]))
        notes.append(f"import {figures['import_s']:.1f} s")
    return Result(
        "GUI stall, import 100k",
        stalls,
        [STALL_LIMIT_S] * len(stalls),
        1.0,
        what="longest gap between 1 ms GUI timer ticks during the import (limit: 50 ms)",
        note=", ".join(notes),
    )


def run(ctx: BenchContext) -> list[Result]:
    data_dir, keyring = build_vault(ctx)
    results = start_figures(ctx, data_dir, keyring)
    results.append(memory_figure(ctx, data_dir, keyring))
    results.append(stall_figure(ctx))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ui_bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["start", "memory", "stall"], action="append")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="journal-ui-bench-") as workdir:
        ctx = BenchContext(Path(workdir), repeat_scale=0.5 if args.quick else 1.0)
        only = args.only or ["start", "memory", "stall"]
        results: list[Result] = []
        if "start" in only or "memory" in only:
            data_dir, keyring = build_vault(ctx)
            if "start" in only:
                results.extend(start_figures(ctx, data_dir, keyring))
            if "memory" in only:
                results.append(memory_figure(ctx, data_dir, keyring))
        if "stall" in only:
            results.append(stall_figure(ctx))
        for result in results:
            print(result.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
