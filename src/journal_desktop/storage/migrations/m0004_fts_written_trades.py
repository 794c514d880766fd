"""Schema 4: the notes index holds only trades with something written (notes or a setup).

Why: an import stores tens of thousands of trades with empty notes, and the FTS5 trigger
indexed every one of them (a document-size row and index bookkeeping each, for no words):
about a tenth of the time of importing 100,000 executions. A trade with empty notes and setup
cannot match any search, so leaving it out of `trades_fts` changes no result.

The rule is the same in every trigger, so the index stays exactly the set of trades whose
notes or setup are not empty: a trade enters it when text is first written, is re-indexed when
the text changes, and leaves it when both are emptied or the row is removed. FTS5's 'delete'
of an external-content row must be given the values that were indexed, so it is only issued
for a row that was indexed (old text not empty). The index is refilled from `trades` with the
same rule, which also drops the empty documents earlier schemas indexed. Nothing runs
FTS5's 'rebuild' (it would index every row again, empty or not).

Without FTS5 in the SQLite build there is no index and nothing to do.
"""

from __future__ import annotations

from journal_desktop.storage.database import Database

#: Whether a row of `trades` called `r` has text to index: the condition every trigger shares.
_WRITTEN = "({r}.notes <> '' OR {r}.setup <> '')"

STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER trades_fts_insert",
    "DROP TRIGGER trades_fts_delete",
    "DROP TRIGGER trades_fts_update",
    f"""CREATE TRIGGER trades_fts_insert AFTER INSERT ON trades
        WHEN {_WRITTEN.format(r="new")} BEGIN
        INSERT INTO trades_fts (rowid, notes, setup) VALUES (new.rowid, new.notes, new.setup);
    END""",
    f"""CREATE TRIGGER trades_fts_delete AFTER DELETE ON trades
        WHEN {_WRITTEN.format(r="old")} BEGIN
        INSERT INTO trades_fts (trades_fts, rowid, notes, setup)
            VALUES ('delete', old.rowid, old.notes, old.setup);
    END""",
    f"""CREATE TRIGGER trades_fts_update AFTER UPDATE OF notes, setup ON trades BEGIN
        INSERT INTO trades_fts (trades_fts, rowid, notes, setup)
            SELECT 'delete', old.rowid, old.notes, old.setup WHERE {_WRITTEN.format(r="old")};
        INSERT INTO trades_fts (rowid, notes, setup)
            SELECT new.rowid, new.notes, new.setup WHERE {_WRITTEN.format(r="new")};
    END""",
    "INSERT INTO trades_fts (trades_fts) VALUES ('delete-all')",
    f"""INSERT INTO trades_fts (rowid, notes, setup)
        SELECT t.rowid, t.notes, t.setup FROM trades t WHERE {_WRITTEN.format(r="t")}""",
)


def apply(db: Database) -> None:
    if not db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'trades_fts'"):
        return
    for statement in STATEMENTS:
        db.execute(statement)
