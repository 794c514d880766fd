"""Schema 5: trade facts keyed by account and instrument rowids, with lighter triggers.

Why: schema 3's triggers numbered four texts per inserted trade in `trade_fact_keys` (account
and instrument ids among them) and looked each one up again: measured on the import of
100,000 executions, that was most of the facts' write cost. An account's or instrument's rowid
is already a small integer naming it (the trades' foreign keys make sure it exists), so
`trade_facts.account` and `.instrument` now hold those rowids and only setups and tag lists are
numbered: two key probes and two rowid lookups per trade instead of eight probes. What cannot
be named that way (no such row) is stored as 0 and the statistics then read `trades` instead,
as for a time the codec would not write (see storage/statistics_facts.py).

The facts are rebuilt from `trades` with the new triggers, in the migration's transaction;
the account and instrument keys schema 3 numbered are dropped. Rowids are what the rowid-keyed
FTS index already relies on (nothing here VACUUMs; backups keep rowids).

No index for the trade list's sorts: one led by `deleted` (as (deleted, net_pnl_e8)) becomes
the planner's pick for every `deleted = 0` query, and walking it reads the wide rows in
random order: one aggregate over the live trades went from 65 to 160 ms with it. Its gain
for the net P&L sort could not be told from a warm cache's.
"""

from __future__ import annotations

from journal_desktop.storage.database import Database
from journal_desktop.storage.migrations.m0003_trade_facts import _MICROS, FACT_SOURCES

#: The texts numbered in `trade_fact_keys`: (kind, the trades column).
_KEYED = (("setup", "setup"), ("tags", "tag_ids"))


def _live_closed(r: str) -> str:
    return f"{r}.deleted = 0 AND {r}.status = 'closed' AND {r}.closed_at IS NOT NULL"


def _key(kind: str, r: str, column: str) -> str:
    return f"(SELECT key FROM trade_fact_keys WHERE kind = '{kind}' AND text = {r}.{column})"


def _rowid(table: str, r: str, column: str) -> str:
    """The rowid of the row `r.column` names, 0 if there is none (the reader then falls back)."""
    return f"coalesce((SELECT rowid FROM {table} WHERE id = {r}.{column}), 0)"


def _new_keys(r: str, source: str) -> list[str]:
    """Statements numbering the setup and tag list of the trade(s) `r` (from `source`).

    Each first asks whether the text is numbered already (almost always, after a journal's
    first trades): an index probe, where INSERT OR IGNORE costs about four times as much per
    row (measured on 50,000 inserted trades)."""
    distinct = "DISTINCT " if source else ""  # many trades share a text; one trade has one
    return [
        f"INSERT INTO trade_fact_keys (kind, text) SELECT {distinct}'{kind}', {r}.{column} "
        f"{source} WHERE {_live_closed(r)} AND NOT EXISTS (SELECT 1 FROM trade_fact_keys k "
        f"WHERE k.kind = '{kind}' AND k.text = {r}.{column})"
        for kind, column in _KEYED
    ]


def _new_facts(r: str, source: str) -> str:
    """The fact rows of the live closed trade(s) `r` (from `source`)."""
    return f"""INSERT INTO trade_facts (trade, closed_us, opened_us, net_e8, gross_e8, fees_e8,
        initial_risk, account, instrument, setup, tag_list, short)
        SELECT {r}.rowid,
            {_MICROS.format(t=f"{r}.closed_at")}, {_MICROS.format(t=f"{r}.opened_at")},
            {r}.net_pnl_e8, {r}.gross_pnl_e8, {r}.fees_e8, {r}.initial_risk,
            {_rowid("accounts", r, "account_id")}, {_rowid("instruments", r, "instrument_id")},
            {_key("setup", r, "setup")}, {_key("tags", r, "tag_ids")}, {r}.direction = 'short'
        {source} WHERE {_live_closed(r)}"""


def _body(*statements: str) -> str:
    return "".join(f"\n        {statement};" for statement in statements)


_CHANGED = " OR ".join(
    ["old.rowid IS NOT new.rowid"] + [f"old.{c} IS NOT new.{c}" for c in FACT_SOURCES]
)

STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER trade_facts_insert",
    "DROP TRIGGER trade_facts_update",
    "DROP TRIGGER trade_facts_delete",
    "DELETE FROM trade_facts",
    "DELETE FROM trade_fact_keys WHERE kind NOT IN ('setup', 'tags')",
    *_new_keys("t", "FROM trades t"),
    _new_facts("t", "FROM trades t"),
    f"""CREATE TRIGGER trade_facts_insert AFTER INSERT ON trades WHEN {_live_closed("new")} BEGIN
        {_body(*_new_keys("new", ""), _new_facts("new", ""))}
    END""",
    f"""CREATE TRIGGER trade_facts_update AFTER UPDATE ON trades WHEN {_CHANGED} BEGIN
        {
        _body(
            "DELETE FROM trade_facts WHERE trade = old.rowid",
            *_new_keys("new", ""),
            _new_facts("new", ""),
        )
    }
    END""",
    """CREATE TRIGGER trade_facts_delete AFTER DELETE ON trades BEGIN
        DELETE FROM trade_facts WHERE trade = old.rowid;
    END""",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
