"""The notes index holds exactly the trades with notes or a setup written (schema 4), through
every change a trade's text goes through, and searches find what they found before."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from journal_desktop.storage import KeyEnvironment, Vault, VaultPaths
from journal_desktop.storage.migrations import LATEST_VERSION, m0004_fts_written_trades
from tests.fakes import InMemoryKeyringFake
from tests.storage.conftest import Position, make_trade
from tests.storage.test_schema_fixtures import FIXTURE_PASSPHRASE, FIXTURES


def _indexed_rowids(vault: Vault) -> set[int]:
    return {int(r[0]) for r in vault.db.query("SELECT id FROM trades_fts_docsize")}


def _written_rowids(vault: Vault) -> set[int]:
    rows = vault.db.query("SELECT rowid FROM trades WHERE notes <> '' OR setup <> ''")
    return {int(r[0]) for r in rows}


def _found(vault: Vault, query: str) -> list[str]:
    return [t.notes or t.setup for t in vault.trades.search_notes(query)]


def _assert_index_exact(vault: Vault) -> None:
    assert _indexed_rowids(vault) == _written_rowids(vault)
    vault.db.execute("INSERT INTO trades_fts (trades_fts) VALUES ('integrity-check')")
    assert vault.integrity_problems() == []


@pytest.fixture(autouse=True)
def _needs_fts(vault: Vault) -> None:
    if not vault.db.has_fts5():
        pytest.skip("this SQLite build has no FTS5")


def test_trades_without_text_are_not_indexed(vault: Vault, position: Position) -> None:
    for _ in range(3):
        vault.trades.add(make_trade(position))
    vault.trades.add(make_trade(position, notes="Waited for the pullback"))
    vault.trades.add(make_trade(position, setup="Opening range break"))
    assert len(_indexed_rowids(vault)) == 2
    _assert_index_exact(vault)
    assert _found(vault, "pullback") == ["Waited for the pullback"]
    assert _found(vault, "range") == ["Opening range break"]


def test_the_index_follows_each_change_of_a_trades_text(vault: Vault, position: Position) -> None:
    trade = vault.trades.add(make_trade(position))
    assert _found(vault, "pullback") == []

    trade = vault.trades.update(replace(trade, notes="Waited for the pullback"))
    _assert_index_exact(vault)
    assert _found(vault, "pullback") == ["Waited for the pullback"]

    trade = vault.trades.update(replace(trade, notes="Chased the breakout"))
    _assert_index_exact(vault)
    assert _found(vault, "pullback") == []
    assert _found(vault, "breakout") == ["Chased the breakout"]

    trade = vault.trades.update(replace(trade, notes="", setup="Gap fill"))
    _assert_index_exact(vault)
    assert _found(vault, "breakout") == []
    assert _found(vault, "gap") == ["Gap fill"]

    trade = vault.trades.update(replace(trade, setup=""))
    _assert_index_exact(vault)
    assert _indexed_rowids(vault) == set()
    assert _found(vault, "gap") == []

    trade = vault.trades.update(replace(trade, notes="Faded the open"))
    vault.trades.delete(trade.id)  # a tombstone: its text is purged
    _assert_index_exact(vault)
    assert _found(vault, "faded") == []


def test_removing_rows_keeps_the_index_exact(vault: Vault, position: Position) -> None:
    written = vault.trades.add(make_trade(position, notes="Scaled out too early"))
    empty = vault.trades.add(make_trade(position))
    with vault.transaction():
        vault.db.execute("DELETE FROM trades WHERE id IN (?, ?)", (str(written.id), str(empty.id)))
    _assert_index_exact(vault)
    assert _found(vault, "scaled") == []


def test_the_migration_drops_empty_documents_and_keeps_written_ones(tmp_path: Path) -> None:
    """A schema-2 vault indexed every trade; after the upgrade only written ones remain, and
    its trade's notes are still found."""
    target = tmp_path / "vault-schema2"
    shutil.copytree(FIXTURES / "vault-schema2", target)
    env = KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: FIXTURE_PASSPHRASE)
    with Vault.open(VaultPaths(target), env) as vault:
        assert vault.schema_version() == LATEST_VERSION
        _assert_index_exact(vault)
        assert _found(vault, "pullback") == ["Fixture notes: waited for the pullback"]


def test_the_migration_refills_the_index_by_the_new_rule(vault: Vault, position: Position) -> None:
    """Run again over a vault indexed the old way (every trade), the refill leaves exactly the
    written trades: the empty documents go, the written ones stay searchable."""
    vault.trades.add(make_trade(position, notes="Held the runner"))
    empty = vault.trades.add(make_trade(position))
    row = vault.db.query_one("SELECT rowid FROM trades WHERE id = ?", (str(empty.id),))
    assert row is not None
    with vault.transaction():
        vault.db.execute(
            "INSERT INTO trades_fts (rowid, notes, setup) VALUES (?, '', '')", (int(row[0]),)
        )
    assert len(_indexed_rowids(vault)) == 2
    with vault.transaction():
        m0004_fts_written_trades.apply(vault.db)
    _assert_index_exact(vault)
    assert _found(vault, "runner") == ["Held the runner"]
