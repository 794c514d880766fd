"""Splitting and merging trades: the trader's own round trips over flat-to-flat matching.

Matching (`domain.matching`) cuts a position into trades where it goes flat. A trader sometimes
sees it differently: two ideas traded inside one round trip ("split"), or one idea spread over
several round trips ("merge"). Both are kept as *grouping operations*, an ordered list per
position, applied to the matched trades every time the position is matched again. So they
survive new executions, and they are never baked into the executions (which stay the broker's
facts).

The design, and why:

- A split names a closed trade and the fills (execution id and quantity; part of an execution
  may go) that form the new trade. The chosen fills must net to zero, so both parts are closed
  round trips. A closed trade's gross P&L is its cash flow (sells minus buys) times the
  multiplier, whatever the matching method, and cash flow is additive: the parts' gross P&L
  add up to the original exactly. Each fill's share of the trade's costs is split by quantity
  with `allocate_pro_rata` (cents, last part takes the rest), so fees and net add up exactly
  too. An open trade cannot be split: which open lots a part "owns" would change the realized
  P&L, so the parts could not add up.
- A merge names two or more trades of one position; the result keeps the first one's id (and
  with it the trader's notes), holds all their fills, and its gross, fees and net are the exact
  sums. Entry and exit prices are the averages of its opening-side and closing-side fills.
- An operation that no longer fits the trades (an execution was edited or deleted, a trade
  vanished) is skipped: the trades fall back to plain matching, and nothing is invented. A
  merge keeps its first trade's id for as long as any of its parts is left, so a trade merged
  away never comes back under the id its tombstone holds.
- Ids are stable: a split's new trade has an id chosen once when the split is made and stored
  with the operation, so re-applying it gives the same trade, and the trader's notes stay on it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

from journal_desktop.domain.matching import MatchingMethod, allocate_pro_rata, match_position
from journal_desktop.domain.records import (
    Execution,
    Fill,
    InvalidRecord,
    Side,
    Trade,
    TradeDirection,
    TradeStatus,
)

#: Sums of journal amounts are exact; a rounding would raise rather than move money.
_EXACT = Context(
    prec=10_000,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
_AVERAGE = Context(prec=80, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN)
#: Averages are rounded this many places beyond the finest price, at least AVERAGE_MIN_PLACES.
AVERAGE_EXTRA_PLACES = 4
AVERAGE_MIN_PLACES = 10


class InvalidGrouping(InvalidRecord):
    """A split or merge that cannot describe real trades; the sentence says why."""


@dataclass(frozen=True, slots=True)
class SplitOp:
    """Move `fills` of trade `trade_id` into a new trade `new_id`."""

    trade_id: uuid.UUID
    new_id: uuid.UUID
    fills: tuple[Fill, ...]


@dataclass(frozen=True, slots=True)
class MergeOp:
    """Make one trade of `trade_ids`; it keeps the id of the first one present."""

    trade_ids: tuple[uuid.UUID, ...]


GroupingOp = SplitOp | MergeOp


def consolidated_fills(fills: Iterable[Fill]) -> dict[uuid.UUID, Decimal]:
    """Quantity per execution (a merged trade may hold two parts of one flipped execution)."""
    totals: dict[uuid.UUID, Decimal] = {}
    with localcontext(_EXACT):
        for fill in fills:
            totals[fill.execution_id] = totals.get(fill.execution_id, Decimal(0)) + fill.quantity
    return totals


def fill_costs(trade: Trade, executions: Mapping[uuid.UUID, Execution]) -> dict[uuid.UUID, Decimal]:
    """Each execution's share of the trade's costs; the shares add up to `trade.fees` exactly.

    A fill of a whole execution carries the execution's commission and fees. Part of an
    execution (a flip, or an earlier split) carries what is left of the trade's costs, shared
    by quantity, so the total is exactly what matching charged the trade.
    """
    quantities = consolidated_fills(trade.fills)
    costs: dict[uuid.UUID, Decimal] = {}
    partial: list[uuid.UUID] = []
    with localcontext(_EXACT):
        for execution_id, quantity in quantities.items():
            execution = _execution(executions, execution_id)
            if quantity == execution.quantity:
                costs[execution_id] = execution.commission + execution.fees
            else:
                partial.append(execution_id)
        if partial:
            rest = trade.fees - sum(costs.values(), Decimal(0))
            shares = allocate_pro_rata(rest, [quantities[e] for e in partial])
            costs.update(zip(partial, shares, strict=True))
        elif sum(costs.values(), Decimal(0)) != trade.fees:
            raise InvalidGrouping("the trade's costs no longer match its executions")
    return costs


def split_trade(
    trade: Trade,
    executions: Mapping[uuid.UUID, Execution],
    part: Sequence[Fill],
    *,
    new_id: uuid.UUID,
    multiplier: Decimal,
    method: MatchingMethod = MatchingMethod.FIFO,
) -> tuple[Trade, Trade]:
    """The trade without `part`, and `part` as a new trade; P&L and costs add up exactly.

    Returns computed trades only (annotations empty on the new one, kept on the remainder).
    """
    if trade.status is not TradeStatus.CLOSED:
        raise InvalidGrouping("only a closed trade can be split; close the position first")
    held = consolidated_fills(trade.fills)
    chosen = consolidated_fills(part)
    if not chosen:
        raise InvalidGrouping("choose at least one fill for the new trade")
    for execution_id, quantity in chosen.items():
        if quantity <= 0:
            raise InvalidGrouping("a fill's quantity in a split must be positive")
        if quantity > held.get(execution_id, Decimal(0)):
            raise InvalidGrouping("a split can only take fills the trade holds, at most in full")
    with localcontext(_EXACT):
        rest = {e: held[e] - chosen.get(e, Decimal(0)) for e in held}
    rest = {e: q for e, q in rest.items() if q > 0}
    if not rest:
        raise InvalidGrouping("a split must leave at least one fill in the original trade")
    if _net_position(chosen, executions) != 0:
        raise InvalidGrouping(
            "the fills of the new trade must buy and sell the same quantity, so both parts "
            "are closed round trips"
        )
    costs = fill_costs(trade, executions)
    part_costs: dict[uuid.UUID, Decimal] = {}
    rest_costs: dict[uuid.UUID, Decimal] = {}
    with localcontext(_EXACT):
        for execution_id, quantity in held.items():
            taken = chosen.get(execution_id, Decimal(0))
            if taken == quantity:
                part_costs[execution_id] = costs[execution_id]
            elif taken == 0:
                rest_costs[execution_id] = costs[execution_id]
            else:
                mine, theirs = allocate_pro_rata(costs[execution_id], [taken, quantity - taken])
                part_costs[execution_id], rest_costs[execution_id] = mine, theirs
    new_trade = build_trade(chosen, part_costs, executions, multiplier, method, trade_id=new_id)
    remainder = build_trade(rest, rest_costs, executions, multiplier, method, trade_id=trade.id)
    remainder = dataclasses.replace(
        remainder, version=trade.version, stamps=trade.stamps, **annotations_of(trade)
    )
    with localcontext(_EXACT):
        if (
            new_trade.gross_pnl + remainder.gross_pnl != trade.gross_pnl
            or new_trade.fees + remainder.fees != trade.fees
        ):  # pragma: no cover - cash flow is additive; this guards the arithmetic above
            raise InvalidGrouping("the split parts do not add up to the trade")
    return remainder, new_trade


def merge_trades(
    trades: Sequence[Trade],
    executions: Mapping[uuid.UUID, Execution],
    *,
    keep_id: uuid.UUID,
) -> Trade:
    """One trade made of `trades`: exact sums of P&L and costs, all their fills."""
    if len(trades) < 2:
        raise InvalidGrouping("choose at least two trades to merge")
    positions = {(t.account_id, t.instrument_id) for t in trades}
    if len(positions) != 1:
        raise InvalidGrouping("only trades of the same account and instrument can be merged")
    if len({t.id for t in trades}) != len(trades):
        raise InvalidGrouping("a trade cannot be merged with itself")
    ordered = sorted(trades, key=lambda t: (t.opened_at, str(t.id)))
    kept = next((t for t in trades if t.id == keep_id), None)
    if kept is None:
        raise InvalidGrouping("the merged trade must keep the id of one of its trades")
    first = ordered[0]
    fills = consolidated_fills(f for t in ordered for f in t.fills)
    closed = all(t.status is TradeStatus.CLOSED for t in trades)
    with localcontext(_EXACT):
        gross = sum((t.gross_pnl for t in trades), Decimal(0))
        fees = sum((t.fees for t in trades), Decimal(0))
    entry, exit_ = _side_averages(fills, executions, first.direction)
    closes = [t.closed_at for t in trades if t.closed_at is not None]
    return dataclasses.replace(
        kept,
        direction=first.direction,
        status=TradeStatus.CLOSED if closed else TradeStatus.OPEN,
        quantity=max(t.quantity for t in trades),
        entry_price=entry if entry is not None else first.entry_price,
        exit_price=(exit_ if exit_ is not None else kept.exit_price) if closed else None,
        opened_at=first.opened_at,
        closed_at=max(closes) if closed and closes else None,
        gross_pnl=gross,
        fees=fees,
        net_pnl=_exact_sub(gross, fees),
        fills=_ordered_fills(fills, executions),
    )


def build_trade(
    quantities: Mapping[uuid.UUID, Decimal],
    costs: Mapping[uuid.UUID, Decimal],
    executions: Mapping[uuid.UUID, Execution],
    multiplier: Decimal,
    method: MatchingMethod,
    *,
    trade_id: uuid.UUID,
) -> Trade:
    """One trade from parts of executions, matched as if they were the whole position.

    Part of a round trip may go flat and open again (or cross zero) on its own; its round
    trips are then merged into one, since the trader chose these fills as one trade.
    """
    synthetic = [
        dataclasses.replace(
            _execution(executions, execution_id),
            quantity=quantity,
            commission=costs[execution_id],
            fees=Decimal(0),
        )
        for execution_id, quantity in quantities.items()
    ]
    synthetic.sort(key=lambda e: (e.executed_at, str(e.id)))
    trips = match_position(synthetic, multiplier=multiplier, method=method)
    if len(trips) == 1:
        return dataclasses.replace(trips[0], id=trade_id)
    by_id = {e.id: e for e in synthetic}
    merged = merge_trades(trips, by_id, keep_id=trips[0].id)
    return dataclasses.replace(merged, id=trade_id)


def apply_ops(
    trades: Sequence[Trade],
    executions: Mapping[uuid.UUID, Execution],
    ops: Sequence[GroupingOp],
    *,
    multiplier: Decimal,
    method: MatchingMethod = MatchingMethod.FIFO,
) -> tuple[list[Trade], list[GroupingOp]]:
    """The trades after every operation that still fits, and the operations that did.

    Applying operations to trades that already carry them changes nothing (a split whose new
    trade is present, a merge with one trade left), so the result does not depend on whether
    the caller starts from freshly matched or from stored trades.
    """
    current = {t.id: t for t in trades}
    applied: list[GroupingOp] = []
    for op in ops:
        if isinstance(op, SplitOp):
            if op.new_id in current:
                applied.append(op)
                continue
            trade = current.get(op.trade_id)
            if trade is None:
                continue
            try:
                remainder, new_trade = split_trade(
                    trade,
                    executions,
                    op.fills,
                    new_id=op.new_id,
                    multiplier=multiplier,
                    method=method,
                )
            except (InvalidGrouping, KeyError):
                continue
            current[remainder.id] = remainder
            current[new_trade.id] = new_trade
            applied.append(op)
        else:
            present = [current[i] for i in op.trade_ids if i in current]
            if not present:
                continue
            # The merged trade always carries the first id, even when only other parts are
            # left (its executions were deleted): that id is the stored trade with the
            # trader's notes, and the others' ids are tombstones that must not come back.
            keep = op.trade_ids[0]
            try:
                merged = (
                    merge_trades(present, executions, keep_id=present[0].id)
                    if len(present) > 1
                    else present[0]
                )
            except (InvalidGrouping, KeyError):
                continue
            for trade in present:
                del current[trade.id]
            current[keep] = dataclasses.replace(merged, id=keep)
            applied.append(op)
    result = sorted(current.values(), key=lambda t: (t.opened_at, str(t.id)))
    return result, applied


#: The fields a trader writes on a trade; grouping never computes them.
ANNOTATION_FIELDS = (
    "notes",
    "tag_ids",
    "setup",
    "mistakes",
    "rating",
    "initial_risk",
    "stop_price",
)


def annotations_of(trade: Trade) -> dict[str, Any]:
    return {name: getattr(trade, name) for name in ANNOTATION_FIELDS}


# -- helpers -----------------------------------------------------------------------------------


def _execution(executions: Mapping[uuid.UUID, Execution], execution_id: uuid.UUID) -> Execution:
    execution = executions.get(execution_id)
    if execution is None or execution.deleted:
        raise InvalidGrouping("a fill of this trade refers to an execution that is gone")
    return execution


def _net_position(
    quantities: Mapping[uuid.UUID, Decimal], executions: Mapping[uuid.UUID, Execution]
) -> Decimal:
    with localcontext(_EXACT):
        net = Decimal(0)
        for execution_id, quantity in quantities.items():
            side = _execution(executions, execution_id).side
            net += quantity if side is Side.BUY else -quantity
        return net


def _exact_sub(a: Decimal, b: Decimal) -> Decimal:
    with localcontext(_EXACT):
        return a - b


def _average(notional: Decimal, quantity: Decimal, places: int) -> Decimal:
    value = _AVERAGE.divide(notional, quantity).quantize(
        Decimal(1).scaleb(-places), context=_AVERAGE
    )
    normal = value.normalize(_AVERAGE)
    if normal == normal.to_integral_value():
        return normal.quantize(Decimal(1), context=_AVERAGE)
    return normal


def _side_averages(
    fills: Mapping[uuid.UUID, Decimal],
    executions: Mapping[uuid.UUID, Execution],
    direction: TradeDirection,
) -> tuple[Decimal | None, Decimal | None]:
    """Average price of the opening-side fills and of the closing-side fills."""
    opening_side = Side.BUY if direction is TradeDirection.LONG else Side.SELL
    sums = {True: [Decimal(0), Decimal(0)], False: [Decimal(0), Decimal(0)]}
    places = AVERAGE_MIN_PLACES
    with localcontext(_EXACT):
        for execution_id, quantity in fills.items():
            execution = _execution(executions, execution_id)
            bucket = sums[execution.side is opening_side]
            bucket[0] += quantity * execution.price
            bucket[1] += quantity
            exponent = execution.price.as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent + AVERAGE_EXTRA_PLACES)
    (entry_notional, entry_quantity), (exit_notional, exit_quantity) = sums[True], sums[False]
    entry = _average(entry_notional, entry_quantity, places) if entry_quantity else None
    exit_ = _average(exit_notional, exit_quantity, places) if exit_quantity else None
    return entry, exit_


def _ordered_fills(
    fills: Mapping[uuid.UUID, Decimal], executions: Mapping[uuid.UUID, Execution]
) -> tuple[Fill, ...]:
    ordered = sorted(fills, key=lambda e: (executions[e].executed_at, str(e)))
    return tuple(Fill(execution_id=e, quantity=fills[e]) for e in ordered)
