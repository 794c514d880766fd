"""Split and merge as pure functions: exact sums for any fills, idempotent re-application."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.domain.matching import MatchingMethod, match_position
from journal_desktop.domain.records import Execution, Fill, Side, TradeStatus
from journal_desktop.domain.risk import planned_risk, r_value, risk_from_stop
from journal_desktop.domain.trade_grouping import (
    InvalidGrouping,
    MergeOp,
    SplitOp,
    apply_ops,
    fill_costs,
    merge_trades,
    split_trade,
)

ACCOUNT = uuid.uuid4()
INSTRUMENT = uuid.uuid4()
T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def ex(side: Side, quantity: str, price: str, minute: int, fees: str = "0") -> Execution:
    return Execution(
        account_id=ACCOUNT,
        instrument_id=INSTRUMENT,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        executed_at=T0 + timedelta(minutes=minute),
        commission=Decimal(fees),
    )


def test_split_of_a_flip_trade_keeps_costs_exact() -> None:
    # Long 100, then sell 150 (flip: 100 close the long, 50 open a short), then cover.
    executions = [
        ex(Side.BUY, "50", "10", 0, "0.33"),
        ex(Side.BUY, "50", "10.5", 1, "0.33"),
        ex(Side.SELL, "150", "11", 2, "1.01"),
        ex(Side.BUY, "50", "10.75", 3),
    ]
    by_id = {e.id: e for e in executions}
    long_trade, _short = match_position(executions, multiplier=Decimal(1))
    assert sum(fill_costs(long_trade, by_id).values()) == long_trade.fees
    remainder, new = split_trade(
        long_trade,
        by_id,
        [Fill(executions[1].id, Decimal(50)), Fill(executions[2].id, Decimal(50))],
        new_id=uuid.uuid4(),
        multiplier=Decimal(1),
    )
    assert new.gross_pnl == Decimal(25)
    assert remainder.gross_pnl == Decimal(50)
    assert remainder.fees + new.fees == long_trade.fees
    assert remainder.net_pnl + new.net_pnl == long_trade.net_pnl


def test_an_open_trade_cannot_be_split() -> None:
    executions = [ex(Side.BUY, "10", "10", 0), ex(Side.SELL, "5", "11", 1)]
    (trade,) = match_position(executions, multiplier=Decimal(1))
    assert trade.status is TradeStatus.OPEN
    with pytest.raises(InvalidGrouping, match="closed"):
        split_trade(
            trade,
            {e.id: e for e in executions},
            [Fill(executions[1].id, Decimal(5))],
            new_id=uuid.uuid4(),
            multiplier=Decimal(1),
        )


def test_operations_apply_once_and_skip_what_no_longer_fits() -> None:
    executions = [
        ex(Side.BUY, "1", "10", 0),
        ex(Side.SELL, "1", "11", 1),
        ex(Side.BUY, "1", "10", 2),
        ex(Side.SELL, "1", "12", 3),
    ]
    by_id = {e.id: e for e in executions}
    first, second = match_position(executions, multiplier=Decimal(50))
    ops = [MergeOp((first.id, second.id)), MergeOp((first.id, uuid.uuid4()))]
    once, applied = apply_ops([first, second], by_id, ops, multiplier=Decimal(50))
    assert [t.id for t in once] == [first.id]
    assert once[0].gross_pnl == Decimal(150)
    assert applied == ops  # the second merge has one trade left: nothing to do, still fits
    twice, _ = apply_ops(once, by_id, ops, multiplier=Decimal(50))
    assert twice == once
    stale = [SplitOp(uuid.uuid4(), uuid.uuid4(), (Fill(executions[0].id, Decimal(1)),))]
    result, applied = apply_ops([first, second], by_id, stale, multiplier=Decimal(50))
    assert result == [first, second] and applied == []


def test_merge_refuses_other_positions() -> None:
    a = match_position(
        [ex(Side.BUY, "1", "1", 0), ex(Side.SELL, "1", "2", 1)], multiplier=Decimal(1)
    )
    other = Execution(
        account_id=ACCOUNT,
        instrument_id=uuid.uuid4(),
        side=Side.BUY,
        quantity=Decimal(1),
        price=Decimal(1),
        executed_at=T0,
    )
    b = match_position([other], multiplier=Decimal(1))
    with pytest.raises(InvalidGrouping, match="same account and instrument"):
        merge_trades([*a, *b], {other.id: other}, keep_id=a[0].id)


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
sizes = st.integers(min_value=1, max_value=500)
fees = st.decimals(min_value=Decimal(0), max_value=Decimal("9.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(
    legs=st.lists(st.tuples(sizes, prices, fees, prices, fees), min_size=2, max_size=5),
    take=st.integers(min_value=0, max_value=10),
    method=st.sampled_from(list(MatchingMethod)),
)
def test_split_parts_always_add_up_exactly(
    legs: list[tuple[int, Decimal, Decimal, Decimal, Decimal]], take: int, method: MatchingMethod
) -> None:
    """All buys first, then all sells: one round trip; any one lot moved out adds up."""
    buys = [ex(Side.BUY, str(q), str(p), i, str(f)) for i, (q, p, f, _, _) in enumerate(legs)]
    sells = [
        ex(Side.SELL, str(q), str(p), 100 + i, str(f)) for i, (q, _, _, p, f) in enumerate(legs)
    ]
    executions = buys + sells
    by_id = {e.id: e for e in executions}
    (trade,) = match_position(executions, multiplier=Decimal(100), method=method)
    index = take % len(legs)
    part = [
        Fill(buys[index].id, buys[index].quantity),
        Fill(sells[index].id, sells[index].quantity),
    ]
    remainder, new = split_trade(
        trade, by_id, part, new_id=uuid.uuid4(), multiplier=Decimal(100), method=method
    )
    assert remainder.gross_pnl + new.gross_pnl == trade.gross_pnl
    assert remainder.fees + new.fees == trade.fees
    assert remainder.net_pnl + new.net_pnl == trade.net_pnl
    merged = merge_trades([remainder, new], by_id, keep_id=trade.id)
    assert merged.net_pnl == trade.net_pnl and merged.fees == trade.fees


def test_risk_from_a_stop_and_r() -> None:
    assert risk_from_stop(Decimal("10.5"), Decimal("9.5"), Decimal(200), Decimal(1)) == 200
    assert risk_from_stop(Decimal("10"), Decimal("10"), Decimal(5), Decimal(1)) is None
    # A long average entry is rounded to the cent once it is money.
    assert risk_from_stop(
        Decimal("874.1666666667"), Decimal("869.5"), Decimal(300), Decimal(1)
    ) == Decimal("1400.00")
    risk = planned_risk(
        initial_risk=None,
        stop_price=Decimal(4990),
        entry_price=Decimal(5000),
        quantity=Decimal(2),
        multiplier=Decimal(50),
    )
    assert risk == Decimal(1000)
    assert r_value(Decimal(-500), risk) == Decimal("-0.5")
    assert r_value(Decimal(500), None) is None
    given_risk = planned_risk(
        initial_risk=Decimal(250),
        stop_price=Decimal(1),
        entry_price=Decimal(2),
        quantity=Decimal(1),
        multiplier=Decimal(1),
    )
    assert given_risk == Decimal(250)
