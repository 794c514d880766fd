"""What the figures share in one run: a temporary folder, a key, the data set, its rows."""

from __future__ import annotations

import gc
import os
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from benchmarks import databases
from benchmarks.dataset import Dataset, make_dataset, stamped
from journal_desktop.domain.hlc import HybridLogicalClock
from journal_desktop.storage.audit import AuditLog
from journal_desktop.storage.database import Database
from journal_desktop.storage.keychain import KeyringBackend
from journal_desktop.storage.repositories import (
    AccountRepository,
    InstrumentRepository,
    StorageContext,
    TradeRepository,
)

BULK_TRADES = 100_000


class InMemoryKeyring:
    """A keychain held in a dict (a copy of the tests' InMemoryKeyringFake), so the full
    `Vault.open` path runs without an OS keychain. It declares itself secure on purpose."""

    is_test_fake_secure = True

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@dataclass(frozen=True, slots=True)
class EncodedTable:
    """Rows exactly as a repository writes them, with the repository's own INSERT."""

    table: str
    insert_sql: str
    rows: list[list[Any]]

    def head(self, count: int) -> EncodedTable:
        return EncodedTable(self.table, self.insert_sql, self.rows[:count])

    def insert_into(self, connection: Any) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(self.insert_sql, self.rows)
        connection.execute("COMMIT")


@dataclass(frozen=True, slots=True)
class EncodedDataset:
    accounts: EncodedTable
    instruments: EncodedTable
    trades: EncodedTable


class BenchContext:
    def __init__(self, workdir: Path, *, repeat_scale: float = 1.0, verbose: bool = False) -> None:
        self.workdir = workdir
        self.repeat_scale = repeat_scale
        self.verbose = verbose
        self.key = os.urandom(32)
        self.keyring: KeyringBackend = InMemoryKeyring()
        #: Set by the bulk insert figure: (SQLCipher file, plain file), each with 100k trades.
        self.bulk_pair: tuple[Path, Path] | None = None
        self._counter = 0
        self._started = time.perf_counter()

    def repeats(self, count: int) -> int:
        return max(3, round(count * self.repeat_scale))

    def fresh_path(self, stem: str, suffix: str = ".db") -> Path:
        """A new, unused path in the run's temporary folder."""
        self._counter += 1
        return self.workdir / f"{stem}-{self._counter}{suffix}"

    def progress(self, message: str) -> None:
        elapsed = time.perf_counter() - self._started
        print(f"  [{elapsed:5.0f} s] {message}", file=sys.stderr, flush=True)

    @cached_property
    def dataset(self) -> Dataset:
        self.progress(f"generating {BULK_TRADES:,} trades")
        data = make_dataset(BULK_TRADES)
        _freeze_heap()
        return data

    @cached_property
    def encoded(self) -> EncodedDataset:
        """The data set stamped once (version 1) and encoded once by the repositories."""
        data = self.dataset
        self.progress("stamping and encoding them with TradeRepository.encode")
        path = self.fresh_path("encoder")
        db = Database.open(path, self.key, create=True)
        try:
            context = StorageContext(db, HybridLogicalClock("b3c0de"), AuditLog(db, "bench"))
            accounts = AccountRepository(context)
            instruments = InstrumentRepository(context)
            trades = TradeRepository(context)
            encoded = EncodedDataset(
                EncodedTable(
                    "accounts",
                    accounts._insert,
                    [accounts.encode(r) for r in stamped(data.accounts)],
                ),
                EncodedTable(
                    "instruments",
                    instruments._insert,
                    [instruments.encode(r) for r in stamped(data.instruments)],
                ),
                EncodedTable(
                    "trades", trades._insert, [trades.encode(r) for r in stamped(data.trades)]
                ),
            )
            _freeze_heap()
            return encoded
        finally:
            db.close()
            databases.remove_database(path)


def _freeze_heap() -> None:
    """Move the long-lived data set out of the collector's sight, so the `gc.collect()` before
    each measurement stays cheap (with millions of live objects it takes ~0.3 s)."""
    gc.collect()
    gc.freeze()
