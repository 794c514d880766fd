"""Figure 1: open the vault and run the dashboard's first queries, against plain SQLite.

Ours: `Database.open(path, raw key)` (header check, connect, key, key proof, pragmas, WAL) and
the first queries (trade count, the 50 most recently closed trades) on a vault holding 10,000
trades written through the repositories (so with their audit entries). Limit: `sqlite3.connect` of a
plain file with the same schema and rows, the same non-cipher pragmas, the same queries.

Informational: the full `Vault.open` (metadata, key from an in-memory keychain, key check,
migration check, settings) plus the same queries; the same open with the 50 newest trades by
open time, which no index serves (a whole-table read); and the Argon2id passphrase unlock, which
is slow on purpose and is not compared with anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks import databases
from benchmarks.context import BenchContext, InMemoryKeyring
from benchmarks.dashboard_queries import FIRST_QUERIES, SCANNING_FIRST_QUERIES
from benchmarks.harness import Result, Stopwatch, interleave
from journal_desktop.storage import vault_keys
from journal_desktop.storage.database import Database
from journal_desktop.storage.keychain import Keychain
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault, read_metadata
from journal_desktop.storage.vault_keys import KeyEnvironment

OPEN_TRADES = 10_000
PASSPHRASE = "correct horse battery staple benchmark"  # a throwaway vault made for the run


def _first_queries(connection: Any, queries: dict[str, str] = FIRST_QUERIES) -> int:
    rows = 0
    for sql in queries.values():
        rows += len(connection.execute(sql).fetchall())
    return rows


def _build_vault(ctx: BenchContext) -> tuple[VaultPaths, KeyEnvironment, bytes]:
    data = ctx.dataset
    paths = VaultPaths(ctx.workdir / "open-vault")
    env = KeyEnvironment(backend=ctx.keyring)
    ctx.progress(f"building a vault with {OPEN_TRADES:,} trades through the repositories")
    with Vault.init(paths, env, KeyStorage.KEYCHAIN) as vault:
        vault.accounts.add_many(data.accounts)
        vault.instruments.add_many(data.instruments)
        vault.trades.add_many(data.trades[:OPEN_TRADES])
        vault.db.checkpoint()
    key = Keychain(ctx.keyring).fetch(read_metadata(paths).vault_id)
    if key is None:
        raise RuntimeError("the in-memory keychain lost the benchmark vault's key")
    return paths, env, key


def _plain_copy(ctx: BenchContext, paths: VaultPaths, key: bytes) -> Path:
    plain_path = ctx.workdir / "open-plain.db"
    source = Database.open(paths.database, key)
    target = databases.create_plain_db(plain_path)
    try:
        databases.copy_tables(source.raw, target)
    finally:
        source.close()
        databases.checkpoint_and_close(target)
    return plain_path


def _passphrase_vault(ctx: BenchContext) -> tuple[VaultPaths, KeyEnvironment]:
    paths = VaultPaths(ctx.workdir / "passphrase-vault")
    env = KeyEnvironment(backend=InMemoryKeyring(), passphrase=lambda: PASSPHRASE)
    Vault.init(paths, env, KeyStorage.PASSPHRASE).close()
    return paths, env


def run(ctx: BenchContext) -> list[Result]:
    paths, env, key = _build_vault(ctx)
    plain_path = _plain_copy(ctx, paths, key)

    def ours() -> float:
        with Stopwatch() as sw:
            db = Database.open(paths.database, key)
            _first_queries(db.raw)
        db.close()
        return sw.elapsed

    def full_vault() -> float:
        with Stopwatch() as sw:
            vault = Vault.open(paths, env)
            _first_queries(vault.db.raw)
        vault.close()
        return sw.elapsed

    def limit() -> float:
        with Stopwatch() as sw:
            connection = databases.open_plain(plain_path)
            _first_queries(connection)
        connection.close()
        return sw.elapsed

    def ours_scanning() -> float:
        with Stopwatch() as sw:
            db = Database.open(paths.database, key)
            _first_queries(db.raw, SCANNING_FIRST_QUERIES)
        db.close()
        return sw.elapsed

    def limit_scanning() -> float:
        with Stopwatch() as sw:
            connection = databases.open_plain(plain_path)
            _first_queries(connection, SCANNING_FIRST_QUERIES)
        connection.close()
        return sw.elapsed

    ctx.progress("timing open + first queries")
    repeats = ctx.repeats(40)
    ours_s, full_s, limit_s = interleave([ours, full_vault, limit], repeats, warmup=3)
    scan_ours_s, scan_limit_s = interleave([ours_scanning, limit_scanning], ctx.repeats(15))

    pass_paths, pass_env = _passphrase_vault(ctx)
    pass_metadata = read_metadata(pass_paths)

    def unlock() -> float:
        with Stopwatch() as sw:
            vault_keys.load_key(pass_paths, pass_metadata, pass_env)
        return sw.elapsed

    ctx.progress("timing the Argon2id passphrase unlock")
    (unlock_s,) = interleave([unlock], ctx.repeats(5), warmup=1)

    what = (
        f"Database.open(raw key) + trade count + 50 most recently closed trades, "
        f"vault of {OPEN_TRADES:,} trades"
    )
    return [
        Result("open + first query", ours_s, limit_s, 2.0, what=what),
        Result(
            "Vault.open + first query",
            full_s,
            limit_s,
            None,
            what="Vault.open with the key from an in-memory keychain fake, same queries",
            note="full path, keychain fake",
        ),
        Result(
            "open + newest by open time",
            scan_ours_s,
            scan_limit_s,
            None,
            what="as figure 1 but ORDER BY opened_at: no (deleted, opened_at) index, so a scan",
            note="whole-table scan: no index on (deleted, opened_at)",
        ),
        Result(
            "passphrase unlock",
            unlock_s,
            None,
            None,
            what="vault_keys.load_key in passphrase mode: Argon2id (64 MiB, t=3, p=4) + AES-GCM",
            note="Argon2id, deliberate; add it to the open above",
        ),
    ]
