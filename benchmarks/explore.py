"""`--explore`: how SQLCipher settings move the insert and dashboard figures.

Settings that change the file format (`cipher_page_size`, `cipher_use_hmac`,
`cipher_hmac_algorithm`: fixed when a file is created, and to be given again on every open)
get their own 100k-trade files; cache size and memory security are runtime settings on the
app's format. Each row is measured in pairs with plain SQLite given the same non-cipher
settings (same page size, same cache size, same extra schema), the two sides of a pair run
back to back in alternating order, and the rows rotate from round to round. For the cold
dashboard the table also compares with the plain 4 KiB file the figures use ("cold@4k").

The insert column times one transaction with the first SLICE_ROWS trades on fresh files (the
full 100k per setting would take minutes); the dashboard columns run the figure's queries on
the 100k-trade files.

`cipher_memory_security = ON` cannot be switched off again in a process, so it is measured
last, after everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from benchmarks import databases
from benchmarks.context import BenchContext
from benchmarks.dashboard import DashboardSide, Opener
from benchmarks.dashboard_queries import AGGREGATE_INDEX
from benchmarks.databases import CipherSettings
from benchmarks.harness import measure_once, median
from benchmarks.trades_bulk import timed_bulk_insert
from journal_desktop.storage.database import CACHE_KIB

TARGET = 1.3
#: Trades per insert in the table (each setting on a fresh file, 3 paired runs).
SLICE_ROWS = 20_000
#: Memory security makes inserts ~20x slower, so its row inserts fewer.
MEMORY_SECURITY_SLICE_ROWS = 5_000


@dataclass(frozen=True, slots=True)
class Setting:
    label: str
    #: None for the control row: the SQLCipher build used without a key (plain format).
    cipher: CipherSettings | None
    plain_page_size: int = 4096
    plain_cache_kib: int = CACHE_KIB
    memory_security: bool = False
    recommendable: bool = True
    #: Statements added to the schema on both sides (a proposed schema change, not a setting).
    extra_schema: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("app now: 128 MiB cache, 4 KiB, SHA512", CipherSettings()),
    Setting(
        "cache_size 8 MB (SQLCipher default)", CipherSettings(cache_kib=8000), plain_cache_kib=8000
    ),
    Setting("cipher_page_size 8192", CipherSettings(page_size=8192), plain_page_size=8192),
    Setting("cipher_page_size 16384", CipherSettings(page_size=16384), plain_page_size=16384),
    Setting("hmac_algorithm HMAC_SHA256", CipherSettings(hmac_algorithm="HMAC_SHA256")),
    Setting(
        "HMAC_SHA256 + page 8192",
        CipherSettings(page_size=8192, hmac_algorithm="HMAC_SHA256"),
        plain_page_size=8192,
    ),
    Setting(
        "HMAC_SHA256 + page 16384",
        CipherSettings(page_size=16384, hmac_algorithm="HMAC_SHA256"),
        plain_page_size=16384,
    ),
    Setting(
        "schema: + covering index for stats",
        CipherSettings(),
        extra_schema=(AGGREGATE_INDEX,),
    ),
    Setting(
        "schema: + index, SHA256 + page 16384",
        CipherSettings(page_size=16384, hmac_algorithm="HMAC_SHA256"),
        plain_page_size=16384,
        extra_schema=(AGGREGATE_INDEX,),
    ),
    Setting(
        "cipher_use_hmac OFF (report only)", CipherSettings(use_hmac=False), recommendable=False
    ),
    Setting("control: SQLCipher build, no key", None, recommendable=False),
    Setting("cipher_memory_security ON", CipherSettings(), memory_security=True),
)


@dataclass
class Row:
    setting: Setting
    insert_rows: int
    insert_ratio: float
    cold_ours_s: float
    cold_ratio: float
    cold_ratio_vs_app_plain: float
    warm_ratio: float
    first_view_ratio: float
    extra: dict[str, Any] = field(default_factory=dict)

    def meets_targets(self) -> str:
        misses = [
            name
            for name, ratio in (
                ("insert", self.insert_ratio),
                ("cold", self.cold_ratio),
                ("warm", self.warm_ratio),
            )
            if ratio >= TARGET
        ]
        return "all" if not misses else "not " + ",".join(misses)

    def as_json(self) -> dict[str, Any]:
        cipher = self.setting.cipher
        return {
            "setting": self.setting.label,
            "cipher": None
            if cipher is None
            else {
                "cache_kib": cipher.cache_kib,
                "page_size": cipher.page_size,
                "use_hmac": cipher.use_hmac,
                "hmac_algorithm": cipher.hmac_algorithm,
                "memory_security": self.setting.memory_security,
            },
            "plain": {
                "page_size": self.setting.plain_page_size,
                "cache_kib": self.setting.plain_cache_kib,
            },
            "extra_schema": list(self.setting.extra_schema),
            "insert_rows": self.insert_rows,
            "insert_ratio": self.insert_ratio,
            "dashboard_cold_ours_s": self.cold_ours_s,
            "dashboard_cold_ratio": self.cold_ratio,
            "dashboard_cold_ratio_vs_plain_4k": self.cold_ratio_vs_app_plain,
            "dashboard_warm_ratio": self.warm_ratio,
            "first_view_ratio": self.first_view_ratio,
            "meets_targets": self.meets_targets(),
            "recommendable": self.setting.recommendable,
            **self.extra,
        }


def _connect_unkeyed(path: Path, *, create: bool = False, cache_kib: int = CACHE_KIB) -> Any:
    uri = path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
    connection = sqlcipher.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    for pragma in databases.shared_pragmas(cache_kib):
        connection.execute(pragma)
    return connection


def _connect_ours(ctx: BenchContext, setting: Setting, path: Path, *, create: bool) -> Any:
    if setting.cipher is None:
        return _connect_unkeyed(path, create=create)
    return databases.open_cipher(path, ctx.key, setting.cipher, create=create)


def _connect_plain(setting: Setting, path: Path, *, create: bool) -> Any:
    return databases.open_plain(
        path,
        create=create,
        cache_kib=setting.plain_cache_kib,
        page_size=setting.plain_page_size if create else None,
    )


def _new_schema(connection: Any, setting: Setting) -> None:
    databases.create_schema(connection)
    for statement in setting.extra_schema:
        connection.execute(statement)


class _Files:
    """One 100k-trade file per file format (ours) or page size (plain) and extra schema."""

    def __init__(self, ctx: BenchContext) -> None:
        self.ctx = ctx
        self.paths: dict[tuple[Any, ...], Path] = {}

    def _path(self, key: tuple[Any, ...], setting: Setting, connect: Callable[[Path], Any]) -> Path:
        if key not in self.paths:
            path = self.ctx.fresh_path(f"explore-{key[0]}")
            connection = connect(path)
            _new_schema(connection, setting)
            timed_bulk_insert(self.ctx, connection)
            databases.checkpoint_and_close(connection)
            self.paths[key] = path
        return self.paths[key]

    def ours(self, setting: Setting) -> Path:
        file_format = None if setting.cipher is None else setting.cipher.file_format
        return self._path(
            ("ours", file_format, setting.extra_schema),
            setting,
            lambda path: _connect_ours(self.ctx, setting, path, create=True),
        )

    def plain(self, setting: Setting) -> Path:
        return self._path(
            ("plain", setting.plain_page_size, setting.extra_schema),
            setting,
            lambda path: _connect_plain(setting, path, create=True),
        )

    def remove_all(self) -> None:
        for path in self.paths.values():
            databases.remove_database(path)


@dataclass
class _Pair:
    """One row's measurements: ours and its plain counterpart, taken back to back."""

    setting: Setting
    ours: DashboardSide
    plain: DashboardSide
    insert_rows: int
    insert_ours: list[float] = field(default_factory=list)
    insert_plain: list[float] = field(default_factory=list)
    view_ours: list[float] = field(default_factory=list)
    view_plain: list[float] = field(default_factory=list)


def _opener(connect: Callable[[], Any]) -> Opener:
    def opener() -> tuple[Any, Callable[[], None]]:
        connection = connect()
        return connection, connection.close

    return opener


def _make_pair(ctx: BenchContext, files: _Files, setting: Setting, insert_rows: int) -> _Pair:
    last_close = ctx.dataset.last_close
    ours_path = files.ours(setting)
    plain_path = files.plain(setting)
    ours = DashboardSide(
        _opener(lambda: _connect_ours(ctx, setting, ours_path, create=False)), last_close
    )
    plain = DashboardSide(
        _opener(lambda: _connect_plain(setting, plain_path, create=False)), last_close
    )
    return _Pair(setting, ours, plain, insert_rows)


def _slice_insert(
    ctx: BenchContext, connect: Callable[[Path], Any], setting: Setting, rows: int
) -> Callable[[], float]:
    def measure() -> float:
        path = ctx.fresh_path("explore-slice")
        connection = connect(path)
        try:
            _new_schema(connection, setting)
            return timed_bulk_insert(ctx, connection, rows)
        finally:
            connection.close()
            databases.remove_database(path)

    return measure


def _run_round(ctx: BenchContext, pair: _Pair, round_index: int) -> None:
    """Insert, cold/warm queries and first view, ours and plain back to back."""
    setting = pair.setting
    steps: list[tuple[Callable[[], float], Callable[[], float], list[float], list[float]]] = [
        (
            _slice_insert(
                ctx,
                lambda path: _connect_ours(ctx, setting, path, create=True),
                setting,
                pair.insert_rows,
            ),
            _slice_insert(
                ctx,
                lambda path: _connect_plain(setting, path, create=True),
                setting,
                pair.insert_rows,
            ),
            pair.insert_ours,
            pair.insert_plain,
        ),
        (pair.ours.per_query, pair.plain.per_query, [], []),
        (pair.ours.first_view, pair.plain.first_view, pair.view_ours, pair.view_plain),
    ]
    for ours, plain, ours_samples, plain_samples in steps:
        if round_index % 2 == 0:
            ours_samples.append(measure_once(ours))
            plain_samples.append(measure_once(plain))
        else:
            plain_samples.append(measure_once(plain))
            ours_samples.append(measure_once(ours))


def _row(pair: _Pair, app_plain: DashboardSide) -> Row:
    cold = median(pair.ours.cold_totals)
    return Row(
        pair.setting,
        pair.insert_rows,
        median(pair.insert_ours) / median(pair.insert_plain),
        cold,
        cold / median(pair.plain.cold_totals),
        cold / median(app_plain.cold_totals),
        median(pair.ours.warm_totals) / median(pair.plain.warm_totals),
        median(pair.view_ours) / median(pair.view_plain),
    )


def run(ctx: BenchContext) -> list[Row]:
    _ = ctx.encoded
    files = _Files(ctx)
    ordinary = [s for s in SETTINGS if not s.memory_security]
    late = [s for s in SETTINGS if s.memory_security]
    rounds = ctx.repeats(3)

    ctx.progress("explore: building a 100k-trade file per format (about 7 s each)")
    pairs = [_make_pair(ctx, files, setting, SLICE_ROWS) for setting in ordinary]

    ctx.progress(f"explore: {len(pairs)} settings, {rounds} rounds of paired measurements")
    for round_index in range(rounds):
        shift = round_index % len(pairs)
        for pair in pairs[shift:] + pairs[:shift]:
            _run_round(ctx, pair, round_index)
    app_plain = pairs[0].plain
    rows = [_row(pair, app_plain) for pair in pairs]

    for setting in late:
        ctx.progress("explore: cipher_memory_security ON (last: it stays on for the process)")
        probe = _connect_ours(ctx, setting, files.ours(setting), create=False)
        probe.execute("PRAGMA cipher_memory_security = ON")
        state = str(probe.execute("PRAGMA cipher_memory_security").fetchone()[0])
        probe.close()
        pair = _make_pair(ctx, files, setting, MEMORY_SECURITY_SLICE_ROWS)
        for round_index in range(rounds):
            _run_round(ctx, pair, round_index)
        row = _row(pair, app_plain)
        row.extra["memory_security_reported"] = state
        rows.append(row)

    files.remove_all()
    return rows


def print_table(rows: list[Row]) -> None:
    print()
    print("explore: ratios to plain SQLite with the same page size, cache size and schema;")
    print("         cold@4k: ours against the plain 4 KiB file the figures use;")
    print(f"         insert: one transaction of {SLICE_ROWS:,} trades on a fresh file")
    header = (
        f"  {'setting':<38} {'insert':>7} {'cold ms':>8} {'cold':>6} {'cold@4k':>7}"
        f" {'warm':>6} {'1st view':>8}  targets <{TARGET}x"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for row in rows:
        insert = f"{row.insert_ratio:.2f}x" + ("" if row.insert_rows == SLICE_ROWS else "*")
        verdict = row.meets_targets() if row.setting.recommendable else "(not a candidate)"
        print(
            f"  {row.setting.label:<38} {insert:>7} {row.cold_ours_s * 1000:>8.0f}"
            f" {row.cold_ratio:>5.2f}x {row.cold_ratio_vs_app_plain:>6.2f}x"
            f" {row.warm_ratio:>5.2f}x {row.first_view_ratio:>7.2f}x  {verdict}"
        )
    if any(row.insert_rows != SLICE_ROWS for row in rows):
        print(f"  * insert of {MEMORY_SECURITY_SLICE_ROWS:,} trades (memory security is slow)")
