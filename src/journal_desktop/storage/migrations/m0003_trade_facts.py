"""Schema 3: `trade_facts`, the statistics' narrow copy of every live closed trade.

Why: the dashboard's statistics need a handful of figures from each of 100,000 trades, and
reading them out of the wide `trades` rows (notes, fills, stamps: over 1 KB a row) cost more
than twice one aggregate query over that table. `trade_facts` holds only those figures, as
integers, one short row per live closed trade: times in microseconds since 1970 (UTC), money in
1e-8 units, the initial risk as stored (an R-multiple is a correctly rounded Decimal quotient,
so its exact inputs are kept), and small integer keys for the text a breakdown or filter groups
by (account, instrument, setup, tag list), numbered in `trade_fact_keys`. A row is keyed by its
trade's rowid, which rowid-keyed FTS already relies on (nothing here VACUUMs; backups keep
rowids).

Kept in step by triggers, not by the code that writes trades, so every write path (bulk import,
editing, split and merge, tagging, undo-import, tombstones, sync) keeps it right without knowing
it exists: a trade is in `trade_facts` exactly while it is closed, not deleted and has a close
time. The update trigger runs only when a column the facts copy changes, so editing notes costs
nothing extra. Times that are not in the codec's fixed-width shape are stored as NULL, and the
statistics then read the `trades` table instead (see storage/statistics_sql.py).

Also two indexes for the trade list's sorts (net P&L and open time over live trades).
"""

from __future__ import annotations

from journal_desktop.storage.database import Database

#: Microseconds since 1970 of a time in the codec's `YYYY-MM-DDTHH:MM:SS.ffffffZ` shape; NULL
#: for any other text (the reader then falls back to parsing the text itself).
_MICROS = (
    "(CASE WHEN {t} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' "
    "THEN unixepoch(substr({t}, 1, 19)) * 1000000 + CAST(substr({t}, 21, 6) AS INTEGER) END)"
)

#: The columns of `trades` a fact row is made from: a change to any other (notes, fills,
#: stamps...) leaves the facts as they are.
FACT_SOURCES = (
    "deleted",
    "status",
    "closed_at",
    "opened_at",
    "net_pnl_e8",
    "gross_pnl_e8",
    "fees_e8",
    "initial_risk",
    "account_id",
    "instrument_id",
    "setup",
    "tag_ids",
    "direction",
)

#: The text each key kind numbers, read from a trade row called `r`.
_KEYED = (
    ("account", "account_id"),
    ("instrument", "instrument_id"),
    ("setup", "setup"),
    ("tags", "tag_ids"),
)


def _live_closed(r: str) -> str:
    return f"{r}.deleted = 0 AND {r}.status = 'closed' AND {r}.closed_at IS NOT NULL"


def _key(kind: str, r: str, column: str) -> str:
    return f"(SELECT key FROM trade_fact_keys WHERE kind = '{kind}' AND text = {r}.{column})"


def _new_keys(r: str, source: str) -> str:
    """Number the texts of the trade(s) `r` (from `source`) that are not numbered yet."""
    selects = " UNION ALL ".join(
        f"SELECT '{kind}', {r}.{column} {source} WHERE {_live_closed(r)}" for kind, column in _KEYED
    )
    return f"INSERT OR IGNORE INTO trade_fact_keys (kind, text) {selects}"


def _new_facts(r: str, source: str) -> str:
    """The fact rows of the live closed trade(s) `r` (from `source`)."""
    return f"""INSERT INTO trade_facts (trade, closed_us, opened_us, net_e8, gross_e8, fees_e8,
        initial_risk, account, instrument, setup, tag_list, short)
        SELECT {r}.rowid,
            {_MICROS.format(t=f"{r}.closed_at")}, {_MICROS.format(t=f"{r}.opened_at")},
            {r}.net_pnl_e8, {r}.gross_pnl_e8, {r}.fees_e8, {r}.initial_risk,
            {_key("account", r, "account_id")}, {_key("instrument", r, "instrument_id")},
            {_key("setup", r, "setup")}, {_key("tags", r, "tag_ids")}, {r}.direction = 'short'
        {source} WHERE {_live_closed(r)}"""


_CHANGED = " OR ".join(
    ["old.rowid IS NOT new.rowid"] + [f"old.{c} IS NOT new.{c}" for c in FACT_SOURCES]
)

STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE trade_fact_keys (
        key INTEGER PRIMARY KEY NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('account', 'instrument', 'setup', 'tags')),
        text TEXT NOT NULL,
        UNIQUE (kind, text)
    )""",
    """CREATE TABLE trade_facts (
        trade INTEGER PRIMARY KEY NOT NULL,
        closed_us INTEGER,
        opened_us INTEGER,
        net_e8 INTEGER NOT NULL,
        gross_e8 INTEGER NOT NULL,
        fees_e8 INTEGER NOT NULL,
        initial_risk TEXT,
        account INTEGER NOT NULL,
        instrument INTEGER NOT NULL,
        setup INTEGER NOT NULL,
        tag_list INTEGER NOT NULL,
        short INTEGER NOT NULL
    )""",
    _new_keys("t", "FROM trades t"),
    _new_facts("t", "FROM trades t"),
    f"""CREATE TRIGGER trade_facts_insert AFTER INSERT ON trades WHEN {_live_closed("new")} BEGIN
        {_new_keys("new", "")};
        {_new_facts("new", "")};
    END""",
    f"""CREATE TRIGGER trade_facts_update AFTER UPDATE ON trades WHEN {_CHANGED} BEGIN
        DELETE FROM trade_facts WHERE trade = old.rowid;
        {_new_keys("new", "")};
        {_new_facts("new", "")};
    END""",
    """CREATE TRIGGER trade_facts_delete AFTER DELETE ON trades BEGIN
        DELETE FROM trade_facts WHERE trade = old.rowid;
    END""",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
