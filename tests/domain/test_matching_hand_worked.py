"""Matching checked the way a trader reconciles a broker statement: every figure worked by hand.

Each test writes its arithmetic next to the assertion, so a reader can redo it on paper. The
executions are one minute apart in the order listed; prices, fees and multipliers are what a
broker's statement would show.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from journal_desktop.domain.contracts import default_multiplier, futures_root
from journal_desktop.domain.imported import InstrumentSpec
from journal_desktop.domain.matching import MatchingMethod, match_all, match_position
from journal_desktop.domain.records import (
    AssetClass,
    Execution,
    Side,
    Trade,
    TradeDirection,
    TradeStatus,
)
from tests.domain.test_matching import ACCOUNT, INSTRUMENT, ex

BUY, SELL = Side.BUY, Side.SELL
FIFO, LIFO, AVERAGE = MatchingMethod.FIFO, MatchingMethod.LIFO, MatchingMethod.AVERAGE
D = Decimal


def match(
    executions: list[Execution], method: MatchingMethod = FIFO, multiplier: str = "1"
) -> list[Trade]:
    return match_position(executions, multiplier=D(multiplier), method=method)


def only(trades: list[Trade]) -> Trade:
    assert len(trades) == 1, trades
    return trades[0]


# --- the issue's case, followed to the end ----------------------------------------------------

ISSUE = [ex(0, BUY, 100, 10), ex(1, BUY, 100, 12), ex(2, SELL, 100, 15), ex(3, SELL, 100, 11)]


@pytest.mark.parametrize(
    ("method", "first_exit", "second_exit"),
    [
        # FIFO: 100 x (15 - 10) = 500, then the lot at 12: 100 x (11 - 12) = -100.
        (FIFO, 500, -100),
        # LIFO: 100 x (15 - 12) = 300, then the lot at 10: 100 x (11 - 10) = 100.
        (LIFO, 300, 100),
        # Average cost (1,000 + 1,200) / 200 = 11: 100 x (15 - 11) = 400, 100 x (11 - 11) = 0.
        (AVERAGE, 400, 0),
    ],
)
def test_the_issue_case_per_exit_and_for_the_round_trip(
    method: MatchingMethod, first_exit: int, second_exit: int
) -> None:
    partly = only(match(ISSUE[:3], method))
    assert partly.status is TradeStatus.OPEN
    assert partly.gross_pnl == first_exit
    assert partly.exit_price is None
    assert partly.closed_at is None
    assert partly.entry_price == 11  # (100 x 10 + 100 x 12) / 200

    whole = only(match(ISSUE, method))
    # Cash flow: sells 1,500 + 1,100 = 2,600, buys 1,000 + 1,200 = 2,200: 400 by every method.
    assert whole.gross_pnl == first_exit + second_exit == 400
    assert whole.status is TradeStatus.CLOSED
    assert whole.quantity == 200
    assert whole.entry_price == 11
    assert whole.exit_price == 13  # (1,500 + 1,100) / 200


# --- scaling in and out, partial exits ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "realized"),
    [
        # Lots 50 @ 20.00, 30 @ 21.50, 20 @ 19.75; sell 60 @ 22.10.
        # FIFO: 50 x 2.10 = 105.00, 10 x 0.60 = 6.00 -> 111.00.
        (FIFO, "111.00"),
        # LIFO: 20 x 2.35 = 47.00, 30 x 0.60 = 18.00, 10 x 2.10 = 21.00 -> 86.00.
        (LIFO, "86.00"),
        # Average: (1,000 + 645 + 395) / 100 = 20.40; 60 x (22.10 - 20.40) = 102.00.
        (AVERAGE, "102.00"),
    ],
)
def test_three_lots_one_partial_exit(method: MatchingMethod, realized: str) -> None:
    executions = [
        ex(0, BUY, 50, "20.00"),
        ex(1, BUY, 30, "21.50"),
        ex(2, BUY, 20, "19.75"),
        ex(3, SELL, 60, "22.10"),
    ]
    trade = only(match(executions, method))
    assert trade.status is TradeStatus.OPEN
    assert trade.gross_pnl == D(realized)
    assert trade.entry_price == D("20.40")


@pytest.mark.parametrize(
    ("method", "after_first_exit"),
    [
        # Buy 100 @ 10, sell 40 @ 11, buy 60 @ 13 (position 120), sell 120 @ 12.
        # FIFO first exit: 40 x 1 = 40. LIFO: the same (only one lot). Average: the same.
        (FIFO, 40),
        (LIFO, 40),
        (AVERAGE, 40),
    ],
)
def test_scale_out_then_back_in_then_out(method: MatchingMethod, after_first_exit: int) -> None:
    executions = [
        ex(0, BUY, 100, 10),
        ex(1, SELL, 40, 11),
        ex(2, BUY, 60, 13),
        ex(3, SELL, 120, 12),
    ]
    assert only(match(executions[:2], method)).gross_pnl == after_first_exit
    trade = only(match(executions, method))
    # Sells 440 + 1,440 = 1,880; buys 1,000 + 780 = 1,780: 100 under every method.
    assert trade.gross_pnl == 100
    assert trade.quantity == 120  # largest position: 60 left + 60 added
    assert trade.entry_price == D("11.125")  # (1,000 + 780) / 160
    assert trade.exit_price == D("11.75")  # (440 + 1,440) / 160


def test_average_cost_after_a_partial_exit_keeps_the_old_average() -> None:
    # Buy 100 @ 10, buy 100 @ 12 (avg 11), sell 100 @ 15 (+400, 100 left at 11), buy 100 @ 14:
    # average (1,100 + 1,400) / 200 = 12.50; sell 50 @ 13: 50 x 0.50 = 25 -> 425 so far.
    executions = [
        ex(0, BUY, 100, 10),
        ex(1, BUY, 100, 12),
        ex(2, SELL, 100, 15),
        ex(3, BUY, 100, 14),
        ex(4, SELL, 50, 13),
    ]
    assert only(match(executions, AVERAGE)).gross_pnl == 425
    # FIFO: 100 x 5 = 500; then 50 of the lot at 12: 50 x 1 = 50 -> 550.
    assert only(match(executions, FIFO)).gross_pnl == 550
    # LIFO: 100 x 3 = 300 (lot at 12); then 50 of the lot at 14: 50 x -1 = -50 -> 250.
    assert only(match(executions, LIFO)).gross_pnl == 250


def test_average_cost_that_does_not_end_is_exact_once_flat() -> None:
    # Buys 1 @ 10, 1 @ 10, 1 @ 11: average 31/3 = 10.333...; sell 1 @ 12 realizes
    # 12 - 10.3333... (rounded inside), then sell 2 @ 12: the round trip is exactly
    # 36 - 31 = 5.
    executions = [
        ex(0, BUY, 1, 10),
        ex(1, BUY, 1, 10),
        ex(2, BUY, 1, 11),
        ex(3, SELL, 1, 12),
        ex(4, SELL, 2, 12),
    ]
    partly = only(match(executions[:4], AVERAGE))
    assert abs(partly.gross_pnl - (D(12) - D(31) / 3)) < D("1e-9")
    trade = only(match(executions, AVERAGE))
    assert trade.gross_pnl == 5


# --- shorts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "first_cover"),
    [
        # Short 10 @ 50, short 10 @ 48, cover 5 @ 45.
        # FIFO: 5 x (50 - 45) = 25. LIFO: 5 x (48 - 45) = 15. Average 49: 5 x 4 = 20.
        (FIFO, 25),
        (LIFO, 15),
        (AVERAGE, 20),
    ],
)
def test_a_short_scaled_in_and_covered_in_two(method: MatchingMethod, first_cover: int) -> None:
    executions = [
        ex(0, SELL, 10, 50, commission="1.00"),
        ex(1, SELL, 10, 48, commission="1.00"),
        ex(2, BUY, 5, 45, commission="1.00"),
        ex(3, BUY, 15, 49, commission="1.00"),
    ]
    partly = only(match(executions[:3], method))
    assert partly.direction is TradeDirection.SHORT
    assert partly.gross_pnl == first_cover
    assert partly.fees == D("3.00")
    assert partly.net_pnl == first_cover - 3

    trade = only(match(executions, method))
    # Sold 500 + 480 = 980, bought back 225 + 735 = 960: gross 20, fees 4.00, net 16.00.
    assert trade.gross_pnl == 20
    assert trade.fees == D("4.00")
    assert trade.net_pnl == D("16.00")
    assert trade.entry_price == 49  # 980 / 20
    assert trade.exit_price == 48  # 960 / 20
    assert trade.quantity == 20


def test_a_losing_short() -> None:
    # Short 200 @ 31.40, cover 200 @ 31.95: 200 x -0.55 = -110.00; fees 1.00 + 1.00.
    executions = [ex(0, SELL, 200, "31.40", commission="1.00"), ex(1, BUY, 200, "31.95", fees="1")]
    trade = only(match(executions))
    assert trade.direction is TradeDirection.SHORT
    assert trade.gross_pnl == D("-110.00")
    assert trade.net_pnl == D("-112.00")


# --- a flip in one execution --------------------------------------------------------------------


def test_a_flip_shares_the_commission_pro_rata() -> None:
    # Long 100 @ 10 (commission 1.00). Sell 300 @ 11, commission 3.00 + fees 0.01 = 3.01:
    # 100 of it closes the long, 200 opens a short. Closing share 3.01 x 100/300 = 1.00333
    # -> 1.00; the opening part takes the rest, 2.01.
    executions = [
        ex(0, BUY, 100, 10, commission="1.00"),
        ex(1, SELL, 300, 11, commission="3.00", fees="0.01"),
    ]
    long, short = match(executions)
    assert long.direction is TradeDirection.LONG
    assert long.status is TradeStatus.CLOSED
    assert long.gross_pnl == 100  # 100 x (11 - 10)
    assert long.fees == D("2.00")  # 1.00 + 1.00
    assert long.net_pnl == D("98.00")
    assert long.closed_at == executions[1].executed_at

    assert short.direction is TradeDirection.SHORT
    assert short.status is TradeStatus.OPEN
    assert short.quantity == 200
    assert short.entry_price == 11
    assert short.opened_at == executions[1].executed_at
    assert short.gross_pnl == 0
    assert short.fees == D("2.01")
    assert short.net_pnl == D("-2.01")

    # Cover 200 @ 10.50 (commission 2.00): 200 x 0.50 = 100; fees 2.01 + 2.00 = 4.01.
    closed = match([*executions, ex(2, BUY, 200, "10.50", commission="2.00")])[1]
    assert closed.status is TradeStatus.CLOSED
    assert closed.gross_pnl == 100
    assert closed.fees == D("4.01")
    assert closed.net_pnl == D("95.99")
    # Every cent paid is in a trade: 1.00 + 3.01 + 2.00 = 6.01.
    assert long.fees + closed.fees == D("6.01")


@pytest.mark.parametrize("method", list(MatchingMethod))
def test_a_flip_after_scaling_in_by_method(method: MatchingMethod) -> None:
    # Short 5 @ 100, short 5 @ 104 (avg 102), buy 16 @ 101: 10 cover, 6 open a long.
    # Covering everything: FIFO 5 x -1 + 5 x 3 = 10, LIFO the same sum, average 10 x 1 = 10.
    # Commission 1.60 splits 10/16 = 1.00 and 6/16 = 0.60.
    executions = [
        ex(0, SELL, 5, 100),
        ex(1, SELL, 5, 104),
        ex(2, BUY, 16, 101, commission="1.60"),
    ]
    short, long = match(executions, method)
    assert short.gross_pnl == 10
    assert short.fees == D("1.00")
    assert long.direction is TradeDirection.LONG
    assert long.quantity == 6
    assert long.fees == D("0.60")


def test_a_flip_of_a_future_uses_the_point_value() -> None:
    # MES: long 2 @ 5000.00, sell 5 @ 5004.25 (commission 0.62 per contract = 3.10):
    # closing 2 x 4.25 x 5 = 42.50, fees 3.10 x 2/5 = 1.24; the 3 short carry 1.86.
    # Cover 3 @ 5001.00: 3 x 3.25 x 5 = 48.75.
    executions = [
        ex(0, BUY, 2, "5000.00", commission="1.24"),
        ex(1, SELL, 5, "5004.25", commission="3.10"),
        ex(2, BUY, 3, "5001.00", commission="1.86"),
    ]
    long, short = match(executions, multiplier="5")
    assert long.gross_pnl == D("42.50")
    assert long.fees == D("2.48")
    assert long.net_pnl == D("40.02")
    assert short.gross_pnl == D("48.75")
    assert short.fees == D("3.72")
    assert short.net_pnl == D("45.03")


# --- futures: every contract of the table and the symbol forms brokers use --------------------

#: root, point value, entry, exit, contracts, hand-worked gross (exit - entry) x n x value.
FUTURES = [
    ("ES", "50", "5010.25", "5012.50", 2, "225.00"),  # 2.25 x 2 x 50
    ("MES", "5", "5010.25", "5012.50", 3, "33.75"),  # 2.25 x 3 x 5
    ("NQ", "20", "18250.75", "18240.00", 1, "-215.00"),  # -10.75 x 20
    ("MNQ", "2", "18250.75", "18240.00", 4, "-86.00"),  # -10.75 x 4 x 2
    ("YM", "5", "39100", "39187", 2, "870"),  # 87 x 2 x 5
    ("MYM", "0.5", "39100", "39187", 3, "130.5"),  # 87 x 3 x 0.5
    ("RTY", "50", "2050.10", "2051.30", 1, "60.00"),  # 1.20 x 50
    ("M2K", "5", "2050.10", "2051.30", 2, "12.00"),  # 1.20 x 2 x 5
    ("CL", "1000", "78.45", "78.12", 1, "-330.00"),  # -0.33 x 1,000
    ("MCL", "100", "78.45", "78.12", 5, "-165.00"),  # -0.33 x 5 x 100
    ("GC", "100", "2350.4", "2353.1", 1, "270.0"),  # 2.7 x 100
    ("MGC", "10", "2350.4", "2353.1", 3, "81.0"),  # 2.7 x 3 x 10
    ("SI", "5000", "29.875", "29.910", 1, "175.000"),  # 0.035 x 5,000
    ("ZB", "1000", "118.15625", "118.4375", 1, "281.25"),  # 9/32 = 0.28125 x 1,000
    ("ZN", "1000", "110.5", "110.515625", 2, "31.25"),  # 1/64 = 0.015625 x 2 x 1,000
    ("6E", "125000", "1.0850", "1.0863", 1, "162.50"),  # 0.0013 x 125,000
]


def _forms(root: str) -> list[str]:
    return [f"{root}H6", f"{root}H26", f"/{root}H26", f"{root} 03-26", f"/{root}H26:XCME"]


@pytest.mark.parametrize(("root", "value", "entry", "exit", "n", "gross"), FUTURES)
def test_every_required_contract_in_every_symbol_form(
    root: str, value: str, entry: str, exit: str, n: int, gross: str
) -> None:
    for symbol in _forms(root):
        assert futures_root(symbol) == root, symbol
        multiplier = default_multiplier(InstrumentSpec(symbol, AssetClass.FUTURE))
        assert multiplier == D(value), symbol
        trade = only(
            match_position(
                [ex(0, BUY, n, entry), ex(1, SELL, n, exit)], multiplier=multiplier, method=FIFO
            )
        )
        assert trade.gross_pnl == D(gross), symbol


@pytest.mark.parametrize(("root", "value", "entry", "exit", "n", "gross"), FUTURES)
def test_every_required_contract_short(
    root: str, value: str, entry: str, exit: str, n: int, gross: str
) -> None:
    # The same prices the other way round: a short from `entry` covered at `exit` makes the
    # opposite of the long.
    trade = only(
        match_position(
            [ex(0, SELL, n, entry), ex(1, BUY, n, exit)], multiplier=D(value), method=FIFO
        )
    )
    assert trade.gross_pnl == -D(gross)


def test_mes_is_not_es_and_mnq_is_not_nq() -> None:
    # The same 2.25-point move on one contract: ES 112.50, MES 11.25 (a factor of ten).
    for symbol, value in (("MESM6", 5), ("ESM6", 50), ("MNQU26", 2), ("NQU26", 20)):
        assert default_multiplier(InstrumentSpec(symbol, AssetClass.FUTURE)) == value


# --- options --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("multiplier", "gross"),
    [
        # Buy 3 @ 2.15, sell 2 @ 2.40 and 1 @ 1.90: (2 x 0.25 - 1 x 0.25) = 0.25 per share.
        (None, "25.00"),  # x 100 shares
        (D(10), "2.50"),  # a mini option: the file says 10
        (D(50), "12.50"),  # an adjusted contract: the file says 50
    ],
)
def test_options_at_100_or_at_the_files_multiplier(multiplier: Decimal | None, gross: str) -> None:
    spec = InstrumentSpec("SPY 260320C00500000", AssetClass.OPTION, multiplier=multiplier)
    value = default_multiplier(spec)
    executions = [
        ex(0, BUY, 3, "2.15", commission="1.95"),  # 0.65 x 3
        ex(1, SELL, 2, "2.40", commission="1.30"),
        ex(2, SELL, 1, "1.90", commission="0.65", fees="0.02"),
    ]
    trade = only(match_position(executions, multiplier=value))
    assert trade.gross_pnl == D(gross)
    assert trade.fees == D("3.92")  # 1.95 + 1.30 + 0.67
    assert trade.net_pnl == D(gross) - D("3.92")
    assert trade.entry_price == D("2.15")
    # 6.70 / 3 does not end: rounded half-even at ten places (four beyond the inputs').
    assert trade.exit_price == D("2.2333333333")


# --- fees that do not divide evenly ---------------------------------------------------------------


def test_fees_that_do_not_divide_evenly_add_up_to_the_statement() -> None:
    # Three flips in a row, each commission split pro rata, none of them dividing evenly.
    # Long 1 @ 10 (0.01). Sell 3 @ 11, 1.00: closing 1/3 = 0.33, opening 0.67.
    # Buy 7 @ 10, 0.10: closing 2/7 x 0.10 = 0.0286 -> 0.03, opening 0.07.
    # Sell 5 @ 12, 0.07: closing 5/5 = all of it (an exact flat, no flip).
    executions = [
        ex(0, BUY, 1, 10, commission="0.01"),
        ex(1, SELL, 3, 11, commission="1.00"),
        ex(2, BUY, 7, 10, commission="0.10"),
        ex(3, SELL, 5, 12, commission="0.07"),
    ]
    first, second, third = match(executions)
    assert first.fees == D("0.34")  # 0.01 + 0.33
    assert second.fees == D("0.70")  # 0.67 + 0.03
    assert third.fees == D("0.14")  # 0.07 + 0.07
    assert first.fees + second.fees + third.fees == D("1.18")  # 0.01 + 1.00 + 0.10 + 0.07
    # Gross: +1 (1 x 1), +2 (2 x (11 - 10)), +10 (5 x 2).
    assert [t.gross_pnl for t in (first, second, third)] == [1, 2, 10]
    assert [t.net_pnl for t in (first, second, third)] == [D("0.66"), D("1.30"), D("9.86")]


def test_sub_cent_fees_are_kept_to_their_own_unit() -> None:
    # SEC fee 0.0278 and TAF 0.0166 (finer than the cent) on a flip of 2 closing, 1 opening:
    # costs 0.0444 -> closing 0.0296, opening 0.0148; nothing is rounded away.
    executions = [ex(0, BUY, 2, 10), ex(1, SELL, 3, 10, fees="0.0444")]
    closing, opening = match(executions)
    assert closing.fees == D("0.0296")
    assert opening.fees == D("0.0148")


# --- open positions, several accounts, several imports --------------------------------------------


def test_an_open_position_is_one_open_trade_after_a_closed_one() -> None:
    executions = [
        ex(0, BUY, 10, 100),
        ex(1, SELL, 10, 101),  # closed: +10
        ex(2, SELL, 5, 102, commission="0.50"),  # a new short, still open
    ]
    closed, still_open = match(executions)
    assert closed.status is TradeStatus.CLOSED
    assert closed.gross_pnl == 10
    assert still_open.status is TradeStatus.OPEN
    assert still_open.direction is TradeDirection.SHORT
    assert still_open.quantity == 5
    assert still_open.gross_pnl == 0
    assert still_open.net_pnl == D("-0.50")
    assert still_open.exit_price is None


def test_the_same_instrument_in_two_accounts_is_two_positions() -> None:
    other = uuid.UUID(int=9)
    executions = [
        ex(0, BUY, 100, 10),
        ex(1, SELL, 100, 11, account=other),  # a short in the other account
        ex(2, SELL, 100, 12),  # closes the first account's long: +200
        ex(3, BUY, 100, 10, account=other),  # covers the other's short: +100
    ]
    trades = match_all(executions, {INSTRUMENT: D(1)})
    assert [(t.account_id, t.direction, t.gross_pnl) for t in trades] == [
        (ACCOUNT, TradeDirection.LONG, 200),
        (other, TradeDirection.SHORT, 100),
    ]


def test_a_trade_spanning_two_imports_matches_the_same_as_one() -> None:
    # Monday's file opens 300 in three fills; Tuesday's closes it. Split at any point, the
    # round trip is the same: sells 1,650 + 1,120 + 550 = 3,320 - buys 3,030 = 290;
    # fees 6 x 0.35 = 2.10.
    executions = [
        ex(0, BUY, 100, "10.00", commission="0.35"),
        ex(1, BUY, 100, "10.10", commission="0.35"),
        ex(2, BUY, 100, "10.20", commission="0.35"),
        ex(3, SELL, 150, "11.00", commission="0.35"),
        ex(4, SELL, 100, "11.20", commission="0.35"),
        ex(5, SELL, 50, "11.00", commission="0.35"),
    ]
    whole = only(match(executions))
    assert whole.gross_pnl == 290
    assert whole.net_pnl == D("287.90")
    assert whole.fees == D("2.10")
    for cut in range(1, len(executions)):
        later, earlier = executions[cut:], executions[:cut]
        assert match(later + earlier) == [whole]
