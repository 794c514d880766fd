"""The Alembic migrations build exactly the schema the code's tables describe (both backends)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from journal_desktop.server.db import make_engine, metadata, migrate


def test_migrated_schema_matches_the_tables(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine)
    migrate(engine)  # a second start finds nothing to do
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert diff == []
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_quota_counter_is_filled_in_from_stored_data(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    config = Config()
    config.set_main_option("script_location", "journal_desktop.server:migrations")
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.commit()
    with engine.begin() as conn:
        for account in ("a", "b"):
            conn.execute(
                text(
                    "INSERT INTO accounts (id, email, auth_hash, kdf_memory_kib, kdf_iterations,"
                    " kdf_parallelism, salt, wrapped_keys, created_at, last_seq)"
                    " VALUES (:id, :email, 'h', 65536, 3, 4, :salt, '{}', 0, 0)"
                ),
                {"id": account, "email": f"{account}@x", "salt": b"\x00"},
            )
        conn.execute(
            text(
                "INSERT INTO items (account_id, id, type, version, deleted, ciphertext, seq)"
                " VALUES ('a', 'i', 't', 1, :no, :data, 1)"
            ),
            {"no": False, "data": b"\x00" * 10},
        )
        conn.execute(
            text("INSERT INTO blobs (account_id, id, data, created_at) VALUES ('a', 'b', :d, 0)"),
            {"d": b"\x00" * 7},
        )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, stored_bytes FROM accounts ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("a", 17), ("b", 0)]
    engine.dispose()


def test_the_newest_columns_come_and_go_without_touching_data(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, email, auth_hash, kdf_memory_kib, kdf_iterations,"
                " kdf_parallelism, salt, wrapped_keys, created_at, last_seq, suspended_at)"
                " VALUES ('a', 'a@x', 'h', 65536, 3, 4, :salt, '{}', 0, 1, 5)"
            ),
            {"salt": b"\x00"},
        )
        conn.execute(
            text(
                "INSERT INTO items (account_id, id, type, version, deleted, ciphertext, seq)"
                " VALUES ('a', 'i', 't', 1, :no, :data, 1)"
            ),
            {"no": False, "data": b"c"},
        )
    config = Config()
    config.set_main_option("script_location", "journal_desktop.server:migrations")
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")
        conn.commit()
    assert "suspended_at" not in {c["name"] for c in inspect(engine).get_columns("accounts")}
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
        conn.commit()
    assert "stored_bytes" not in {c["name"] for c in inspect(engine).get_columns("accounts")}
    with engine.connect() as conn:  # nothing cascaded away on the way down
        assert conn.execute(text("SELECT COUNT(*) FROM items")).scalar() == 1
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, suspended_at FROM accounts")).all() == [("a", None)]
        assert conn.execute(text("SELECT COUNT(*) FROM items")).scalar() == 1
    engine.dispose()
