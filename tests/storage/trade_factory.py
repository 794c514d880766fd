"""Many trades, quickly and deterministically, through the storage API (one transaction).

Shared by the trade-list, tagging and trades-screen tests. Trade `i` is predictable: its net
P&L is unique, every 50th trade is still open, even ones are long, and `notes` may give some
trades words to search for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from journal_desktop.domain.records import (
    Account,
    AssetClass,
    Instrument,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.storage.vault import Vault

#: The first trade opens here; one opens every 30 minutes after it.
START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
SYMBOLS = ("AAPL", "MSFT", "ESH4", "NVDA")


@dataclass(frozen=True, slots=True)
class TradeSet:
    accounts: tuple[Account, ...]
    instruments: tuple[Instrument, ...]
    trades: tuple[Trade, ...]


def net_of(i: int) -> Decimal:
    """Unique for i < 20011 (7919 and the prime 20011 are coprime)."""
    return Decimal((i * 7919) % 20011 - 10000) / 100


def make_trade(i: int, account: Account, instrument: Instrument, notes: str = "") -> Trade:
    opened = START + timedelta(minutes=30 * i)
    is_open = i % 50 == 49
    direction = TradeDirection.LONG if i % 2 == 0 else TradeDirection.SHORT
    common = {
        "account_id": account.id,
        "instrument_id": instrument.id,
        "direction": direction,
        "quantity": Decimal(1 + i % 5),
        "entry_price": Decimal("100.25") + i % 7,
        "opened_at": opened,
        "notes": notes,
        "setup": ("Breakout", "Pullback", "")[i % 3],
        "initial_risk": Decimal(100) if i % 2 == 0 else None,
    }
    if is_open:
        return Trade(status=TradeStatus.OPEN, **common)  # type: ignore[arg-type]
    net = net_of(i)
    return Trade(
        status=TradeStatus.CLOSED,
        exit_price=Decimal("101.5") + i % 3,
        closed_at=opened + timedelta(minutes=10 + i % 17),
        gross_pnl=net + 1,
        fees=Decimal(1),
        net_pnl=net,
        **common,  # type: ignore[arg-type]
    )


def add_trades(vault: Vault, count: int, notes: Mapping[int, str] | None = None) -> TradeSet:
    """`count` trades over two accounts and four instruments, in one transaction."""
    notes = notes or {}
    with vault.transaction():
        accounts = tuple(vault.accounts.add_many([Account(name="Main"), Account(name="Swing")]))
        instruments = tuple(
            vault.instruments.add_many(
                [
                    Instrument(
                        symbol=s,
                        asset_class=AssetClass.FUTURE if s == "ESH4" else AssetClass.STOCK,
                    )
                    for s in SYMBOLS
                ]
            )
        )
        trades = tuple(
            vault.trades.add_many(
                [
                    make_trade(i, accounts[i % 2], instruments[i % len(SYMBOLS)], notes.get(i, ""))
                    for i in range(count)
                ]
            )
        )
    return TradeSet(accounts, instruments, trades)
