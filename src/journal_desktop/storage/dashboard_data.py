"""Everything the dashboard shows for one filter, read in one go on the vault's worker thread.

The figures themselves come from `StatisticsQueries.statistics` (one read of the trades
table); this module only adds what that API does not give: the largest wins and losses as
trades the trader can open, the accounts to filter by, whether the vault has any trade at
all (so an empty journal and an empty date range read differently), and the equity curve as
plain float arrays ready to plot. The result is immutable and holds no Qt object, so it can
cross from the worker to the GUI thread as it is. numpy is imported on the worker at the first
read, not at start-up.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from journal_desktop.domain.statistics import Statistics, TradeFilter
from journal_desktop.storage import codec
from journal_desktop.storage import statistics_facts as facts

# The statistics' own parsing and close order, so the curve is in exactly their order.
from journal_desktop.storage.statistics_sql import StatisticsQueries, close_order, parse_ints
from journal_desktop.storage.vault import Vault

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: How many of the largest wins and losses the dashboard lists.
EXTREMES = 5


@dataclass(frozen=True, slots=True)
class ExtremeTrade:
    """One of the largest wins or losses, with what the list shows and the id to open it."""

    trade_id: uuid.UUID
    symbol: str
    closed_at: datetime
    net_pnl: Decimal


@dataclass(frozen=True, slots=True)
class AccountChoice:
    account_id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class DashboardData:
    """The dashboard's content for `filter`.

    `curve_times` are POSIX seconds of each close and `curve_equity` the cumulative net P&L
    after it, as float64 arrays (read-only): only the plot uses floats; every figure shown as
    text comes from the exact Decimals in `statistics`.
    """

    filter: TradeFilter
    statistics: Statistics
    curve_times: npt.NDArray[np.float64]
    curve_equity: npt.NDArray[np.float64]
    largest_wins: tuple[ExtremeTrade, ...]
    largest_losses: tuple[ExtremeTrade, ...]
    accounts: tuple[AccountChoice, ...]
    #: Whether the vault holds any trade at all, whatever the filter.
    vault_has_trades: bool


def load_dashboard(vault: Vault, flt: TradeFilter, *, extremes: int = EXTREMES) -> DashboardData:
    """Read the dashboard for `flt` (worker thread only): two reads of the matching trades."""
    tag_names = {t.id: t.name for t in vault.tags.list_all(include_deleted=True)}
    stats = StatisticsQueries(vault.db).statistics(flt, tz=flt.tz, tag_names=tag_names)
    path = read_path(vault, flt, extremes)
    accounts = tuple(
        sorted(
            (AccountChoice(a.id, a.name) for a in vault.accounts.list_all()),
            key=lambda a: a.name.casefold(),
        )
    )
    has_trades = bool(vault.db.scalar("SELECT EXISTS (SELECT 1 FROM trades WHERE deleted = 0)"))
    return DashboardData(
        filter=flt,
        statistics=stats,
        curve_times=path.times,
        curve_equity=path.equity,
        largest_wins=path.largest_wins,
        largest_losses=path.largest_losses,
        accounts=accounts,
        vault_has_trades=has_trades,
    )


@dataclass(frozen=True, slots=True, eq=False)
class TradePath:
    """The equity curve (read-only float arrays) and the largest wins and losses."""

    times: npt.NDArray[np.float64]
    equity: npt.NDArray[np.float64]
    largest_wins: tuple[ExtremeTrade, ...]
    largest_losses: tuple[ExtremeTrade, ...]


def read_path(vault: Vault, flt: TradeFilter, extremes: int = EXTREMES) -> TradePath:
    """The equity curve and the largest trades, from one read of `trade_facts`.

    The curve is the close times and the integer net (1e-8 units) of each trade in the
    statistics' order (close, open, id), summed in int64, so it is exact until the final
    conversion to floats for plotting. Building it from `Statistics.equity_curve` instead
    would make a datetime and a Decimal per trade: about 1 s for 100,000 trades. The largest
    wins and losses are picked from the same integers (ties: the earlier close first) and
    only those few rows are read in full. The narrow facts table is read as one string per
    column: on 100,000 trades about a tenth of the time the wide trade rows took (0.3 s,
    most of it decrypting and walking the wide rows). Should a fact not be a number, the
    trades table is read instead, as the statistics do.
    """
    import numpy as np  # 0.2-0.3 s to import: kept off the app's start-up path

    facts_where, facts_params = facts.where(flt)
    row = vault.db.query_one(_FACTS_PATH.format(where=facts_where), facts_params)
    assert row is not None
    if row[1]:
        return _path_from_trades(vault, flt, extremes)
    count = int(row[0])
    if not count:
        closes = opens = nets = rowids = np.zeros(0, dtype=np.int64)
    else:
        closes, opens, nets, rowids = (parse_ints(str(text), count) for text in row[2:6])

    def ids_at(positions: list[int]) -> list[str]:
        wanted = rowids[positions].tolist()
        found: dict[int, str] = dict(
            vault.db.query(
                "SELECT rowid, id FROM trades WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(wanted),),
            )
        )
        return [str(found[r]) for r in wanted]

    order = close_order(closes, opens, ids_at)
    return _path(vault, closes[order], nets[order], rowids[order], extremes)


#: What `read_path` needs of each fact row: close and open (µs), net (1e-8 units), trade rowid.
_FACTS_PATH = """SELECT count(*),
    coalesce(sum(f.closed_us IS NULL OR f.opened_us IS NULL OR f.net_e8 IS NULL), 0),
    group_concat(f.closed_us), group_concat(f.opened_us), group_concat(f.net_e8),
    group_concat(f.trade)
FROM trade_facts f WHERE {where}"""


def _path_from_trades(vault: Vault, flt: TradeFilter, extremes: int) -> TradePath:
    """`read_path` over the wide trade rows, for facts that are not all numbers."""
    import numpy as np

    where, params = _where(flt)
    rows = vault.db.query(
        f"""SELECT unixepoch(substr(t.closed_at, 1, 19)) * 1000000
                + CAST(substr(t.closed_at, 21, 6) AS INTEGER),
            t.net_pnl_e8,
            t.rowid
        FROM trades t WHERE {where}
        ORDER BY t.closed_at, t.opened_at, t.id""",
        params,
    )
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    return _path(vault, table[:, 0], table[:, 1], table[:, 2], extremes)


def _path(
    vault: Vault,
    closes_us: npt.NDArray[np.int64],
    nets_e8: npt.NDArray[np.int64],
    rowids: npt.NDArray[np.int64],
    extremes: int,
) -> TradePath:
    """The path from the trades' close times, nets and rowids, in close order."""
    import numpy as np

    times = closes_us.astype(np.float64) / 1e6
    equity = np.cumsum(nets_e8).astype(np.float64) / 1e8
    times.flags.writeable = False
    equity.flags.writeable = False
    positions = np.arange(len(nets_e8))
    # lexsort sorts by its last key first: by net (largest win / most negative loss), then
    # by position in close order.
    wins = positions[nets_e8 > 0]
    wins = wins[np.lexsort((wins, -nets_e8[wins]))][:extremes]
    losses = positions[nets_e8 < 0]
    losses = losses[np.lexsort((losses, nets_e8[losses]))][:extremes]
    found = _trades_by_rowid(vault, [int(rowids[i]) for i in (*wins, *losses)])
    return TradePath(
        times=times,
        equity=equity,
        largest_wins=tuple(found[int(rowids[i])] for i in wins),
        largest_losses=tuple(found[int(rowids[i])] for i in losses),
    )


def _trades_by_rowid(vault: Vault, rowids: list[int]) -> dict[int, ExtremeTrade]:
    if not rowids:
        return {}
    rows = vault.db.query(
        """SELECT t.rowid, t.id, coalesce(i.symbol, ''), t.closed_at, t.net_pnl
        FROM trades t LEFT JOIN instruments i ON i.id = t.instrument_id
        WHERE t.rowid IN (SELECT value FROM json_each(?))""",
        [json.dumps(rowids)],
    )
    return {
        int(row[0]): ExtremeTrade(
            trade_id=uuid.UUID(str(row[1])),
            symbol=str(row[2]),
            closed_at=codec.dec_utc(str(row[3])),
            net_pnl=codec.dec_decimal(str(row[4])),
        )
        for row in rows
    }


def _where(flt: TradeFilter) -> tuple[str, list[Any]]:
    """Closed, live trades matching the filter, as the statistics count them."""
    clauses = ["t.deleted = 0", "t.status = 'closed'"]
    params: list[Any] = []
    start, end = flt.close_range()
    if start is not None:
        clauses.append("t.closed_at >= ?")
        params.append(codec.enc_utc(start))
    if end is not None:
        clauses.append("t.closed_at < ?")
        params.append(codec.enc_utc(end))
    if flt.account_ids is not None:
        clauses.append("t.account_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(str(i) for i in flt.account_ids)))
    if flt.instrument_ids is not None:
        clauses.append("t.instrument_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(str(i) for i in flt.instrument_ids)))
    if flt.tag_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(t.tag_ids) WHERE value = ?)")
        params.append(str(flt.tag_id))
    return " AND ".join(clauses), params
