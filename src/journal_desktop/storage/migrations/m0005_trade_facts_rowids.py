"""Schema 5: trade facts keyed by account and instrument rowids, with lighter triggers.

Why: schema 3's triggers numbered four texts per inserted trade in `trade_fact_keys` (account
and instrument ids among them, each an INSERT OR IGNORE) and looked each one up again:
measured on 50,000 inserted trades, those statements were most of the facts' write cost. An
account's or instrument's rowid is already a small integer naming it (the trades' foreign keys
make sure it exists), so `trade_facts.account` and `.instrument` now hold those rowids and only
setups and tag lists are numbered, by a BEFORE trigger that runs only when one is new: per
trade, two key probes, two rowid lookups and one short row. What cannot be named that way (no
such row) is stored as 0 and the statistics then read `trades` instead, as for a time the
codec would not write (see storage/statistics_facts.py).

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
    """Statements numbering the setup and tag list of the trade(s) `r` (from `source`) that
    are not numbered yet."""
    distinct = "DISTINCT " if source else ""  # many trades share a text; one trade has one
    return [
        f"INSERT INTO trade_fact_keys (kind, text) SELECT {distinct}'{kind}', {r}.{column} "
        f"{source} WHERE {_live_closed(r)} AND NOT {_numbered(kind, r, column)}"
        for kind, column in _KEYED
    ]


def _numbered(kind: str, r: str, column: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM trade_fact_keys k WHERE k.kind = '{kind}'"
        f" AND k.text = {r}.{column})"
    )


#: When the new row's setup or tag list is not numbered yet (rarely, after a journal's first
#: trades). The numbering runs in a BEFORE trigger under this condition, so the common insert
#: pays two index probes, not two more statements in the AFTER trigger: per inserted trade,
#: each statement in a trigger body costs about as much as the facts row itself (measured on
#: 50,000 inserted trades: a fifth of the facts' write cost saved). BEFORE triggers run before
#: AFTER ones, so the facts' key lookups find the numbers.
_UNNUMBERED = " OR ".join(f"NOT {_numbered(kind, 'new', column)}" for kind, column in _KEYED)


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
    f"""CREATE TRIGGER trade_facts_keys_insert BEFORE INSERT ON trades
        WHEN {_live_closed("new")} AND ({_UNNUMBERED}) BEGIN
        {_body(*_new_keys("new", ""))}
    END""",
    f"""CREATE TRIGGER trade_facts_insert AFTER INSERT ON trades WHEN {_live_closed("new")} BEGIN
        {_body(_new_facts("new", ""))}
    END""",
    f"""CREATE TRIGGER trade_facts_keys_update BEFORE UPDATE ON trades
        WHEN {_live_closed("new")} AND ({_UNNUMBERED}) BEGIN
        {_body(*_new_keys("new", ""))}
    END""",
    f"""CREATE TRIGGER trade_facts_update AFTER UPDATE ON trades WHEN {_CHANGED} BEGIN
        {_body("DELETE FROM trade_facts WHERE trade = old.rowid", _new_facts("new", ""))}
    END""",
    """CREATE TRIGGER trade_facts_delete AFTER DELETE ON trades BEGIN
        DELETE FROM trade_facts WHERE trade = old.rowid;
    END""",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
