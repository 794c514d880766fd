"""Numbered schema migrations, each applied in one transaction after a backup copy is taken.

`PRAGMA user_version` holds the number of the last migration applied. A vault whose number is
higher than any this code knows was written by a newer app and is left untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from journal_desktop.storage.database import Database
from journal_desktop.storage.migrations import (
    m0001_initial,
    m0002_import_batches,
    m0003_trade_facts,
    m0004_fts_written_trades,
    m0005_trade_facts_rowids,
)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Database], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", m0001_initial.apply),
    Migration(2, "import batches and execution fingerprints", m0002_import_batches.apply),
    Migration(3, "trade facts for the statistics", m0003_trade_facts.apply),
    Migration(4, "notes index of written trades only", m0004_fts_written_trades.apply),
    Migration(5, "trade facts keyed by rowids, lighter triggers", m0005_trade_facts_rowids.apply),
)

LATEST_VERSION = MIGRATIONS[-1].version
