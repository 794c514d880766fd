"""Shared set-up of the trade detail tests: a manual trade in the test vault."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.storage import trade_editing
from journal_desktop.storage.trade_editing import ExecutionInput
from journal_desktop.ui.tasks import VaultTasks
from tests.ui.conftest import run_sync

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def execution(
    side: Side, quantity: str, price: str, minutes: int, *, fees: str = "0", symbol: str = "AAPL"
) -> ExecutionInput:
    return ExecutionInput(
        account="Main",
        symbol=symbol,
        asset_class=AssetClass.STOCK,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        executed_at=T0 + timedelta(minutes=minutes),
        commission=Decimal(fees),
    )


def make_trade(qtbot: QtBot, tasks: VaultTasks, *inputs: ExecutionInput) -> uuid.UUID:
    """A trade from these executions (default: buy 100 @ 10.10, sell @ 10.35, 0.35 fees)."""
    items = list(inputs) or [
        execution(Side.BUY, "100", "10.10", 0, fees="0.35"),
        execution(Side.SELL, "100", "10.35", 7),
    ]
    trades = run_sync(qtbot, tasks, lambda v: trade_editing.add_executions(v, items))
    return trades[0].id  # type: ignore[no-any-return, index]


def red_image(width: int = 40, height: int = 30) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#c0392b"))
    return image


def vault_bytes(data_dir: Path) -> bytes:
    """Every byte of every file in the vault's folder (database, WAL, key file...)."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())
