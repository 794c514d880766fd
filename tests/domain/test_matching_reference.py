"""Matching against a second, deliberately plain implementation in exact fractions.

The property tests of test_matching.py check what every method shares (a flat round trip sums
to the cash flow); this one checks what tells the methods apart: the P&L realized by each exit
of a position still open, under FIFO, LIFO and the weighted average, on random tapes with
scaling in and out, partial exits and flips.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.domain.matching import MatchingMethod, match_position
from journal_desktop.domain.records import Execution, Side, TradeStatus

ACCOUNT = uuid.UUID(int=1)
INSTRUMENT = uuid.UUID(int=2)
START = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def reference(
    fills: list[tuple[int, Fraction, Fraction]], method: MatchingMethod, multiplier: Fraction
) -> list[Fraction]:
    """Gross P&L of each round trip: `fills` are (signed quantity, price, _)."""
    results: list[Fraction] = []
    lots: list[list[Fraction]] = []  # [quantity > 0, price], oldest first
    sign = 0  # +1 long, -1 short, 0 flat
    realized = Fraction(0)
    for signed, price, _ in fills:
        quantity = Fraction(abs(signed))
        direction = 1 if signed > 0 else -1
        if sign in (0, direction):
            lots.append([quantity, price])
            sign = direction
            continue
        while quantity > 0 and lots:
            if method is MatchingMethod.AVERAGE:
                held = sum(lot[0] for lot in lots)
                average = sum(lot[0] * lot[1] for lot in lots) / held
                lots = [[held, average]]
            lot = lots[-1] if method is MatchingMethod.LIFO else lots[0]
            taken = min(quantity, lot[0])
            realized += sign * taken * (price - lot[1])
            lot[0] -= taken
            quantity -= taken
            if lot[0] == 0:
                lots.remove(lot)
        if not lots:
            results.append(realized * multiplier)
            realized = Fraction(0)
            sign = 0
            if quantity > 0:  # a flip: the rest opens the other way
                lots.append([quantity, price])
                sign = direction
    if lots:
        results.append(realized * multiplier)
    return results


prices = st.integers(min_value=1, max_value=40_000).map(lambda cents: Fraction(cents, 100))
steps = st.lists(
    st.tuples(
        st.integers(min_value=-30, max_value=30).filter(bool),
        prices,
        st.just(Fraction(0)),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=400)
@given(steps, st.sampled_from(list(MatchingMethod)), st.sampled_from(["1", "5", "0.5", "100"]))
def test_each_round_trips_gross_equals_a_plain_lot_matching(
    fills: list[tuple[int, Fraction, Fraction]], method: MatchingMethod, multiplier: str
) -> None:
    executions = [
        Execution(
            id=uuid.UUID(int=10_000 + n),
            account_id=ACCOUNT,
            instrument_id=INSTRUMENT,
            side=Side.BUY if signed > 0 else Side.SELL,
            quantity=Decimal(abs(signed)),
            price=Decimal(price.numerator) / Decimal(price.denominator),
            executed_at=START + timedelta(minutes=n),
        )
        for n, (signed, price, _) in enumerate(fills)
    ]
    trades = match_position(executions, multiplier=Decimal(multiplier), method=method)
    expected = reference(fills, method, Fraction(multiplier))
    assert len(trades) == len(expected)
    for trade, gross in zip(trades, expected, strict=True):
        got = Fraction(trade.gross_pnl)
        if method is MatchingMethod.AVERAGE and trade.status is TradeStatus.OPEN:
            # The running average of an open position is rounded far beyond the cent.
            assert abs(got - gross) < Fraction(1, 10**6)
        else:
            assert got == gross
