"""`python -m benchmarks [--json FILE] [--explore] [--all] [--only NAME ...] [--quick] [-v]`."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import (
    dashboard,
    databases,
    explore,
    import_bench,
    statistics_bench,
    sync_bench,
    trades_bulk,
    ui_bench,
    vault_open,
)
from benchmarks.context import BenchContext
from benchmarks.harness import Result

FIGURES: dict[str, Callable[[BenchContext], list[Result]]] = {
    "open": vault_open.run,
    "insert": trades_bulk.run,
    "dashboard": dashboard.run,
    "statistics": statistics_bench.run,
    "import": import_bench.run,
    "sync": sync_bench.run,
    "desktop": ui_bench.run,
}
#: What a plain run does (about 2.5 minutes on 2 cores). `statistics` adds about a minute,
#: `import` several and `sync` (a server on SQLite and on PostgreSQL) a few, so they run with
#: --all or --only NAME; so does `desktop` (app start, memory and GUI stalls, a few minutes).
DEFAULT_FIGURES = ("open", "insert", "dashboard")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Time the vault on SQLCipher against the same work on plain SQLite, in one run, "
            "and print each figure as a ratio to its target."
        ),
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results here")
    parser.add_argument(
        "--explore",
        action="store_true",
        help="after the figures, measure cache size, cipher_page_size, HMAC and memory "
        "security settings and print a table (adds about 7-8 minutes)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every figure, including statistics (about a minute more)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[*FIGURES, "explore"],
        metavar="NAME",
        help=f"run only these ({', '.join(FIGURES)}, explore); repeatable",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions (noisier; for trying things out)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="per-query breakdown")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any figure is OVER"
    )
    return parser.parse_args(argv)


def _header(ctx: BenchContext) -> dict[str, Any]:
    versions = databases.versions()
    cipher_path = ctx.fresh_path("pragma-check-cipher")
    plain_path = ctx.fresh_path("pragma-check-plain")
    cipher_db = databases.create_cipher_db(cipher_path, ctx.key)
    plain = databases.create_plain_db(plain_path)
    cipher_state = databases.pragma_state(cipher_db.raw)
    plain_state = databases.pragma_state(plain)
    cipher_db.close()
    plain.close()
    databases.remove_database(cipher_path)
    databases.remove_database(plain_path)
    print(
        f"SQLCipher {versions['sqlcipher']} (SQLite {versions['sqlcipher_sqlite']}, "
        f"{versions['sqlcipher_provider']}) vs stdlib sqlite3 (SQLite {versions['plain_sqlite']})"
        f"; Python {platform.python_version()}; {os.cpu_count()} CPUs"
    )
    shown = " ".join(f"{k}={v}" for k, v in cipher_state.items())
    if cipher_state == plain_state:
        print(f"same non-cipher pragmas on both sides: {shown}")
    else:
        print(f"WARNING: the sides differ: SQLCipher {cipher_state} vs plain {plain_state}")
    load = os.getloadavg()[0]
    busy = " (other work on the machine makes the figures noisier)"
    if load <= 0.5 * (os.cpu_count() or 1):
        busy = ""
    print(f"load average at start: {load:.2f}{busy}")
    print("times are medians of interleaved runs; ratio = ours / limit")
    print()
    return {
        **versions,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_at_start": load,
        "pragmas_cipher": cipher_state,
        "pragmas_plain": plain_state,
    }


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    default = FIGURES if args.all else DEFAULT_FIGURES
    selected = list(dict.fromkeys(args.only or default))
    if args.explore and "explore" not in selected:
        selected.append("explore")
    started = time.perf_counter()
    results: list[Result] = []
    rows: list[explore.Row] = []
    with tempfile.TemporaryDirectory(prefix="journal-bench-") as folder:
        ctx = BenchContext(
            Path(folder), repeat_scale=0.5 if args.quick else 1.0, verbose=args.verbose
        )
        environment = _header(ctx)
        for name in selected:
            if name == "explore":
                continue
            figure_results = FIGURES[name](ctx)
            for result in figure_results:
                print(result.line(), flush=True)
            if args.verbose and name == "dashboard":
                dashboard.print_breakdown(figure_results)
            results.extend(figure_results)
        if "explore" in selected:
            rows = explore.run(ctx)
            explore.print_table(rows)
    elapsed = time.perf_counter() - started
    print(f"\n(total {elapsed:.0f} s)")
    if args.json is not None:
        document = {
            "environment": environment,
            "total_s": elapsed,
            "load_average_at_end": os.getloadavg()[0],
            "figures": [r.as_json() for r in results],
            "explore": [r.as_json() for r in rows],
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    over = [r.name for r in results if r.verdict == "OVER"]
    return 1 if args.strict and over else 0


if __name__ == "__main__":
    sys.exit(main())
