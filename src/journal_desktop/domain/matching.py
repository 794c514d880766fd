"""Execution matching: broker fills become round-trip trades, flat to flat.

A trade starts when a position opens from flat and ends when it is flat again; everything in
between (scaling in, partial exits) belongs to it. One execution that crosses zero (long 100,
sell 150) is split: its first part closes the old trade, the rest opens a new one in the other
direction, and its commission and fees are shared between the parts by quantity.

Decisions a reader of the numbers should know:

- `Trade.quantity` is the largest absolute position reached during the round trip.
- Realized P&L depends on the method only while a position is partly closed: FIFO and LIFO
  match each exit against the oldest or newest open lots, the weighted-average method against
  the running average cost. A round trip that ends flat has the same P&L under every method
  (all of its buys against all of its sells).
- A position still open at the end stays an OPEN trade: exit price and close time are None,
  `gross_pnl` is what its partial exits realized so far (0 without any), `fees` the costs of
  its fills so far, and `net_pnl` their difference.
- Arithmetic is exact. Additions and products run in a context that raises if it would ever
  round. Only three values need a division: average prices, the weighted-average method's
  cost of a partial exit, and a flip's fee split. Averages are exact when their decimal
  expansion ends within a few places of their inputs and otherwise rounded half-even there;
  the average method's rounding stays in the remaining cost basis, so a closed trade's P&L is
  still exact; a fee split is rounded to the cent (or the fee's own finer unit) and the last
  part takes the remainder, so the parts add up to the execution's costs exactly.
- Trade ids are uuid5 of `TRADE_ID_NAMESPACE` and the id of the execution that opened the
  trade (with `/1` for the opening part of a flip). Matching again after more executions
  arrive gives the same round trips the same ids, which is how the trader's notes and tags
  stay attached to them.
"""

from __future__ import annotations

import enum
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Final, Protocol

from journal_desktop.domain.records import (
    Execution,
    Fill,
    Side,
    Trade,
    TradeDirection,
    TradeStatus,
)


class MatchingMethod(enum.StrEnum):
    """Which open lots a partial exit is matched against."""

    FIFO = "fifo"
    LIFO = "lifo"
    AVERAGE = "average"


class Matchable(Protocol):
    """What matching reads of an execution: an `Execution`, or any lighter object with the
    same fields (an import matches 100,000 fresh fills without building records for them)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def instrument_id(self) -> uuid.UUID: ...
    @property
    def side(self) -> Side: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def executed_at(self) -> datetime: ...
    @property
    def commission(self) -> Decimal: ...
    @property
    def fees(self) -> Decimal: ...
    @property
    def deleted(self) -> bool: ...


#: Fixed forever: changing it would give every stored trade a new id and orphan its notes.
TRADE_ID_NAMESPACE: Final = uuid.UUID("5f0c8a8e-3b1d-5c47-9a53-2f1e6b7d4c10")

#: Averages and average-cost shares that do not end are rounded this many decimal places
#: beyond the finest input, and never at fewer than MIN_DIVISION_PLACES places.
EXTRA_DIVISION_PLACES: Final = 4
MIN_DIVISION_PLACES: Final = 10

#: Fee splits are rounded to the cent, or to the fee's own unit when it is finer.
FEE_PLACES: Final = 2

#: Sums and products of journal amounts (at most 40 digits each) fit easily; `Inexact` is
#: trapped so any rounding that slipped in would raise instead of moving money.
_EXACT: Final = Context(
    prec=10_000,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)


#: Tries a quotient at up to 60 digits; `Inexact` says it does not end there.
_QUICK: Final = Context(
    prec=60,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)


def trade_id(opening_execution_id: uuid.UUID, part: int = 0) -> uuid.UUID:
    """The id of the trade an execution opened; `part` 1 is the opening part of a flip."""
    name = str(opening_execution_id) if part == 0 else f"{opening_execution_id}/{part}"
    return uuid.uuid5(TRADE_ID_NAMESPACE, name)


def allocate_pro_rata(total: Decimal, quantities: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` by quantity; the parts add up to `total` exactly.

    Each part but the last is rounded half-even to the cent, or to `total`'s own unit when
    that is finer; the last part takes what is left, so no fraction of a cent is lost or made.
    """
    if not quantities or any(q <= 0 for q in quantities):
        raise ValueError("allocation needs at least one positive quantity")
    places = max(FEE_PLACES, _decimals(total))
    parts: list[Decimal] = []
    with localcontext(_EXACT):
        whole = sum(quantities, Decimal(0))
        for quantity in quantities[:-1]:
            parts.append(_round_quotient(total * quantity, whole, places))
        parts.append(total - sum(parts, Decimal(0)))
    return parts


def realized_cash_flow(executions: Iterable[Execution], multiplier: Decimal) -> Decimal:
    """Money received for sells minus money paid for buys, before costs.

    For executions that end flat this is exactly the gross P&L of all their round trips,
    whatever the matching method: a check on the matching, used by the property tests.
    """
    with localcontext(_EXACT):
        flow = Decimal(0)
        for execution in executions:
            if execution.deleted:
                continue
            notional = execution.quantity * execution.price
            flow += notional if execution.side is Side.SELL else -notional
        return flow * multiplier


def match_position(
    executions: Sequence[Matchable],
    *,
    multiplier: Decimal,
    method: MatchingMethod = MatchingMethod.FIFO,
) -> list[Trade]:
    """The round trips of one account's position in one instrument, oldest first.

    Executions are taken in time order (ties keep the order given); deleted executions are
    skipped. Every returned trade is new (version 0); the storage layer keeps the trader's own
    fields by id.
    """
    _check_multiplier(multiplier)
    live = [e for e in executions if not e.deleted]
    _check_one_position(live)
    ordered = sorted(live, key=lambda e: e.executed_at)
    with localcontext(_EXACT):
        matcher = _Matcher(multiplier, method)
        for execution in ordered:
            matcher.add(execution)
        return matcher.finish()


def match_all(
    executions: Sequence[Execution],
    multipliers: Mapping[uuid.UUID, Decimal],
    method: MatchingMethod = MatchingMethod.FIFO,
) -> list[Trade]:
    """Round trips for every (account, instrument) position, ordered by open time.

    `multipliers` maps each instrument's id to its multiplier; a missing one is an error, not
    a silent 1, because it would scale that instrument's P&L wrongly.
    """
    groups: dict[tuple[uuid.UUID, uuid.UUID], list[Execution]] = {}
    live = (e for e in executions if not e.deleted)
    for execution in sorted(live, key=lambda e: e.executed_at):
        groups.setdefault((execution.account_id, execution.instrument_id), []).append(execution)
    trades: list[Trade] = []
    for (_, instrument_id), group in groups.items():
        if instrument_id not in multipliers:
            raise ValueError(f"no multiplier given for instrument {instrument_id}")
        trades.extend(match_position(group, multiplier=multipliers[instrument_id], method=method))
    trades.sort(key=lambda t: t.opened_at)
    return trades


def _check_multiplier(multiplier: Decimal) -> None:
    if not isinstance(multiplier, Decimal) or not multiplier.is_finite() or multiplier <= 0:
        raise ValueError(f"the multiplier must be a positive Decimal, not {multiplier!r}")


def _check_one_position(executions: Sequence[Matchable]) -> None:
    keys = {(e.account_id, e.instrument_id) for e in executions}
    if len(keys) > 1:
        raise ValueError(
            "match_position takes one account's executions in one instrument; "
            "use match_all for several"
        )


def _decimals(value: Decimal) -> int:
    """How many decimal places a value is written with (0 for integers)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite values only: records refuse the others
    return max(0, -exponent)


def _round_quotient(numerator: Decimal, denominator: Decimal, places: int) -> Decimal:
    """`numerator / denominator` exactly when it has at most `places` decimals, else rounded
    half-even there; in integers, so no decimal context can round it a second time."""
    a, b = numerator.as_integer_ratio()
    c, d = denominator.as_integer_ratio()
    top, bottom = a * d * 10**places, b * c
    if bottom < 0:
        top, bottom = -top, -bottom
    units, rest = divmod(top, bottom)  # floor: rest / bottom is the fraction above `units`
    if 2 * rest > bottom or (2 * rest == bottom and units % 2):
        units += 1
    return Decimal(units).scaleb(-places, context=_EXACT)


def _trim(value: Decimal) -> Decimal:
    """The same value without trailing zeros after the point (`10.50000` -> `10.5`)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=_EXACT)
    return value.normalize(context=_EXACT)


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """A quotient for averages: exact when it ends near the inputs' precision, else rounded."""
    try:
        # Most averages end (one price, or round sizes): the plain quotient is then exact,
        # and the same value `_round_quotient` gives, without its integer arithmetic.
        exact: Decimal | None = _trim(_QUICK.divide(numerator, denominator))
    except Inexact:
        exact = None
    if exact is not None and _decimals(exact) <= MIN_DIVISION_PLACES:
        return exact  # within the places any quotient keeps
    places = max(
        MIN_DIVISION_PLACES,
        _decimals(numerator) + _decimals(denominator) + EXTRA_DIVISION_PLACES,
    )
    if exact is not None and _decimals(exact) <= places:
        return exact
    return _trim(_round_quotient(numerator, denominator, places))


class _Lots:
    """Open lots of one direction, matched oldest first (FIFO) or newest first (LIFO)."""

    def __init__(self, *, newest_first: bool) -> None:
        self._lots: deque[tuple[Decimal, Decimal]] = deque()  # (quantity, price)
        self._newest_first = newest_first

    def open(self, quantity: Decimal, price: Decimal) -> None:
        self._lots.append((quantity, price))

    def close(self, quantity: Decimal) -> Decimal:
        """Remove `quantity` from the lots; returns its cost (sum of quantity x price)."""
        cost = Decimal(0)
        while quantity > 0:
            lot_quantity, lot_price = (
                self._lots.pop() if self._newest_first else self._lots.popleft()
            )
            taken = min(quantity, lot_quantity)
            cost += taken * lot_price
            quantity -= taken
            if lot_quantity > taken:
                self._put_back((lot_quantity - taken, lot_price))
        return cost

    def _put_back(self, lot: tuple[Decimal, Decimal]) -> None:
        """Return the unmatched rest of a lot to the end it was taken from."""
        if self._newest_first:
            self._lots.append(lot)
        else:
            self._lots.appendleft(lot)


class _AverageCost:
    """One pooled lot at the running average cost (the weighted-average method).

    A partial exit's share of the cost is rounded at a number of places fixed by the lots
    opened (not by the running cost, whose digits would otherwise grow with every exit).
    """

    def __init__(self) -> None:
        self._quantity = Decimal(0)
        self._cost = Decimal(0)
        self._places = MIN_DIVISION_PLACES

    def open(self, quantity: Decimal, price: Decimal) -> None:
        notional = quantity * price
        self._quantity += quantity
        self._cost += notional
        self._places = max(self._places, _decimals(notional) + EXTRA_DIVISION_PLACES)

    def close(self, quantity: Decimal) -> Decimal:
        """Remove `quantity` at the average cost.

        Closing everything takes exactly the cost that is left (rounding at `_places` cannot
        change a value that has no more decimals), so earlier roundings cancel out.
        """
        cost = _trim(_round_quotient(self._cost * quantity, self._quantity, self._places))
        self._quantity -= quantity
        self._cost -= cost
        return cost


def _inventory(method: MatchingMethod) -> _Lots | _AverageCost:
    if method is MatchingMethod.AVERAGE:
        return _AverageCost()
    return _Lots(newest_first=method is MatchingMethod.LIFO)


@dataclass(slots=True)
class _RoundTrip:
    """A trade being built: its fills, position and running totals."""

    id: uuid.UUID
    direction: TradeDirection
    opened_at: datetime
    inventory: _Lots | _AverageCost
    position: Decimal = Decimal(0)
    peak: Decimal = Decimal(0)
    opened_quantity: Decimal = Decimal(0)
    opened_notional: Decimal = Decimal(0)
    closed_quantity: Decimal = Decimal(0)
    closed_notional: Decimal = Decimal(0)
    realized: Decimal = Decimal(0)  # in price units x quantity; times the multiplier later
    fees: Decimal = Decimal(0)
    closed_at: datetime | None = None
    fills: list[Fill] = field(default_factory=list)

    def open(self, execution: Matchable, quantity: Decimal, costs: Decimal) -> None:
        self.inventory.open(quantity, execution.price)
        self.position += quantity
        self.peak = max(self.peak, self.position)
        self.opened_quantity += quantity
        self.opened_notional += quantity * execution.price
        self._add_fill(execution, quantity, costs)

    def close(self, execution: Matchable, quantity: Decimal, costs: Decimal) -> None:
        cost = self.inventory.close(quantity)
        proceeds = quantity * execution.price
        gain = proceeds - cost
        self.realized += gain if self.direction is TradeDirection.LONG else -gain
        self.position -= quantity
        self.closed_quantity += quantity
        self.closed_notional += proceeds
        self.closed_at = execution.executed_at
        self._add_fill(execution, quantity, costs)

    def _add_fill(self, execution: Matchable, quantity: Decimal, costs: Decimal) -> None:
        self.fees += costs
        self.fills.append(Fill(execution_id=execution.id, quantity=quantity))

    def to_trade(self, template: Matchable, multiplier: Decimal) -> Trade:
        is_closed = self.position == 0
        gross = self.realized * multiplier
        return Trade(
            id=self.id,
            account_id=template.account_id,
            instrument_id=template.instrument_id,
            direction=self.direction,
            status=TradeStatus.CLOSED if is_closed else TradeStatus.OPEN,
            quantity=self.peak,
            entry_price=_divide(self.opened_notional, self.opened_quantity),
            exit_price=_divide(self.closed_notional, self.closed_quantity) if is_closed else None,
            opened_at=self.opened_at,
            closed_at=self.closed_at if is_closed else None,
            gross_pnl=gross,
            fees=self.fees,
            net_pnl=gross - self.fees,
            fills=tuple(self.fills),
        )


class _Matcher:
    """Walks one position's executions in time order and collects its round trips."""

    def __init__(self, multiplier: Decimal, method: MatchingMethod) -> None:
        self._multiplier = multiplier
        self._method = method
        self._current: _RoundTrip | None = None
        self._template: Matchable | None = None
        self._trades: list[Trade] = []

    def add(self, execution: Matchable) -> None:
        self._template = execution
        costs = execution.commission + execution.fees
        direction = TradeDirection.LONG if execution.side is Side.BUY else TradeDirection.SHORT
        current = self._current
        if current is None:
            self._start(execution, direction, execution.quantity, costs, part=0)
        elif current.direction is direction:
            current.open(execution, execution.quantity, costs)
        elif execution.quantity <= current.position:
            current.close(execution, execution.quantity, costs)
            if current.position == 0:
                self._end(current)
        else:
            self._flip(current, execution, direction, costs)

    def _flip(
        self,
        current: _RoundTrip,
        execution: Matchable,
        direction: TradeDirection,
        costs: Decimal,
    ) -> None:
        """One execution that crosses zero: close the old trade, open the new one."""
        closing = current.position
        opening = execution.quantity - closing
        closing_costs, opening_costs = allocate_pro_rata(costs, [closing, opening])
        current.close(execution, closing, closing_costs)
        self._end(current)
        self._start(execution, direction, opening, opening_costs, part=1)

    def _start(
        self,
        execution: Matchable,
        direction: TradeDirection,
        quantity: Decimal,
        costs: Decimal,
        *,
        part: int,
    ) -> None:
        self._current = _RoundTrip(
            id=trade_id(execution.id, part),
            direction=direction,
            opened_at=execution.executed_at,
            inventory=_inventory(self._method),
        )
        self._current.open(execution, quantity, costs)

    def _end(self, trip: _RoundTrip) -> None:
        assert self._template is not None
        self._trades.append(trip.to_trade(self._template, self._multiplier))
        self._current = None

    def finish(self) -> list[Trade]:
        """The closed round trips, then the open one if a position remains."""
        if self._current is not None and self._template is not None:
            self._trades.append(self._current.to_trade(self._template, self._multiplier))
            self._current = None
        return self._trades
