"""Figure 3: the dashboard's aggregates over 100,000 trades, against plain SQLite.

Each query in `dashboard_queries.DASHBOARD` runs on a freshly opened connection (cold: the
page cache is empty, so SQLCipher must read and decrypt every page the query touches; the
operating system's file cache is warm for both sides) and then once more on the same
connection (warm). The figures are the totals over all queries. Ours opens with
`Database.open`; the limit is plain SQLite with the same pragmas on a file with the same rows.

The target applies to "first view": one fresh connection that runs all the queries in a row,
which is what the dashboard does right after unlock (the app keeps one connection open), and
to "warm". "Cold" per query is informational: a worst case the app never meets, since it makes
SQLCipher decrypt the whole table once per query.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from benchmarks import databases
from benchmarks.context import BenchContext
from benchmarks.dashboard_queries import DASHBOARD, parameters
from benchmarks.harness import Result, Stopwatch, interleave, median
from benchmarks.trades_bulk import ensure_bulk_pair
from journal_desktop.storage.database import Database

#: Opens a connection and returns it with the function that closes it.
Opener = Callable[[], tuple[Any, Callable[[], None]]]


class DashboardSide:
    """Runs the dashboard queries through one opener and keeps every sample."""

    def __init__(self, opener: Opener, last_close: datetime) -> None:
        self._opener = opener
        self._last_close = last_close
        self.cold: dict[str, list[float]] = {name: [] for name in DASHBOARD}
        self.warm: dict[str, list[float]] = {name: [] for name in DASHBOARD}
        self.cold_totals: list[float] = []
        self.warm_totals: list[float] = []

    def _run(self, connection: Any, name: str) -> float:
        sql = DASHBOARD[name]
        params = parameters(name, self._last_close)
        with Stopwatch() as sw:
            connection.execute(sql, params).fetchall()
        return sw.elapsed

    def per_query(self) -> float:
        """Every query cold on its own new connection, then warm; returns the cold total."""
        cold_total = warm_total = 0.0
        for name in DASHBOARD:
            connection, close = self._opener()
            try:
                cold = self._run(connection, name)
                warm = self._run(connection, name)
            finally:
                close()
            self.cold[name].append(cold)
            self.warm[name].append(warm)
            cold_total += cold
            warm_total += warm
        self.cold_totals.append(cold_total)
        self.warm_totals.append(warm_total)
        return cold_total

    def first_view(self) -> float:
        """Open one connection and run every query in a row (open included)."""
        with Stopwatch() as sw:
            connection, close = self._opener()
            for name in DASHBOARD:
                connection.execute(DASHBOARD[name], parameters(name, self._last_close)).fetchall()
        close()
        return sw.elapsed


def cipher_opener(path: Any, key: bytes) -> Opener:
    def opener() -> tuple[Any, Callable[[], None]]:
        db = Database.open(path, key)
        return db.raw, db.close

    return opener


def plain_opener(path: Any, **options: Any) -> Opener:
    def opener() -> tuple[Any, Callable[[], None]]:
        connection = databases.open_plain(path, **options)
        return connection, connection.close

    return opener


def per_query_table(ours: DashboardSide, limit: DashboardSide) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for name in DASHBOARD:
        cold_ours, cold_limit = median(ours.cold[name]), median(limit.cold[name])
        warm_ours, warm_limit = median(ours.warm[name]), median(limit.warm[name])
        table[name] = {
            "cold_ours_s": cold_ours,
            "cold_limit_s": cold_limit,
            "cold_ratio": cold_ours / cold_limit,
            "warm_ours_s": warm_ours,
            "warm_limit_s": warm_limit,
            "warm_ratio": warm_ours / warm_limit,
        }
    return table


def run(ctx: BenchContext) -> list[Result]:
    cipher_path, plain_path = ensure_bulk_pair(ctx)
    last_close = ctx.dataset.last_close
    ours = DashboardSide(cipher_opener(cipher_path, ctx.key), last_close)
    limit = DashboardSide(plain_opener(plain_path), last_close)

    repeats = ctx.repeats(4)
    ctx.progress(f"timing {len(DASHBOARD)} dashboard queries, cold and warm, {repeats} rounds")
    interleave([ours.per_query, limit.per_query], repeats)
    ctx.progress("timing the first view (one connection, all queries)")
    first_ours, first_limit = interleave([ours.first_view, limit.first_view], repeats)

    breakdown = per_query_table(ours, limit)
    queries = ", ".join(DASHBOARD)
    return [
        Result(
            "dashboard cold",
            ours.cold_totals,
            limit.cold_totals,
            None,
            what=f"sum of {len(DASHBOARD)} queries, each on a fresh connection ({queries})",
            details={"per_query": breakdown},
        ),
        Result(
            "dashboard warm",
            ours.warm_totals,
            limit.warm_totals,
            1.3,
            what="the same queries again on the same connections (page cache warm)",
            details={"per_query": breakdown},
        ),
        Result(
            "dashboard first view",
            first_ours,
            first_limit,
            1.3,
            what="open one connection and run all the queries in a row",
            note="one connection, open included",
        ),
    ]


def print_breakdown(results: list[Result]) -> None:
    for result in results:
        table = result.details.get("per_query")
        if result.name != "dashboard cold" or not table:
            continue
        print(
            f"    {'query':<16} {'cold ours':>10} {'cold limit':>10} {'ratio':>6}"
            f" {'warm ours':>10} {'warm limit':>10} {'ratio':>6}"
        )
        for name, row in table.items():
            print(
                f"    {name:<16} {row['cold_ours_s'] * 1000:>8.1f}ms"
                f" {row['cold_limit_s'] * 1000:>8.1f}ms {row['cold_ratio']:>5.2f}x"
                f" {row['warm_ours_s'] * 1000:>8.1f}ms"
                f" {row['warm_limit_s'] * 1000:>8.1f}ms {row['warm_ratio']:>5.2f}x"
            )
