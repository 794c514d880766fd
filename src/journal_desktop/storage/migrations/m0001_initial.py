"""Schema 1: every record table carries the sync columns from day one.

Common columns: `id` (UUID text), `version` (grows with each change), `deleted` (tombstone),
`stamps` (JSON: per-field hybrid-logical-clock stamps), `updated_hlc` (the newest stamp, for
"what changed since"). Amounts are exact decimal text; trade money is also kept as integer
units of 1e-8 (`*_e8`) so SQL can sum it exactly. Times are UTC text of fixed width, so text
order is time order.
"""

from __future__ import annotations

from journal_desktop.storage.database import Database

SYNC_COLUMNS = """
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    stamps TEXT NOT NULL,
    updated_hlc TEXT NOT NULL
"""

STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    )""",
    f"""CREATE TABLE accounts ({SYNC_COLUMNS},
        name TEXT NOT NULL,
        broker TEXT NOT NULL,
        broker_account_id TEXT NOT NULL,
        currency TEXT NOT NULL
    )""",
    f"""CREATE TABLE instruments ({SYNC_COLUMNS},
        symbol TEXT NOT NULL,
        asset_class TEXT NOT NULL
            CHECK (asset_class IN ('stock', 'option', 'future', 'forex', 'crypto')),
        currency TEXT NOT NULL,
        multiplier TEXT NOT NULL,
        underlying TEXT NOT NULL,
        expiry TEXT,
        strike TEXT,
        option_right TEXT NOT NULL
    )""",
    "CREATE INDEX instruments_by_symbol ON instruments (symbol)",
    f"""CREATE TABLE executions ({SYNC_COLUMNS},
        account_id TEXT NOT NULL REFERENCES accounts (id),
        instrument_id TEXT NOT NULL REFERENCES instruments (id),
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity TEXT NOT NULL,
        price TEXT NOT NULL,
        executed_at TEXT NOT NULL,
        commission TEXT NOT NULL,
        fees TEXT NOT NULL,
        broker_execution_id TEXT NOT NULL,
        import_batch_id TEXT
    )""",
    "CREATE INDEX executions_by_position ON executions (account_id, instrument_id, executed_at)",
    """CREATE UNIQUE INDEX executions_by_broker_id ON executions (account_id, broker_execution_id)
        WHERE broker_execution_id <> '' AND deleted = 0""",
    "CREATE INDEX executions_by_batch ON executions (import_batch_id)",
    f"""CREATE TABLE trades ({SYNC_COLUMNS},
        account_id TEXT NOT NULL REFERENCES accounts (id),
        instrument_id TEXT NOT NULL REFERENCES instruments (id),
        direction TEXT NOT NULL CHECK (direction IN ('long', 'short')),
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        quantity TEXT NOT NULL,
        entry_price TEXT NOT NULL,
        exit_price TEXT,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        gross_pnl TEXT NOT NULL,
        fees TEXT NOT NULL,
        net_pnl TEXT NOT NULL,
        gross_pnl_e8 INTEGER NOT NULL,
        fees_e8 INTEGER NOT NULL,
        net_pnl_e8 INTEGER NOT NULL,
        fills TEXT NOT NULL,
        notes TEXT NOT NULL,
        tag_ids TEXT NOT NULL,
        setup TEXT NOT NULL,
        mistakes TEXT NOT NULL,
        rating INTEGER,
        initial_risk TEXT,
        stop_price TEXT
    )""",
    "CREATE INDEX trades_by_close ON trades (deleted, closed_at)",
    "CREATE INDEX trades_by_account ON trades (account_id, closed_at)",
    "CREATE INDEX trades_by_instrument ON trades (instrument_id, closed_at)",
    "CREATE INDEX trades_by_open ON trades (opened_at)",
    f"""CREATE TABLE journal_entries ({SYNC_COLUMNS},
        day TEXT NOT NULL,
        plan TEXT NOT NULL,
        review TEXT NOT NULL,
        mood INTEGER CHECK (mood BETWEEN 1 AND 5)
    )""",
    "CREATE UNIQUE INDEX journal_entries_by_day ON journal_entries (day) WHERE deleted = 0",
    f"""CREATE TABLE tags ({SYNC_COLUMNS},
        name TEXT NOT NULL,
        color TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX tags_by_name ON tags (name COLLATE NOCASE) WHERE deleted = 0",
    f"""CREATE TABLE attachments ({SYNC_COLUMNS},
        owner_type TEXT NOT NULL CHECK (owner_type IN ('trade', 'journal_entry')),
        owner_id TEXT NOT NULL,
        filename TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL
    )""",
    "CREATE INDEX attachments_by_owner ON attachments (owner_type, owner_id)",
    """CREATE TABLE attachment_data (
        attachment_id TEXT PRIMARY KEY NOT NULL REFERENCES attachments (id),
        data BLOB NOT NULL
    )""",
    """CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY NOT NULL,
        at TEXT NOT NULL,
        device TEXT NOT NULL,
        action TEXT NOT NULL,
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        previous TEXT,
        new TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    # Append-only: the app never edits or removes history. (Someone with the key can drop
    # these triggers; the hash chain is what detects that kind of tampering.)
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
)

FTS_STATEMENTS: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE trades_fts USING fts5 (
        notes, setup, content='trades', content_rowid='rowid', tokenize='unicode61'
    )""",
    """CREATE TRIGGER trades_fts_insert AFTER INSERT ON trades BEGIN
        INSERT INTO trades_fts (rowid, notes, setup) VALUES (new.rowid, new.notes, new.setup);
    END""",
    """CREATE TRIGGER trades_fts_delete AFTER DELETE ON trades BEGIN
        INSERT INTO trades_fts (trades_fts, rowid, notes, setup)
            VALUES ('delete', old.rowid, old.notes, old.setup);
    END""",
    """CREATE TRIGGER trades_fts_update AFTER UPDATE OF notes, setup ON trades BEGIN
        INSERT INTO trades_fts (trades_fts, rowid, notes, setup)
            VALUES ('delete', old.rowid, old.notes, old.setup);
        INSERT INTO trades_fts (rowid, notes, setup) VALUES (new.rowid, new.notes, new.setup);
    END""",
    """CREATE VIRTUAL TABLE journal_fts USING fts5 (
        plan, review, content='journal_entries', content_rowid='rowid', tokenize='unicode61'
    )""",
    """CREATE TRIGGER journal_fts_insert AFTER INSERT ON journal_entries BEGIN
        INSERT INTO journal_fts (rowid, plan, review) VALUES (new.rowid, new.plan, new.review);
    END""",
    """CREATE TRIGGER journal_fts_delete AFTER DELETE ON journal_entries BEGIN
        INSERT INTO journal_fts (journal_fts, rowid, plan, review)
            VALUES ('delete', old.rowid, old.plan, old.review);
    END""",
    """CREATE TRIGGER journal_fts_update AFTER UPDATE OF plan, review ON journal_entries BEGIN
        INSERT INTO journal_fts (journal_fts, rowid, plan, review)
            VALUES ('delete', old.rowid, old.plan, old.review);
        INSERT INTO journal_fts (rowid, plan, review) VALUES (new.rowid, new.plan, new.review);
    END""",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
    if db.has_fts5():
        for statement in FTS_STATEMENTS:
            db.execute(statement)
