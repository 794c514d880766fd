"""The SQL a dashboard runs, as named strings, identical on SQLCipher and plain SQLite.

Money is summed on the integer `*_e8` columns (units of 1e-8), as the schema intends. Times are
fixed-width UTC text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), so `substr` gives the day and
`strftime` reads weekday and hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from journal_desktop.storage.codec import enc_utc

TRADE_COLUMNS = (
    "id, version, deleted, stamps, updated_hlc, account_id, instrument_id, direction, status, "
    "quantity, entry_price, exit_price, opened_at, closed_at, gross_pnl, fees, net_pnl, fills, "
    "notes, tag_ids, setup, mistakes, rating, initial_risk, stop_price"
)

# -- the first queries when the vault opens (figure 1) ------------------------------------------

TRADE_COUNT = "SELECT count(*) FROM trades WHERE deleted = 0"

#: The 50 most recently closed trades: a walk down the `trades_by_close (deleted, closed_at)`
#: index, reading only the pages of those 50 rows.
RECENT_TRADES = (
    f"SELECT {TRADE_COLUMNS} FROM trades WHERE deleted = 0 ORDER BY closed_at DESC LIMIT 50"
)

#: The same list sorted by open time. No index has (deleted, opened_at), so SQLite reads every
#: trade through `trades_by_close` and sorts: on a fresh connection SQLCipher decrypts the whole
#: table. Measured as an informational line to show what a missing index costs here.
RECENT_BY_OPEN = (
    f"SELECT {TRADE_COLUMNS} FROM trades WHERE deleted = 0 ORDER BY opened_at DESC LIMIT 50"
)

FIRST_QUERIES: dict[str, str] = {"trade_count": TRADE_COUNT, "recent_trades": RECENT_TRADES}
SCANNING_FIRST_QUERIES: dict[str, str] = {
    "trade_count": TRADE_COUNT,
    "recent_by_open": RECENT_BY_OPEN,
}

# -- the dashboard's aggregates (figure 3) -------------------------------------------------------

SUMMARY = """
SELECT count(*), sum(net_pnl_e8), sum(gross_pnl_e8), sum(fees_e8)
FROM trades
WHERE deleted = 0 AND status = 'closed'
"""

WINS_LOSSES = """
SELECT
    sum(net_pnl_e8 > 0), sum(CASE WHEN net_pnl_e8 > 0 THEN net_pnl_e8 ELSE 0 END),
    sum(net_pnl_e8 < 0), sum(CASE WHEN net_pnl_e8 < 0 THEN net_pnl_e8 ELSE 0 END)
FROM trades
WHERE deleted = 0 AND status = 'closed'
"""

DAILY_PNL = """
SELECT substr(closed_at, 1, 10) AS day, sum(net_pnl_e8), count(*)
FROM trades
WHERE deleted = 0 AND status = 'closed'
GROUP BY day
ORDER BY day
"""

BY_SYMBOL = """
SELECT i.symbol, count(*), sum(t.net_pnl_e8), sum(t.net_pnl_e8 > 0)
FROM trades AS t JOIN instruments AS i ON i.id = t.instrument_id
WHERE t.deleted = 0 AND t.status = 'closed'
GROUP BY i.symbol
ORDER BY sum(t.net_pnl_e8) DESC
"""

BY_WEEKDAY = """
SELECT strftime('%w', closed_at) AS weekday, count(*), sum(net_pnl_e8)
FROM trades
WHERE deleted = 0 AND status = 'closed'
GROUP BY weekday
ORDER BY weekday
"""

BY_HOUR = """
SELECT strftime('%H', closed_at) AS hour, count(*), sum(net_pnl_e8)
FROM trades
WHERE deleted = 0 AND status = 'closed'
GROUP BY hour
ORDER BY hour
"""

#: The trade list under the chart: every trade closed in a 30-day window (parameters: from, to).
RANGE_30_DAYS = f"""
SELECT {TRADE_COLUMNS}
FROM trades
WHERE deleted = 0 AND closed_at >= ? AND closed_at < ?
ORDER BY closed_at, rowid
"""

DASHBOARD: dict[str, str] = {
    "summary": SUMMARY,
    "wins_losses": WINS_LOSSES,
    "daily_pnl": DAILY_PNL,
    "by_symbol": BY_SYMBOL,
    "by_weekday": BY_WEEKDAY,
    "by_hour": BY_HOUR,
    "range_30_days": RANGE_30_DAYS,
}


def parameters(name: str, last_close: datetime) -> tuple[str, ...]:
    """Bound values for a dashboard query: the range ends just after the newest close."""
    if name == "range_30_days":
        end = last_close + timedelta(seconds=1)
        return (enc_utc(end - timedelta(days=30)), enc_utc(end))
    return ()


#: Not in the vault schema: a covering index the aggregates above can read instead of the wide
#: trades rows (about 10x fewer pages to decrypt). Only the explore table uses it, on both
#: sides, to show what a schema change would buy.
AGGREGATE_INDEX = """
CREATE INDEX trades_for_stats ON trades
    (deleted, status, closed_at, instrument_id, net_pnl_e8, gross_pnl_e8, fees_e8)
"""
