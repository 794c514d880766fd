"""Figure 2: insert 100,000 trades in one transaction, against the same SQL on plain SQLite.

The trades are built once, stamped once (`stamp_new`) and encoded once with
`TradeRepository.encode`; what is timed is `BEGIN IMMEDIATE`, `executemany` of the
repository's own INSERT statement and `COMMIT`, on a fresh file with the vault schema (FTS5
triggers included) and the accounts and instruments already in place. Both sides use the
same non-cipher pragmas (WAL, synchronous FULL, cache size, secure_delete, foreign keys).

Informational: the full repository path, `vault.trades.add_many(records)` (stamping, encoding
and one audit entry per trade), on SQLCipher against the same bare SQL on plain SQLite.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from benchmarks import databases
from benchmarks.context import BULK_TRADES, BenchContext
from benchmarks.harness import Result, Stopwatch, interleave, settle
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment

#: The repository path takes ~3x as long as a bare insert; two runs keep the suite short.
REPOSITORY_RUNS = 2


def timed_bulk_insert(ctx: BenchContext, connection: Any, rows: int | None = None) -> float:
    """Seed the parent rows (untimed), then time one transaction with the trades (all of them,
    or the first `rows`)."""
    encoded = ctx.encoded
    encoded.accounts.insert_into(connection)
    encoded.instruments.insert_into(connection)
    trades = encoded.trades if rows is None else encoded.trades.head(rows)
    settle()
    with Stopwatch() as sw:
        trades.insert_into(connection)
    return sw.elapsed


class _Keeper:
    """Keeps the newest file of one side for the dashboard figure and removes the others."""

    def __init__(self) -> None:
        self.path: Path | None = None

    def keep(self, path: Path) -> None:
        if self.path is not None:
            databases.remove_database(self.path)
        self.path = path


def run(ctx: BenchContext) -> list[Result]:
    _ = ctx.encoded  # build the rows before any timing starts
    cipher_files = _Keeper()
    plain_files = _Keeper()

    def ours() -> float:
        path = ctx.fresh_path("bulk-cipher")
        db = databases.create_cipher_db(path, ctx.key)
        try:
            elapsed = timed_bulk_insert(ctx, db.raw)
            db.checkpoint()
        finally:
            db.close()
        cipher_files.keep(path)
        return elapsed

    def limit() -> float:
        path = ctx.fresh_path("bulk-plain")
        connection = databases.create_plain_db(path)
        try:
            elapsed = timed_bulk_insert(ctx, connection)
        finally:
            databases.checkpoint_and_close(connection)
        plain_files.keep(path)
        return elapsed

    def repository() -> float:
        data = ctx.dataset
        folder = ctx.fresh_path("bulk-vault", suffix="")
        paths = VaultPaths(folder)
        vault = Vault.init(paths, KeyEnvironment(backend=ctx.keyring), KeyStorage.KEYCHAIN)
        try:
            vault.accounts.add_many(data.accounts)
            vault.instruments.add_many(data.instruments)
            with Stopwatch() as sw:
                vault.trades.add_many(data.trades)
        finally:
            vault.close()
            shutil.rmtree(folder)
        return sw.elapsed

    repeats = ctx.repeats(3)
    repository_runs = min(REPOSITORY_RUNS, repeats)
    ctx.progress(
        f"timing {repeats} bulk inserts per side and {repository_runs} repository runs "
        "(roughly 6-10 s and 30 s each)"
    )
    # Rounds with all three sides first, then the bare pair alone; order rotates every round.
    ours_s, limit_s, repository_s = interleave([ours, limit, repository], repository_runs)
    more_ours, more_limit = interleave([ours, limit], repeats - repository_runs)
    ours_s += more_ours
    limit_s += more_limit
    if cipher_files.path is not None and plain_files.path is not None:
        ctx.bulk_pair = (cipher_files.path, plain_files.path)

    what = (
        f"BEGIN; executemany(TradeRepository INSERT, {BULK_TRADES:,} encoded rows); COMMIT, "
        "schema with FTS5 triggers, same non-cipher pragmas"
    )
    return [
        Result("insert 100k trades", ours_s, limit_s, 1.3, what=what),
        Result(
            "insert via add_many",
            repository_s,
            limit_s,
            None,
            what=(
                "vault.trades.add_many(100k unstamped records): stamp, encode, audit entries, "
                "on SQLCipher; limit: the bare SQL on plain SQLite"
            ),
            note=f"full repository path, {len(repository_s)} runs",
        ),
    ]


def ensure_bulk_pair(ctx: BenchContext) -> tuple[Path, Path]:
    """The 100k-trade files of both sides, built (untimed) if figure 2 did not run."""
    if ctx.bulk_pair is None:
        ctx.progress("building the 100k-trade files for the dashboard (untimed)")
        cipher_path = ctx.fresh_path("bulk-cipher")
        db = databases.create_cipher_db(cipher_path, ctx.key)
        try:
            timed_bulk_insert(ctx, db.raw)
            db.checkpoint()
        finally:
            db.close()
        plain_path = ctx.fresh_path("bulk-plain")
        connection = databases.create_plain_db(plain_path)
        try:
            timed_bulk_insert(ctx, connection)
        finally:
            databases.checkpoint_and_close(connection)
        ctx.bulk_pair = (cipher_path, plain_path)
    return ctx.bulk_pair
