"""Execution matching against hand-worked cases, a broker's own pairing, and properties."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.domain.contracts import default_multiplier, point_value
from journal_desktop.domain.imported import InstrumentSpec
from journal_desktop.domain.matching import (
    MatchingMethod,
    allocate_pro_rata,
    match_all,
    match_position,
    realized_cash_flow,
    trade_id,
)
from journal_desktop.domain.records import (
    AssetClass,
    Execution,
    Fill,
    Side,
    Trade,
    TradeDirection,
    TradeStatus,
)

ACCOUNT = uuid.UUID(int=1)
INSTRUMENT = uuid.UUID(int=2)
START = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
ONE = Decimal(1)
BUY, SELL = Side.BUY, Side.SELL
METHODS = list(MatchingMethod)

#: The real broker exports beside the repository (CI checks out shared/ next to it).
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
TRADOVATE_PAIRS = SAMPLES / "tradovate" / "performance-paired-trades.csv"


def ex(
    n: int,
    side: Side,
    quantity: str | int,
    price: str | int,
    *,
    commission: str = "0",
    fees: str = "0",
    account: uuid.UUID = ACCOUNT,
    instrument: uuid.UUID = INSTRUMENT,
    deleted: bool = False,
) -> Execution:
    """Execution number `n`: id and time follow from n, one minute apart."""
    return Execution(
        id=uuid.UUID(int=1000 + n),
        account_id=account,
        instrument_id=instrument,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        executed_at=START + timedelta(minutes=n),
        commission=Decimal(commission),
        fees=Decimal(fees),
        deleted=deleted,
    )


def only(trades: list[Trade]) -> Trade:
    assert len(trades) == 1, trades
    return trades[0]


def total(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


# --- the hand-worked case of the issue ------------------------------------------------------

SCALED_IN = [ex(0, BUY, 100, 10), ex(1, BUY, 100, 12), ex(2, SELL, 100, 15)]


@pytest.mark.parametrize(
    ("method", "realized"),
    [(MatchingMethod.FIFO, 500), (MatchingMethod.LIFO, 300), (MatchingMethod.AVERAGE, 400)],
)
def test_a_partial_exit_realizes_by_the_method(method: MatchingMethod, realized: int) -> None:
    trade = only(match_position(SCALED_IN, multiplier=ONE, method=method))
    assert trade.status is TradeStatus.OPEN
    assert trade.gross_pnl == realized
    assert trade.net_pnl == realized
    assert trade.entry_price == 11
    assert trade.exit_price is None
    assert trade.closed_at is None
    assert trade.quantity == 200


@pytest.mark.parametrize("method", METHODS)
def test_the_round_trip_totals_the_same_under_every_method(method: MatchingMethod) -> None:
    executions = [*SCALED_IN, ex(3, SELL, 100, 15)]
    trade = only(match_position(executions, multiplier=ONE, method=method))
    assert trade.status is TradeStatus.CLOSED
    assert trade.gross_pnl == 800  # 500 + 300 by lots, 400 + 400 at average cost
    assert trade.direction is TradeDirection.LONG
    assert (trade.entry_price, trade.exit_price) == (Decimal(11), Decimal(15))
    assert (trade.opened_at, trade.closed_at) == (START, START + timedelta(minutes=3))
    assert trade.quantity == 200
    assert trade.fills == tuple(Fill(e.id, e.quantity) for e in executions)


def test_the_method_is_fifo_unless_asked() -> None:
    assert only(match_position(SCALED_IN, multiplier=ONE)).gross_pnl == 500


# --- shorts, scaling, flips -------------------------------------------------------------------


def test_a_winning_short() -> None:
    trade = only(match_position([ex(0, SELL, 100, 20), ex(1, BUY, 100, 18)], multiplier=ONE))
    assert trade.direction is TradeDirection.SHORT
    assert trade.gross_pnl == 200
    assert (trade.entry_price, trade.exit_price) == (Decimal(20), Decimal(18))


@pytest.mark.parametrize(
    ("method", "realized"),
    [(MatchingMethod.FIFO, -60), (MatchingMethod.LIFO, -20), (MatchingMethod.AVERAGE, -40)],
)
def test_a_short_scaled_in_and_partly_covered(method: MatchingMethod, realized: int) -> None:
    # Short 10 @ 20 and 10 @ 24, cover 10 @ 26: the oldest lot lost 6 a share, the newest 2.
    executions = [ex(0, SELL, 10, 20), ex(1, SELL, 10, 24), ex(2, BUY, 10, 26)]
    trade = only(match_position(executions, multiplier=ONE, method=method))
    assert trade.status is TradeStatus.OPEN
    assert trade.gross_pnl == realized
    executions.append(ex(3, BUY, 10, 26))
    assert only(match_position(executions, multiplier=ONE, method=method)).gross_pnl == -80


def test_scaling_in_and_out_is_one_trade() -> None:
    executions = [
        ex(0, BUY, 100, 10),
        ex(1, BUY, 50, 11),
        ex(2, SELL, 75, 12),
        ex(3, BUY, 25, 9),
        ex(4, SELL, 100, 13),
    ]
    trade = only(match_position(executions, multiplier=ONE))
    assert trade.status is TradeStatus.CLOSED
    assert trade.quantity == 150  # the largest position, not the 175 bought in all
    assert trade.gross_pnl == 2200 - 1775
    # 1775 / 175 and 2200 / 175 do not end: rounded half-even at the 10th place.
    assert trade.entry_price == Decimal("10.1428571429")
    assert trade.exit_price == Decimal("12.5714285714")


def test_flat_to_flat_makes_separate_trades() -> None:
    executions = [ex(0, BUY, 5, 10), ex(1, SELL, 5, 11), ex(2, SELL, 5, 12), ex(3, BUY, 5, 13)]
    first, second = match_position(executions, multiplier=ONE)
    assert (first.direction, first.gross_pnl) == (TradeDirection.LONG, Decimal(5))
    assert (second.direction, second.gross_pnl) == (TradeDirection.SHORT, Decimal(-5))
    assert first.id == trade_id(executions[0].id)
    assert second.id == trade_id(executions[2].id)


def test_a_flip_splits_the_execution_and_its_costs() -> None:
    executions = [
        ex(0, BUY, 100, 10, commission="1.00"),
        ex(1, SELL, 150, 12, commission="3.00", fees="0.30"),
        ex(2, BUY, 50, 11, commission="1.00"),
    ]
    closing, opening = match_position(executions, multiplier=ONE)

    assert closing.direction is TradeDirection.LONG
    assert closing.status is TradeStatus.CLOSED
    assert closing.fills == (
        Fill(executions[0].id, Decimal(100)),
        Fill(executions[1].id, Decimal(100)),
    )
    assert closing.gross_pnl == 200
    assert closing.fees == Decimal("1.00") + Decimal("2.20")  # 100/150 of 3.30
    assert closing.net_pnl == Decimal("196.80")
    assert closing.exit_price == 12
    assert closing.id == trade_id(executions[0].id)

    assert opening.direction is TradeDirection.SHORT
    assert opening.status is TradeStatus.CLOSED
    assert opening.fills == (
        Fill(executions[1].id, Decimal(50)),
        Fill(executions[2].id, Decimal(50)),
    )
    assert opening.quantity == 50
    assert opening.entry_price == 12
    assert opening.opened_at == executions[1].executed_at
    assert opening.gross_pnl == 50
    assert opening.fees == Decimal("1.10") + Decimal("1.00")
    assert opening.id == trade_id(executions[1].id, 1)
    assert opening.id != trade_id(executions[1].id)


def test_a_flip_shares_a_dollar_to_the_cent() -> None:
    # One to close, two to open: a third of 1.00 is 0.33, the rest 0.67; nothing lost.
    executions = [ex(0, BUY, 1, 10), ex(1, SELL, 3, 11, commission="1.00")]
    closing, opening = match_position(executions, multiplier=ONE)
    assert closing.fees == Decimal("0.33")
    assert opening.fees == Decimal("0.67")
    assert opening.status is TradeStatus.OPEN
    assert opening.quantity == 2


def test_an_exact_flat_is_no_flip() -> None:
    executions = [ex(0, BUY, 3, 10), ex(1, SELL, 3, 11, commission="1.00")]
    trade = only(match_position(executions, multiplier=ONE))
    assert trade.fees == Decimal("1.00")


# --- fee allocation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "quantities", "parts"),
    [
        ("1.00", [1, 1, 1], ["0.33", "0.33", "0.34"]),
        ("1.00", [1, 2], ["0.33", "0.67"]),
        ("1", [2, 1], ["0.67", "0.33"]),
        ("3.30", [100, 50], ["2.20", "1.10"]),
        ("0.0035", [1, 2], ["0.0012", "0.0023"]),  # a finer unit than the cent is kept
        ("0.05", [1, 1], ["0.02", "0.03"]),  # half-even, the remainder to the last part
        ("0.07", [1, 1], ["0.04", "0.03"]),
        ("-0.07", [1, 1], ["-0.04", "-0.03"]),
        ("-0.05", [1, 1], ["-0.02", "-0.03"]),
        ("-1.00", [1, 2], ["-0.33", "-0.67"]),  # a rebate splits the same way
        ("0", [1, 2], ["0", "0"]),
        ("4.70", ["0.5", "0.25"], ["3.13", "1.57"]),
    ],
)
def test_allocation_is_exact_to_the_unit(
    amount: str, quantities: list[int | str], parts: list[str]
) -> None:
    result = allocate_pro_rata(Decimal(amount), [Decimal(q) for q in quantities])
    assert result == [Decimal(p) for p in parts]
    assert total(result) == Decimal(amount)


@pytest.mark.parametrize("quantities", [[], [Decimal(0)], [Decimal(1), Decimal(-1)]])
def test_allocation_needs_positive_quantities(quantities: list[Decimal]) -> None:
    with pytest.raises(ValueError, match="positive"):
        allocate_pro_rata(Decimal(1), quantities)


# --- multipliers ----------------------------------------------------------------------------


def test_futures_pnl_uses_the_point_value() -> None:
    multiplier = point_value("MESH6")
    assert multiplier is not None
    executions = [ex(0, BUY, 2, "5000.25"), ex(1, SELL, 2, "5010.50")]
    assert only(match_position(executions, multiplier=multiplier)).gross_pnl == Decimal("102.50")


def test_options_pnl_uses_100_shares_a_contract() -> None:
    multiplier = default_multiplier(
        InstrumentSpec(symbol="SPY 260619C00600000", asset_class=AssetClass.OPTION)
    )
    executions = [ex(0, BUY, 3, "2.15", commission="1.95"), ex(1, SELL, 3, "3.40")]
    trade = only(match_position(executions, multiplier=multiplier))
    assert trade.gross_pnl == Decimal("375.00")
    assert trade.net_pnl == Decimal("373.05")


def test_a_fractional_multiplier_is_exact() -> None:
    executions = [ex(0, SELL, 3, "42000.5"), ex(1, BUY, 3, "42001.25")]  # MYM, $0.50 a point
    assert only(match_position(executions, multiplier=Decimal("0.5"))).gross_pnl == Decimal(
        "-1.125"
    )


@pytest.mark.parametrize("bad", [Decimal(0), Decimal(-2), Decimal("Infinity")])
def test_a_multiplier_must_be_positive(bad: Decimal) -> None:
    with pytest.raises(ValueError, match="multiplier"):
        match_position(SCALED_IN, multiplier=bad)


def test_arithmetic_never_rounds_past_28_digits() -> None:
    # The default decimal context keeps 28 digits and would round this product.
    quantity, entry, leave = "987654321.987654321", "123456789012.123456789", "123456789013.5"
    executions = [ex(0, BUY, quantity, entry), ex(1, SELL, quantity, leave)]
    expected = (Fraction(leave) - Fraction(entry)) * Fraction(quantity) * 7
    trade = only(match_position(executions, multiplier=Decimal(7)))
    assert Fraction(trade.gross_pnl) == expected


# --- average cost rounding ------------------------------------------------------------------


def test_average_cost_rounding_never_reaches_a_closed_trade() -> None:
    # Average cost 32/3 has no finite decimal: the partial exit is rounded, the total is not.
    executions = [ex(0, BUY, 1, 10), ex(1, BUY, 2, 11), ex(2, SELL, 1, 12)]
    method = MatchingMethod.AVERAGE
    partial = only(match_position(executions, multiplier=ONE, method=method))
    assert partial.gross_pnl == Decimal("1.3333333333")
    executions.append(ex(3, SELL, 2, 12))
    assert only(match_position(executions, multiplier=ONE, method=method)).gross_pnl == 4


def test_average_cost_rounding_keeps_places_beyond_the_finest_input() -> None:
    # Prices to 7 places: a third of the cost is rounded at the 11th, not at a fixed 10th.
    executions = [
        ex(0, BUY, 1, "0.0000001"),
        ex(1, BUY, 2, "0.0000002"),
        ex(2, SELL, 1, "0.0000003"),
    ]
    trade = only(match_position(executions, multiplier=ONE, method=MatchingMethod.AVERAGE))
    assert trade.gross_pnl == Decimal("0.00000013333")


# --- open positions, ordering, ids ----------------------------------------------------------


def test_an_open_position_stays_an_open_trade() -> None:
    executions = [ex(0, BUY, 100, 10, commission="1.00"), ex(1, SELL, 40, 12, fees="0.25")]
    trade = only(match_position(executions, multiplier=ONE))
    assert trade.status is TradeStatus.OPEN
    assert trade.exit_price is None
    assert trade.closed_at is None
    assert trade.quantity == 100
    assert trade.gross_pnl == 80  # realized by the partial exit
    assert trade.fees == Decimal("1.25")
    assert trade.net_pnl == Decimal("78.75")
    assert trade.version == 0


def test_an_open_position_without_exits_has_realized_nothing() -> None:
    trade = only(match_position([ex(0, SELL, 7, "3.5", commission="0.70")], multiplier=ONE))
    assert (trade.status, trade.direction) == (TradeStatus.OPEN, TradeDirection.SHORT)
    assert (trade.gross_pnl, trade.net_pnl) == (Decimal(0), Decimal("-0.70"))


def test_ids_stay_the_same_when_more_executions_arrive() -> None:
    first_import = [ex(0, BUY, 10, 5), ex(1, SELL, 10, 6), ex(2, SELL, 4, 7)]
    second_import = [ex(3, BUY, 6, 6), ex(4, BUY, 2, 5), ex(5, SELL, 2, 8)]
    before = match_position(first_import, multiplier=ONE)
    after = match_position(first_import + second_import, multiplier=ONE)
    assert before[0] == after[0]
    assert before[1].status is TradeStatus.OPEN
    assert after[1].status is TradeStatus.CLOSED
    assert before[1].id == after[1].id == trade_id(first_import[2].id)
    assert after[2].id == trade_id(second_import[0].id, 1)  # the flip's opening part


def test_ids_do_not_depend_on_the_method() -> None:
    ids = {
        tuple(t.id for t in match_position(SCALED_IN, multiplier=ONE, method=m)) for m in METHODS
    }
    assert len(ids) == 1


def test_trade_ids_are_fixed_forever() -> None:
    # Stored trades are found by these ids: a new namespace or name would orphan every note.
    assert trade_id(uuid.UUID(int=1)) == uuid.UUID("26abd581-e3fe-56a8-94c8-bb02cbfc9780")
    assert trade_id(uuid.UUID(int=1), 1) == uuid.UUID("eee69cde-b034-5325-a64f-daf3675016cf")


def test_executions_are_taken_in_time_order() -> None:
    executions = [ex(2, SELL, 100, 15), ex(0, BUY, 100, 10), ex(1, BUY, 100, 12)]
    assert only(match_position(executions, multiplier=ONE)).gross_pnl == 500


def test_simultaneous_executions_keep_the_order_given() -> None:
    buy, sell = ex(0, BUY, 1, 10), dataclasses.replace(ex(0, SELL, 1, 11), id=uuid.UUID(int=99))
    assert only(match_position([buy, sell], multiplier=ONE)).direction is TradeDirection.LONG
    assert only(match_position([sell, buy], multiplier=ONE)).direction is TradeDirection.SHORT


def test_deleted_executions_are_not_matched() -> None:
    executions = [ex(0, BUY, 100, 10), ex(1, SELL, 100, 11, deleted=True), ex(2, SELL, 100, 12)]
    trade = only(match_position(executions, multiplier=ONE))
    assert trade.gross_pnl == 200
    assert realized_cash_flow(executions, ONE) == 200


def test_no_executions_no_trades() -> None:
    assert match_position([], multiplier=ONE) == []
    assert match_all([], {}) == []


def test_one_position_at_a_time() -> None:
    mixed = [ex(0, BUY, 1, 10), ex(1, SELL, 1, 11, account=uuid.UUID(int=7))]
    with pytest.raises(ValueError, match="match_all"):
        match_position(mixed, multiplier=ONE)


def test_match_all_groups_by_account_and_instrument() -> None:
    other_account, micro = uuid.UUID(int=7), uuid.UUID(int=8)
    executions = [
        ex(0, BUY, 1, 10),
        ex(1, BUY, 2, "5000.25", instrument=micro),
        ex(2, SELL, 1, 20, account=other_account),
        ex(3, SELL, 1, 12),
        ex(4, SELL, 2, "5010.50", instrument=micro),
        ex(5, BUY, 1, 19, account=other_account),
    ]
    trades = match_all(executions, {INSTRUMENT: Decimal(100), micro: Decimal(5)})
    found = [(t.account_id, t.instrument_id, t.direction, t.gross_pnl) for t in trades]
    assert found == [
        (ACCOUNT, INSTRUMENT, TradeDirection.LONG, Decimal(200)),
        (ACCOUNT, micro, TradeDirection.LONG, Decimal("102.50")),
        (other_account, INSTRUMENT, TradeDirection.SHORT, Decimal(100)),
    ]


def test_match_all_needs_every_multiplier() -> None:
    with pytest.raises(ValueError, match=str(INSTRUMENT)):
        match_all([ex(0, BUY, 1, 10)], {})


# --- a broker's own pairing -----------------------------------------------------------------


def tradovate_executions() -> tuple[list[Execution], list[Decimal]]:
    """Both fills of every pair in Tradovate's Performance export, and its P/L column."""
    fills: list[tuple[datetime, int, Execution]] = []
    reported: list[Decimal] = []
    with TRADOVATE_PAIRS.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            quantity = Decimal(row["Paired Qty"])
            reported.append(Decimal(row["P/L"]))
            for side, prefix, stamp in ((BUY, "Buy", "Bought"), (SELL, "Sell", "Sold")):
                fill_id = int(row[f"{prefix} Fill ID"])
                at = datetime.strptime(row[f"{stamp} Timestamp"], "%m/%d/%Y %H:%M:%S")
                execution = Execution(
                    id=uuid.UUID(int=fill_id),
                    account_id=ACCOUNT,
                    instrument_id=INSTRUMENT,
                    side=side,
                    quantity=quantity,
                    price=Decimal(row[f"{prefix} Price"]),
                    executed_at=at.replace(tzinfo=UTC),
                    broker_execution_id=str(fill_id),
                )
                fills.append((execution.executed_at, fill_id, execution))
    # Fill ids grow with time at Tradovate; they order fills stamped in the same second.
    fills.sort(key=lambda item: (item[0], item[1]))
    return [execution for _, _, execution in fills], reported


@pytest.mark.parametrize("method", METHODS)
def test_tradovate_pairs_are_reproduced_to_the_cent(method: MatchingMethod) -> None:
    executions, reported = tradovate_executions()
    multiplier = point_value("MNQM6")
    assert multiplier == 2
    trades = match_position(executions, multiplier=multiplier, method=method)
    assert all(t.status is TradeStatus.CLOSED for t in trades)
    assert sorted(t.gross_pnl for t in trades) == sorted(reported)
    assert total([t.gross_pnl for t in trades]) == total(reported) == Decimal("-218.00")
    assert {t.direction for t in trades} == {TradeDirection.LONG, TradeDirection.SHORT}


# --- properties -----------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=2_000_000).map(lambda n: Decimal(n).scaleb(-2))
costs = st.integers(min_value=0, max_value=999).map(lambda n: Decimal(n).scaleb(-2))
sizes = st.one_of(
    st.integers(min_value=1, max_value=300).map(Decimal),
    st.integers(min_value=1, max_value=5000).map(lambda n: Decimal(n).scaleb(-3)),  # crypto
)
multipliers = st.sampled_from([Decimal(1), Decimal(100), Decimal(50), Decimal("0.5")])


@st.composite
def tapes(draw: st.DrawFn, *, end_flat: bool) -> list[Execution]:
    """Executions of one position, strictly increasing in time, optionally closed at the end."""
    steps = draw(st.lists(st.tuples(st.booleans(), sizes, cents, costs, costs), max_size=25))
    gaps = draw(st.lists(st.integers(1, 10**6), min_size=len(steps) + 1, max_size=len(steps) + 1))
    position = Decimal(0)
    at = START
    executions: list[Execution] = []

    def add(
        side: Side, quantity: Decimal, price: Decimal, commission: Decimal, fee: Decimal
    ) -> None:
        nonlocal at
        at += timedelta(seconds=gaps[len(executions)])
        executions.append(
            Execution(
                id=uuid.UUID(int=len(executions) + 1),
                account_id=ACCOUNT,
                instrument_id=INSTRUMENT,
                side=side,
                quantity=quantity,
                price=price,
                executed_at=at,
                commission=commission,
                fees=fee,
            )
        )

    for is_buy, quantity, price, commission, fee in steps:
        add(BUY if is_buy else SELL, quantity, price, commission, fee)
        position += quantity if is_buy else -quantity
    if end_flat and position:
        add(SELL if position > 0 else BUY, abs(position), draw(cents), draw(costs), draw(costs))
    return executions


def all_costs(executions: list[Execution]) -> Decimal:
    return total([e.commission + e.fees for e in executions])


@settings(max_examples=300)
@given(tapes(end_flat=True), multipliers, st.sampled_from(METHODS))
def test_trades_that_end_flat_sum_to_the_cash_flow(
    executions: list[Execution], multiplier: Decimal, method: MatchingMethod
) -> None:
    trades = match_position(executions, multiplier=multiplier, method=method)
    flow = realized_cash_flow(executions, multiplier)
    assert all(t.status is TradeStatus.CLOSED for t in trades)
    assert total([t.gross_pnl for t in trades]) == flow
    assert total([t.net_pnl for t in trades]) == flow - all_costs(executions)


@settings(max_examples=300)
@given(tapes(end_flat=False), multipliers, st.sampled_from(METHODS))
def test_every_cent_of_cost_and_every_share_lands_in_a_trade(
    executions: list[Execution], multiplier: Decimal, method: MatchingMethod
) -> None:
    trades = match_position(executions, multiplier=multiplier, method=method)
    assert total([t.fees for t in trades]) == all_costs(executions)
    matched: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for trade in trades:
        assert trade.net_pnl == trade.gross_pnl - trade.fees
        for fill in trade.fills:
            matched[fill.execution_id] += fill.quantity
    assert matched == {e.id: e.quantity for e in executions}
    assert all(t.status is TradeStatus.CLOSED for t in trades[:-1])


@settings(max_examples=200)
@given(tapes(end_flat=False), st.data(), st.sampled_from(METHODS))
def test_matching_does_not_depend_on_how_the_input_was_split_into_imports(
    executions: list[Execution], data: st.DataObject, method: MatchingMethod
) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(0, len(executions)), max_size=4)))
    bounds = [0, *cuts, len(executions)]
    batches = [executions[a:b] for a, b in itertools.pairwise(bounds)]
    shuffled = data.draw(st.permutations(batches))
    whole = match_position(executions, multiplier=ONE, method=method)

    concatenated = [e for batch in shuffled for e in batch]
    assert match_position(concatenated, multiplier=ONE, method=method) == whole

    # Importing the batches one after the other: each earlier matching is a prefix of the
    # last, except that the open trade at its end may since have grown or closed.
    for end in bounds[1:]:
        earlier = match_position(executions[:end], multiplier=ONE, method=method)
        settled = [t for t in earlier if t.status is TradeStatus.CLOSED]
        assert whole[: len(settled)] == settled
        assert [t.id for t in earlier] == [t.id for t in whole[: len(earlier)]]
