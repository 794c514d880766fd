"""Vaults written by every released schema must keep opening, with every value intact.

`fixtures/vault-schema<N>/` is a passphrase-mode vault made by the code of schema N (the
passphrase is below; the fixture holds no real data). Never regenerate an existing fixture:
add one for each new schema version instead.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from journal_desktop.domain.records import AttachmentOwner, Mood, TradeStatus
from journal_desktop.domain.statistics import compute_statistics
from journal_desktop.storage import KeyEnvironment, Vault, VaultPaths
from journal_desktop.storage.migrations import LATEST_VERSION
from journal_desktop.storage.statistics_sql import StatisticsQueries
from tests.fakes import InMemoryKeyringFake

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_PASSPHRASE = "fixture vault passphrase"


def _copy(name: str, tmp_path: Path) -> VaultPaths:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return VaultPaths(target)


@pytest.mark.parametrize("schema", [1, 2, 3, 4, 5])
def test_released_schema_opens_and_migrates(schema: int, tmp_path: Path) -> None:
    paths = _copy(f"vault-schema{schema}", tmp_path)
    env = KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: FIXTURE_PASSPHRASE)
    with Vault.open(paths, env) as vault:
        assert vault.schema_version() == LATEST_VERSION
        assert vault.audit.verify().ok
        assert vault.integrity_problems() == []

        account = vault.accounts.by_name("Fixture account")
        assert account is not None and account.broker_account_id == "U0000001"
        (trade,) = vault.trades.list_all()
        assert trade.status is TradeStatus.CLOSED
        assert trade.net_pnl == Decimal("101.26")
        assert trade.gross_pnl == Decimal("102.50")
        assert trade.initial_risk == Decimal("50")
        assert trade.notes == "Fixture notes: waited for the pullback"
        assert trade.mistakes == ("late entry",)
        assert trade.closed_at == datetime(2026, 3, 2, 15, 1, tzinfo=UTC)
        (tag,) = vault.tags.list_all()
        assert trade.tag_ids == (tag.id,)
        instrument = vault.instruments.require(trade.instrument_id)
        assert instrument.multiplier == Decimal(5)
        assert len(vault.executions.list_all()) == 2
        entry = vault.journal.for_day(date(2026, 3, 2))
        assert entry is not None and entry.mood is Mood.GOOD and entry.plan == "Fixture plan"
        (attachment,) = vault.attachments.for_owner(AttachmentOwner.TRADE, trade.id)
        assert vault.attachments.data(attachment.id) == b"\x89PNG fixture bytes"
        if schema >= 2:
            (batch,) = vault.imports.newest_first()
            assert batch.filename == "fixture.csv" and batch.execution_count == 2
            assert vault.imports.original_file(batch.id).startswith(b"Date,Time,Symbol")
            assert all(e.fingerprint for e in vault.executions.list_all())

        # Schema 3's trade facts are built from the stored trades: the figures are the same
        # as the pure ones over the records.
        assert vault.db.scalar("SELECT count(*) FROM trade_facts") == 1
        symbols = {instrument.id: instrument.symbol}
        names = {tag.id: tag.name}
        stats = StatisticsQueries(vault.db).statistics(tag_names=names)
        assert stats == compute_statistics([trade], symbols=symbols, tag_names=names)
        assert stats.net_pnl == Decimal("101.26") and stats.r.total == Decimal("2.0252")
        assert list(stats.by_tag) == [tag.name]

    if schema < LATEST_VERSION:
        backups = list(paths.migration_backups_dir.iterdir())
        assert [b.name.startswith(f"journal-schema{schema}-") for b in backups] == [True]
