"""The trades screen's list query over a 100,000-trade vault: first page and a deep page.

Run: `python -m benchmarks.trade_list_bench [TRADES]`. Builds a real SQLCipher vault (the
dataset's trades stored with the repository's own encoding and INSERT), reopens it so the page
cache starts cold, then times, per sort: `count()` + `page(0, 500)` on a new query (this reads
the order), and `page(90_000, 500)` on the same query. Prints milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.context import InMemoryKeyring
from benchmarks.dataset import make_dataset, stamped
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.trade_list import (
    SortKey,
    TradeListFilter,
    TradeListQuery,
    TradeSort,
)
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment

PAGE = 500


def build(paths: VaultPaths, env: KeyEnvironment, count: int) -> None:
    data = make_dataset(count)
    with Vault.init(paths, env, KeyStorage.KEYCHAIN) as vault:
        vault.accounts.add_many(list(data.accounts))
        vault.instruments.add_many(list(data.instruments))
        trades = stamped(list(data.trades))
        repo = vault.trades
        with vault.transaction():
            vault.db.execute_many(repo._insert, [repo.encode(t) for t in trades])


def timed(work: Callable[[], object], runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(count: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = VaultPaths(Path(folder) / "vault")
        env = KeyEnvironment(InMemoryKeyring())
        started = time.perf_counter()
        build(paths, env, count)
        print(f"built {count:,} trades in {time.perf_counter() - started:.1f} s")
        with Vault.open(paths, env) as vault:
            cases = [
                ("opened desc (default)", TradeListFilter(), TradeSort()),
                ("net P&L desc", TradeListFilter(), TradeSort(SortKey.NET, True)),
                ("symbol asc", TradeListFilter(), TradeSort(SortKey.SYMBOL, False)),
                ("tags asc", TradeListFilter(), TradeSort(SortKey.TAGS, False)),
                ("search 'patience'", TradeListFilter(search="patience"), TradeSort()),
                ("symbol 'AAP' + long", TradeListFilter(symbol="AAP"), TradeSort(SortKey.R)),
            ]
            cold = time.perf_counter()
            first = TradeListQuery(vault.db)
            total = first.count()
            first.page(0, PAGE)
            print(f"cold cache: count()+page(0) {1000 * (time.perf_counter() - cold):.1f} ms")
            for name, flt, sort in cases:

                def first_page(flt: TradeListFilter = flt, sort: TradeSort = sort) -> None:
                    query = TradeListQuery(vault.db, flt, sort)
                    query.count()
                    query.page(0, PAGE)

                query = TradeListQuery(vault.db, flt, sort)
                n = query.count()
                deep = min(90_000, max(0, n - PAGE))
                query.page(0, PAGE)
                summary = timed(
                    lambda flt=flt, sort=sort: TradeListQuery(vault.db, flt, sort).summary()
                )
                print(
                    f"{name:24} rows {n:>7,}  count+page(0) {timed(first_page):7.1f} ms"
                    f"  page({deep:,}) {timed(lambda q=query, d=deep: q.page(d, PAGE)):6.1f} ms"
                    f"  summary {summary:6.1f} ms"
                )
            assert total == count


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
