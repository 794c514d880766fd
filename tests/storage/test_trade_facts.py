"""`trade_facts` (schema 3) follows every way a trade is written, and the statistics read from it
equal the pure ones.

After each write path (insert, import, edit of money, risk, tags and setup, split, merge,
tagging, tombstone, reopen, undo-import, raw SQL as a sync apply would write) the stored facts
must be exactly what the live closed trades say, and `StatisticsQueries.statistics()` must
equal `compute_statistics` over the trades.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from journal_desktop.domain.records import AssetClass, Fill, Side, Tag, TradeDirection, TradeStatus
from journal_desktop.domain.statistics import TradeFilter
from journal_desktop.importers import parse_file
from journal_desktop.storage import (
    KeyEnvironment,
    Vault,
    VaultPaths,
    statistics_facts,
    tagging,
    trade_editing,
)
from journal_desktop.storage import backup as backups
from journal_desktop.storage.importing import import_parsed, undo_import
from journal_desktop.storage.statistics_sql import StatisticsQueries
from journal_desktop.storage.trade_editing import Annotations, ExecutionInput
from tests.storage.conftest import TRADE_OPENED, Position, make_trade
from tests.storage.test_statistics_sql import assert_agree

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def _us(at: datetime | None) -> int | None:
    return None if at is None else (at - _EPOCH) // timedelta(microseconds=1)


def _e8(value: Decimal) -> int:
    return int(value.scaleb(8))


def stored_facts(vault: Vault) -> dict[str, tuple[Any, ...]]:
    """The facts as stored, per trade id, with each key read back as the id or text it
    stands for."""
    rows = vault.db.query(
        """SELECT t.id, f.closed_us, f.opened_us, f.net_e8, f.gross_e8, f.fees_e8,
            f.initial_risk, a.id, i.id, s.text, g.text, f.short
        FROM trade_facts f
        JOIN trades t ON t.rowid = f.trade
        JOIN accounts a ON a.rowid = f.account
        JOIN instruments i ON i.rowid = f.instrument
        JOIN trade_fact_keys s ON s.key = f.setup AND s.kind = 'setup'
        JOIN trade_fact_keys g ON g.key = f.tag_list AND g.kind = 'tags'"""
    )
    count = vault.db.scalar("SELECT count(*) FROM trade_facts")
    assert count == len(rows), "a fact row whose keys name nothing"
    return {str(row[0]): tuple(row[1:]) for row in rows}


def expected_facts(vault: Vault) -> dict[str, tuple[Any, ...]]:
    """What the facts must be: one row per live closed trade, from the records."""
    stored_tags = {
        str(row[0]): str(row[1]) for row in vault.db.query("SELECT id, tag_ids FROM trades")
    }
    return {
        str(t.id): (
            _us(t.closed_at),
            _us(t.opened_at),
            _e8(t.net_pnl),
            _e8(t.gross_pnl),
            _e8(t.fees),
            None if t.initial_risk is None else str(t.initial_risk),
            str(t.account_id),
            str(t.instrument_id),
            t.setup,
            stored_tags[str(t.id)],
            1 if t.direction is TradeDirection.SHORT else 0,
        )
        for t in vault.trades.list_all()
        if t.status is TradeStatus.CLOSED and t.closed_at is not None
    }


def assert_in_step(vault: Vault) -> None:
    assert stored_facts(vault) == expected_facts(vault)
    assert_agree(vault, TradeFilter(), UTC)


def _fill(side: Side, quantity: str, price: str, minutes: int, fees: str = "0") -> ExecutionInput:
    return ExecutionInput(
        account="Main",
        symbol="AAPL",
        asset_class=AssetClass.STOCK,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        executed_at=T0 + timedelta(minutes=minutes),
        commission=Decimal(fees),
    )


def test_inserts_edits_tombstones_and_reopening(vault: Vault, position: Position) -> None:
    trades = [
        make_trade(
            position,
            closed_at=TRADE_OPENED + timedelta(minutes=10 + i),
            net_pnl=Decimal(i - 2),
            direction=TradeDirection.SHORT if i % 2 else TradeDirection.LONG,
        )
        for i in range(5)
    ]
    vault.trades.add_many(trades)
    vault.trades.add(make_trade(position, status=TradeStatus.OPEN, closed_at=None))
    assert len(stored_facts(vault)) == 5
    assert_in_step(vault)

    tag = vault.tags.add(Tag(name="fomo"))
    first = vault.trades.require(trades[0].id)
    vault.trades.update(
        dataclasses.replace(
            first,
            net_pnl=Decimal("7.25"),
            gross_pnl=Decimal("8.00"),
            fees=Decimal("0.75"),
            initial_risk=Decimal("2.5"),
            tag_ids=(tag.id,),
            setup="ORB",
        )
    )
    assert_in_step(vault)
    assert_agree(vault, TradeFilter(tag_id=tag.id), UTC)

    vault.trades.delete(trades[1].id)  # a tombstone
    assert trades[1].id not in {uuid.UUID(i) for i in stored_facts(vault)}
    assert_in_step(vault)

    second = vault.trades.require(trades[2].id)
    vault.trades.update(dataclasses.replace(second, status=TradeStatus.OPEN, closed_at=None))
    assert_in_step(vault)
    reopened = vault.trades.require(trades[2].id)
    vault.trades.update(
        dataclasses.replace(
            reopened, status=TradeStatus.CLOSED, closed_at=TRADE_OPENED + timedelta(hours=3)
        )
    )
    assert trades[2].id in {uuid.UUID(i) for i in stored_facts(vault)}
    assert_in_step(vault)


def test_a_notes_edit_leaves_the_facts_row_alone(vault: Vault, position: Position) -> None:
    trade = vault.trades.add(make_trade(position))
    before = vault.db.query("SELECT rowid, * FROM trade_facts")
    vault.trades.update(dataclasses.replace(trade, notes="waited for the pullback", rating=4))
    assert vault.db.query("SELECT rowid, * FROM trade_facts") == before


def test_manual_entry_split_merge_and_tagging(vault: Vault) -> None:
    (trade,) = trade_editing.add_executions(
        vault,
        [
            _fill(Side.BUY, "100", "10", 0, fees="1.00"),
            _fill(Side.BUY, "100", "11", 1, fees="1.01"),
            _fill(Side.SELL, "100", "12", 2, fees="1.02"),
            _fill(Side.SELL, "100", "13", 3, fees="1.03"),
        ],
    )
    assert_in_step(vault)
    trade_editing.save_annotations(
        vault, trade.id, Annotations(tags=("scalp",), setup="ORB", initial_risk=Decimal(150))
    )
    assert_in_step(vault)
    fills = trade_editing.load_trade(vault, trade.id).fills
    part = [Fill(fills[1].execution.id, Decimal(100)), Fill(fills[3].execution.id, Decimal(100))]
    kept, new = trade_editing.split_trade(vault, trade.id, part)
    assert len(stored_facts(vault)) == 2
    assert_in_step(vault)
    tagging.add_tag(vault, [kept.id, new.id], "review")
    assert_in_step(vault)
    tagging.remove_tag(vault, [new.id], "scalp")
    assert_in_step(vault)
    trade_editing.merge_trades(vault, [kept.id, new.id])
    assert len(stored_facts(vault)) == 1
    assert_in_step(vault)
    exit_fill = trade_editing.load_trade(vault, kept.id).fills[-1]
    trade_editing.delete_execution(vault, exit_fill.execution.id)  # the trade reopens
    assert_in_step(vault)


_CSV = (
    "Date,Time,Symbol,Quantity,Price,Side,Commission,TransFee\n"
    "03/02/2026,09:31:00,AAPL,100,10,Buy,1,0\n"
    "03/02/2026,09:45:00,AAPL,100,12,Sell,1,0\n"
    "03/02/2026,10:01:00,MSFT,10,400,Sell,1,0.01\n"
    "03/02/2026,10:07:30,MSFT,10,398.5,Buy,1,0.01\n"
    "03/03/2026,09:31:00,ES,1,5000,Buy,2.25,0\n"
)


def _import(vault: Vault, data: bytes, name: str) -> uuid.UUID:
    parsed = parse_file(data, name, format_name="generic")
    summary = import_parsed(vault, parsed, data, name, timezone="America/New_York")
    assert summary.batch_id is not None
    return summary.batch_id


def test_bulk_import_new_fills_and_undo_import(vault: Vault) -> None:
    first = _import(vault, _CSV.encode(), "a.csv")
    assert len(stored_facts(vault)) == 2  # the ES position is still open
    assert_in_step(vault)
    closing = _CSV + "03/03/2026,10:15:00,ES,1,5010.25,Sell,2.25,0\n"
    second = _import(vault, closing.encode(), "b.csv")  # closes the stored open trade
    assert len(stored_facts(vault)) == 3
    assert_in_step(vault)
    undo_import(vault, second)
    assert_in_step(vault)
    undo_import(vault, first)
    assert stored_facts(vault) == {}
    assert_in_step(vault)


def test_raw_writes_and_hard_deletes_follow(vault: Vault, position: Position) -> None:
    """What a sync apply or any other SQL writer does is followed by the triggers too."""
    trade = vault.trades.add(make_trade(position, net_pnl=Decimal(3)))
    vault.db.execute(
        "UPDATE trades SET net_pnl = '-4', net_pnl_e8 = -400000000, setup = 'gap' WHERE id = ?",
        (str(trade.id),),
    )
    assert_in_step(vault)
    vault.db.execute("DELETE FROM trades WHERE id = ?", (str(trade.id),))
    assert vault.db.scalar("SELECT count(*) FROM trade_facts") == 0


def test_a_time_the_codec_would_not_write_reads_the_trades_table(
    vault: Vault, position: Position
) -> None:
    """Text without microseconds is still a valid time: its fact is NULL, so the statistics
    read the wide rows, and still equal the pure ones."""
    trades = [
        make_trade(position, closed_at=TRADE_OPENED + timedelta(minutes=m)) for m in (5, 6, 7)
    ]
    vault.trades.add_many(trades)
    vault.db.execute(
        "UPDATE trades SET closed_at = '2024-03-04T14:36:00+00:00' WHERE id = ?",
        (str(trades[1].id),),
    )
    assert vault.db.scalar("SELECT count(*) FROM trade_facts WHERE closed_us IS NULL") == 1
    facts = statistics_facts.FactsRead(vault.db, TradeFilter())
    assert facts.row is None
    for flt in (TradeFilter(), TradeFilter(date_from=TRADE_OPENED.date())):
        assert_agree(vault, flt, UTC)


def test_keys_too_many_to_pack_read_the_trades_table(
    vault: Vault, position: Position, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.trades.add_many(
        [make_trade(position, closed_at=TRADE_OPENED + timedelta(minutes=m)) for m in (5, 6)]
    )
    monkeypatch.setattr(statistics_facts, "_KEY_LIMIT", 1)
    assert statistics_facts.FactsRead(vault.db, TradeFilter()).row is None
    assert_agree(vault, TradeFilter(), UTC)
    assert StatisticsQueries(vault.db).statistics().trade_count == 2


def test_a_trade_whose_instrument_row_is_missing_reads_the_trades_table(
    vault: Vault, position: Position
) -> None:
    """With foreign keys off, a trade can name an instrument that has no row: its fact holds 0,
    and the statistics (which show such a trade under its instrument id) read the wide rows."""
    vault.trades.add_many(
        [make_trade(position, closed_at=TRADE_OPENED + timedelta(minutes=m)) for m in (5, 6)]
    )
    stray = uuid.uuid4()
    vault.db.execute("PRAGMA foreign_keys = OFF")
    try:
        vault.db.execute(
            "UPDATE trades SET instrument_id = ? WHERE rowid = (SELECT min(rowid) FROM trades)",
            (str(stray),),
        )
    finally:
        vault.db.execute("PRAGMA foreign_keys = ON")
    assert vault.db.scalar("SELECT count(*) FROM trade_facts WHERE instrument = 0") == 1
    assert statistics_facts.FactsRead(vault.db, TradeFilter()).row is None
    for flt in (
        TradeFilter(),
        TradeFilter(instrument_ids=frozenset({stray})),
        TradeFilter(account_ids=frozenset({position.account.id})),
    ):
        assert_agree(vault, flt, UTC)
    assert str(stray) in StatisticsQueries(vault.db).statistics().by_symbol


def test_a_restored_backup_keeps_the_facts_in_step(
    vault: Vault, position: Position, key_env: KeyEnvironment, tmp_path: Path
) -> None:
    """The facts name trades by rowid: a backup must carry rowids as they are, gaps included
    (hard-deleted rows), or every figure would go to the wrong trade."""
    trades = [
        make_trade(
            position,
            closed_at=TRADE_OPENED + timedelta(minutes=m),
            net_pnl=Decimal(m - 3),
            setup=f"s{m % 3}",
        )
        for m in range(1, 9)
    ]
    vault.trades.add_many(trades)
    for gone in trades[1:6:2]:
        vault.db.execute("DELETE FROM trades WHERE id = ?", (str(gone.id),))
    vault.trades.delete(trades[6].id)
    assert_in_step(vault)
    info = backups.write_backup(vault, tmp_path / "b.jdbackup", "backup passphrase 1234")
    target = VaultPaths(tmp_path / "restored")
    with backups.restore_backup(
        info.path, target, key_env, backup_passphrase="backup passphrase 1234"
    ) as restored:
        assert stored_facts(restored) == stored_facts(vault)
        assert_in_step(restored)
