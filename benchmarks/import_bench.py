"""Figure: import 100,000 executions (generic CSV) into the vault, against parsing the file.

Ours is the whole path a trader's import takes: decode the bytes, detect and parse the generic
format (exact decimals, New York times to UTC), resolve accounts and instruments, fingerprint
every fill and look the fingerprints up, store the executions with their batch and the
original file, match them into round trips and store those trades, and write the batch's
audit entry (one per import, with its counts and a digest of the ids it added), in one
transaction on a fresh SQLCipher vault. The limit is the stdlib `csv` module merely reading
the same file (`csv.DictReader` over the decoded text). Target: under 4x.

Informational: the parse alone (our importer, no storage).

Why the figure misses its target (measured with storage/importing.py's phases): the limit
is one C loop over the text. Ours must also turn every row into exact Decimals and a UTC time
(about 6x the limit on its own), hash 100,000 fingerprints, insert 100,000 execution rows and
50,000 trade rows into SQLCipher with their indexes and the FTS trigger (each insert alone
costs several times the limit), and match every fill in exact decimal arithmetic, building a
validated Trade record per round trip. Each of these is a multiple of the limit, so their
sum cannot be 4x.

Run alone with `python -m benchmarks.import_bench [--quick]`; `run(ctx)` is the figure for
`benchmarks/__main__.py`.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.context import BenchContext, InMemoryKeyring
from benchmarks.harness import Result, interleave
from journal_desktop.importers import parse_file
from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths
from journal_desktop.storage.importing import import_parsed

EXECUTIONS = 100_000
TARGET = 4.0
SYMBOLS = [f"S{n:03d}" for n in range(60)]


def make_file(count: int = EXECUTIONS) -> bytes:
    """A generic CSV of round trips: buy then sell 100 shares, commissions and fees."""
    out = io.StringIO()
    out.write("Date,Time,Symbol,Quantity,Price,Side,Commission,TransFee,ECNFee\n")
    start = datetime(2022, 1, 3, 9, 30)
    for n in range(count):
        when = start + timedelta(seconds=7 * n)
        symbol = SYMBOLS[(n // 2) % len(SYMBOLS)]
        side = "Buy" if n % 2 == 0 else "Sell"
        cents = 10_000 + (n * 37) % 5_000
        out.write(
            f"{when:%m/%d/%Y},{when:%H:%M:%S},{symbol},100,{cents // 100}.{cents % 100:02d},"
            f"{side},1.00,0.02,0.003\n"
        )
    return out.getvalue().encode()


def _stdlib_parse(data: bytes) -> int:
    return sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _import_once(data: bytes, workdir: Path, counter: list[int]) -> None:
    counter[0] += 1
    paths = VaultPaths(workdir / f"import-{counter[0]}")
    env = KeyEnvironment(InMemoryKeyring())
    with Vault.init(paths, env, KeyStorage.KEYCHAIN) as vault:
        parsed = parse_file(data, "executions.csv", format_name="generic")
        summary = import_parsed(vault, parsed, data, "executions.csv", timezone="America/New_York")
        assert summary.new_executions == len(parsed.executions)


def _timed(action: Callable[[], object]) -> Callable[[], float]:
    """A measurement for `interleave`: runs the action, returns its seconds."""

    def measure() -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    return measure


def run(ctx: BenchContext) -> list[Result]:
    data = make_file()
    repeats = ctx.repeats(3)
    ctx.progress(f"timing an import of {EXECUTIONS:,} executions, {repeats} rounds")
    counter = [0]
    ours, limit = interleave(
        [
            _timed(lambda: _import_once(data, ctx.workdir, counter)),
            _timed(lambda: _stdlib_parse(data)),
        ],
        repeats,
    )
    parse_only, limit_again = interleave(
        [
            _timed(lambda: parse_file(data, "executions.csv", format_name="generic")),
            _timed(lambda: _stdlib_parse(data)),
        ],
        repeats,
    )
    return [
        Result(
            "import 100k executions",
            ours,
            limit,
            TARGET,
            what="parse, store, match and store trades, audit the batch, one transaction",
        ),
        Result(
            "parse 100k executions (info)",
            parse_only,
            limit_again,
            None,
            what="the generic importer alone, no storage",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_bench")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        ctx = BenchContext(Path(workdir), repeat_scale=0.5 if args.quick else 1.0)
        for result in run(ctx):
            print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
