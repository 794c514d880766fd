"""Options entered by hand: the contract is its underlying, expiry, strike and right.

Imports store every option under its OCC symbol with those terms; a hand-entered fill of the
same contract must land on the same instrument, or a closing fill typed by hand would open a
second position instead of closing the imported one.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from journal_desktop.domain.records import AssetClass, Side, TradeStatus
from journal_desktop.importers.registry import parse_file
from journal_desktop.storage import trade_editing
from journal_desktop.storage.importing import import_parsed
from journal_desktop.storage.trade_editing import EditRejected, ExecutionInput
from journal_desktop.storage.vault import Vault
from tests.storage.test_trade_editing import state

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
OCC_AAPL_200_CALL = "AAPL  260320C00200000"


def option_fill(
    side: Side,
    quantity: str,
    price: str,
    minutes: int,
    *,
    strike: str = "200",
    right: str = "C",
    commission: str = "0",
    symbol: str = OCC_AAPL_200_CALL,
) -> ExecutionInput:
    return ExecutionInput(
        account="Main",
        symbol=symbol,
        asset_class=AssetClass.OPTION,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        executed_at=T0 + timedelta(minutes=minutes),
        commission=Decimal(commission),
        underlying="AAPL",
        expiry=date(2026, 3, 20),
        strike=Decimal(strike),
        option_right=right,
    )


def test_a_manual_option_trade_has_its_terms_and_100_multiplier(vault: Vault) -> None:
    """Buy 2 @ 3.10, sell 2 @ 4.25, 1.30 commission each side:
    gross (4.25 - 3.10) * 2 * 100 = 230.00; fees 2.60; net 227.40."""
    trades = trade_editing.add_executions(
        vault,
        [
            option_fill(Side.BUY, "2", "3.10", 0, commission="1.30"),
            option_fill(Side.SELL, "2", "4.25", 30, commission="1.30"),
        ],
    )
    assert len(trades) == 1
    trade = trades[0]
    assert trade.status is TradeStatus.CLOSED
    assert trade.gross_pnl == Decimal("230.00")
    assert trade.fees == Decimal("2.60")
    assert trade.net_pnl == Decimal("227.40")
    instrument = trade_editing.load_trade(vault, trade.id).instrument
    assert instrument.symbol == OCC_AAPL_200_CALL
    assert instrument.asset_class is AssetClass.OPTION
    assert instrument.underlying == "AAPL"
    assert instrument.expiry == date(2026, 3, 20)
    assert instrument.strike == Decimal(200)
    assert instrument.option_right == "C"
    assert instrument.multiplier == Decimal(100)


def test_two_strikes_are_two_contracts(vault: Vault) -> None:
    trade_editing.add_executions(vault, [option_fill(Side.BUY, "1", "3", 0)])
    trade_editing.add_executions(
        vault,
        [option_fill(Side.SELL, "1", "2", 5, strike="210", symbol="AAPL  260320C00210000")],
    )
    open_trades = [t for t in vault.trades.list_all() if t.status is TradeStatus.OPEN]
    assert len(open_trades) == 2  # a long 200 call and a short 210 call, not one flat trade


def test_a_hand_typed_closing_fill_closes_an_imported_option(vault: Vault) -> None:
    """Bought 1 by import at 3.00, sold 1 by hand at 3.50: gross (3.50 - 3.00) * 100 = 50."""
    data = b"Date,Time,Symbol,Quantity,Price,Side\n03/02/2026,09:31:00,AAPL260320C200,1,3,Buy\n"
    parsed = parse_file(data, "options.csv", format_name="generic")
    import_parsed(vault, parsed, data, "options.csv", timezone="America/New_York", account="Main")
    trades = trade_editing.add_executions(vault, [option_fill(Side.SELL, "1", "3.50", 120)])
    assert len(trades) == 1
    assert trades[0].status is TradeStatus.CLOSED
    assert trades[0].gross_pnl == Decimal("50.00")
    assert len(vault.instruments.by_symbol(OCC_AAPL_200_CALL)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expiry": None}, "expiry, strike and right"),
        ({"strike": None}, "expiry, strike and right"),
        ({"option_right": ""}, "expiry, strike and right"),
        ({"option_right": "X"}, "expiry, strike and right"),
        ({"strike": Decimal(-5)}, "strike must be positive"),
        ({"underlying": " "}, "underlying"),
    ],
)
def test_an_option_without_its_terms_is_refused_and_nothing_changes(
    vault: Vault, changes: dict[str, object], message: str
) -> None:
    before = state(vault)
    item = dataclasses.replace(option_fill(Side.BUY, "1", "3", 0), **changes)  # type: ignore[arg-type]
    with pytest.raises(EditRejected, match=message):
        trade_editing.add_executions(vault, [item])
    assert state(vault) == before


def test_a_stock_with_option_terms_is_refused(vault: Vault) -> None:
    before = state(vault)
    item = ExecutionInput(
        account="Main",
        symbol="AAPL",
        asset_class=AssetClass.STOCK,
        side=Side.BUY,
        quantity=Decimal(1),
        price=Decimal(3),
        executed_at=T0,
        strike=Decimal(200),
    )
    with pytest.raises(EditRejected, match="Only an option"):
        trade_editing.add_executions(vault, [item])
    assert state(vault) == before
