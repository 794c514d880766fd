"""The Alembic migrations build exactly the schema the code's tables describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from journal_desktop.server.db import make_engine, metadata, migrate


def test_migrated_schema_matches_the_tables(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    migrate(engine)  # a second start finds nothing to do
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert diff == []
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_quota_counter_is_filled_in_from_stored_data(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
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
                    "INSERT INTO accounts VALUES (:id, :id || '@x', 'h', 65536, 3, 4, x'00', '{}',"
                    " 0, 0)"
                ),
                {"id": account},
            )
        conn.execute(text("INSERT INTO items VALUES ('a', 'i', 't', 1, 0, zeroblob(10), 1)"))
        conn.execute(text("INSERT INTO blobs VALUES ('a', 'b', zeroblob(7), 0)"))
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, stored_bytes FROM accounts ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("a", 17), ("b", 0)]
    engine.dispose()
