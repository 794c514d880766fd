"""Trading statistics over closed trades, in exact decimals.

What a trader reconciles against the broker statement (net, gross, fees, sums of wins and
losses, drawdown, the equity curve, the daily series) is exact: sums of the trades' own
Decimals, never rounded (an exact context traps any rounding). Quotients (win rate, averages,
ratios, R-multiples, Kelly) are correctly rounded to `QUOTIENT_DIGITS` significant digits,
whatever the caller's thread-local decimal context says. The only irrational figure, SQN, is
worked at `SQRT_DIGITS` digits and then rounded the same way.

Decisions a reader should know (the CLI and the dashboard show them as documented here):

- Only closed, non-deleted trades count; open trades and tombstones are ignored.
- A trade wins when its net P&L is above zero, loses below zero, and is breakeven at zero.
  Win rate is wins / all closed trades (breakeven trades count as "not a win").
- Losses are negative amounts: `sum_losses`, `avg_loss` and `largest_loss` are <= 0.
- Profit factor is sum of wins / |sum of losses|. With no losing trade it has no finite value:
  `profit_factor` is None and `profit_factor_unbounded` is True when there was at least one
  win (False when there was nothing at all). A Decimal infinity would leak into JSON, sums and
  comparisons downstream, so it is never used.
- Payoff ratio is avg win / |avg loss|. Kelly is the growth-optimal fraction
  W - (1 - W) / payoff with W the win rate among the trades that won or lost: a breakeven
  trade moves no money, so it changes neither the growth rate nor its optimum (maximising
  p log(1 + f b) + q log(1 - f) gives f = p / (p + q) - q / (p + q) / b). Using the win rate
  over all trades there would count every breakeven trade as a loss. Equivalently
  Kelly = W * (1 - 1 / profit factor). Both are None when there are no wins or no losses
  (the ratio is undefined).
- Trades are ordered by close time, then open time, then id, for the equity curve, drawdown
  and streaks. A breakeven trade ends both a win and a loss streak.
- The equity curve starts at 0 before the first trade. Max drawdown is the largest fall from a
  running peak (peaks include the starting 0); its percent is 100 * drawdown / that peak, None
  when the peak was <= 0 (a percent of nothing means nothing), 0 when there was no fall.
  The percent is that of the largest fall in money (an earlier, smaller fall from a lower
  peak can be a larger percent; it is not reported).
- R-multiples are net P&L / initial risk, for the trades with a risk set (from an amount or a
  stop, see risk.py). SQN is sqrt(N) * mean(R) / stdev(R) with the sample standard deviation
  (N - 1), over all N such trades: N is not capped at 100 (a convention some use so that a
  long record does not grow the figure with sqrt(N) alone), and None below two trades or
  when every R is the same.
- Calendar figures use the given time zone: the daily series and weekday (0 = Monday) by the
  local close date, hour of day by the local open time. Holding time buckets include their
  lower bound: exactly 60 s is "1-5m".
"""

from __future__ import annotations

import enum
import itertools
import operator
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
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
from typing import Any, NamedTuple, TypeVar

from journal_desktop.domain.records import Trade, TradeDirection, TradeStatus

#: Significant digits of every quotient (Decimal's own default, so figures look familiar).
QUOTIENT_DIGITS = 28
#: Working digits for SQN's square root before it is rounded to QUOTIENT_DIGITS.
SQRT_DIGITS = 50

QUOTIENT = Context(prec=QUOTIENT_DIGITS, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN)
_SQRT = Context(prec=SQRT_DIGITS, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN)
#: Sums and products of amounts. Amounts have at most 40 digits within 10**+-18, so 200 digits
#: hold any sum (and R squares) exactly; Inexact is trapped so a rounding could never hide.
EXACT = Context(
    prec=200,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[Inexact, InvalidOperation, DivisionByZero, Overflow],
)

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def quotient(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    """numerator / denominator, correctly rounded to QUOTIENT_DIGITS; denominator non-zero."""
    return QUOTIENT.divide(Decimal(numerator), Decimal(denominator))


# -- filter ------------------------------------------------------------------------------------


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """The first UTC instant at which the local calendar in `tz` reads `day`.

    Usually local midnight. Where midnight does not exist (a DST gap at 00:00, as in Santiago)
    it is the first instant after the gap; where the hour after midnight repeats (clocks fall
    back from 01:00 to 00:00, as in Havana) it is the first midnight, since both read `day`.
    """
    candidates = []
    for fold in (0, 1):
        local = datetime(day.year, day.month, day.day, tzinfo=tz, fold=fold)
        instant = local.astimezone(UTC)
        if instant.astimezone(tz).date() == day:
            candidates.append(instant)
    if not candidates:  # pragma: no cover - no zone in the tz database skips a whole midnight
        raise ValueError(f"{day} has no midnight in {tz}")
    return min(candidates)


@dataclass(frozen=True, slots=True)
class TradeFilter:
    """Which closed trades a statistic covers. None means "no restriction".

    Dates are inclusive and read in `tz`: the range is the instants from the start of
    `date_from` up to (not including) the start of the day after `date_to`, compared with the
    close time. An empty set of ids matches nothing (a symbol that resolves to no instrument
    must show no trades, not all of them); callers resolve symbols to instrument ids.
    """

    date_from: date | None = None
    date_to: date | None = None
    tz: tzinfo = UTC
    account_ids: frozenset[uuid.UUID] | None = None
    instrument_ids: frozenset[uuid.UUID] | None = None
    tag_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        for name in ("account_ids", "instrument_ids"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the range starts ({self.date_from}) after it ends ({self.date_to})")

    def close_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) of close times in UTC; None where the range is open."""
        start = None if self.date_from is None else start_of_day(self.date_from, self.tz)
        end = (
            None
            if self.date_to is None
            else start_of_day(self.date_to + timedelta(days=1), self.tz)
        )
        return start, end

    def matches(self, trade: Trade) -> bool:
        if trade.deleted or trade.status is not TradeStatus.CLOSED or trade.closed_at is None:
            return False
        start, end = self.close_range()
        if (start is not None and trade.closed_at < start) or (
            end is not None and trade.closed_at >= end
        ):
            return False
        if self.account_ids is not None and trade.account_id not in self.account_ids:
            return False
        if self.instrument_ids is not None and trade.instrument_id not in self.instrument_ids:
            return False
        return self.tag_id is None or self.tag_id in trade.tag_ids

    def apply(self, trades: Iterable[Trade]) -> list[Trade]:
        return [t for t in trades if self.matches(t)]


# -- one group of trades -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BucketStats:
    """The additive figures of a group of closed trades, and the ratios derived from them.

    Every field is exact and adds up across groups (`merge_buckets`): a breakdown's buckets
    merge into the totals, and the SQL side can sum finer groups into coarser ones and still
    equal the pure computation.
    """

    count: int = 0
    wins: int = 0
    losses: int = 0
    net_pnl: Decimal = _ZERO
    gross_pnl: Decimal = _ZERO
    fees: Decimal = _ZERO
    #: Sum of the winning trades' net P&L (>= 0).
    sum_wins: Decimal = _ZERO
    #: Sum of the losing trades' net P&L (<= 0).
    sum_losses: Decimal = _ZERO
    largest_win: Decimal | None = None
    #: The most negative net P&L, or None without losses.
    largest_loss: Decimal | None = None

    @property
    def breakeven(self) -> int:
        return self.count - self.wins - self.losses

    @property
    def win_rate(self) -> Decimal | None:
        """Wins / trades, as a fraction (0.5 is 50%)."""
        return quotient(self.wins, self.count) if self.count else None

    @property
    def expectancy(self) -> Decimal | None:
        """Average net P&L per trade."""
        return quotient(self.net_pnl, self.count) if self.count else None

    @property
    def avg_win(self) -> Decimal | None:
        return quotient(self.sum_wins, self.wins) if self.wins else None

    @property
    def avg_loss(self) -> Decimal | None:
        """Average losing trade, negative."""
        return quotient(self.sum_losses, self.losses) if self.losses else None

    @property
    def profit_factor(self) -> Decimal | None:
        """Sum of wins / |sum of losses|; None without losses (see profit_factor_unbounded)."""
        return quotient(self.sum_wins, -self.sum_losses) if self.losses else None

    @property
    def profit_factor_unbounded(self) -> bool:
        """True when there were wins and no losses: the profit factor is "infinite"."""
        return self.wins > 0 and self.losses == 0

    @property
    def payoff_ratio(self) -> Decimal | None:
        """Average win / |average loss|, rounded once: sum_wins * losses / (-sum_losses * wins)."""
        if not self.wins or not self.losses:
            return None
        with localcontext(EXACT):
            return quotient(self.sum_wins * self.losses, -self.sum_losses * self.wins)

    @property
    def kelly(self) -> Decimal | None:
        """W - (1 - W) / payoff with W = wins / (wins + losses) (breakeven trades left out,
        see the module docstring): wins * (sum_wins + sum_losses) / ((wins + losses) *
        sum_wins), worked from exact parts so it is rounded only once."""
        if not self.wins or not self.losses:
            return None
        with localcontext(EXACT):
            numerator = self.wins * (self.sum_wins + self.sum_losses)
            denominator = (self.wins + self.losses) * self.sum_wins
        return quotient(numerator, denominator)


def merge_buckets(buckets: Iterable[BucketStats]) -> BucketStats:
    """One group made of several (exact: counts and sums add, extremes take the extreme)."""
    count = wins = losses = 0
    net = gross = fees = sum_wins = sum_losses = _ZERO
    largest_win: Decimal | None = None
    largest_loss: Decimal | None = None
    with localcontext(EXACT):
        for b in buckets:
            count += b.count
            wins += b.wins
            losses += b.losses
            net += b.net_pnl
            gross += b.gross_pnl
            fees += b.fees
            sum_wins += b.sum_wins
            sum_losses += b.sum_losses
            if b.largest_win is not None and (largest_win is None or b.largest_win > largest_win):
                largest_win = b.largest_win
            if b.largest_loss is not None and (
                largest_loss is None or b.largest_loss < largest_loss
            ):
                largest_loss = b.largest_loss
    return BucketStats(
        count, wins, losses, net, gross, fees, sum_wins, sum_losses, largest_win, largest_loss
    )


class _Accumulator:
    """A BucketStats being built, trade by trade (callers hold the EXACT context)."""

    __slots__ = ("count", "fees", "gross", "losses", "max", "min", "net", "sum_l", "sum_w", "wins")

    def __init__(self) -> None:
        self.count = self.wins = self.losses = 0
        self.net = self.gross = self.fees = self.sum_w = self.sum_l = _ZERO
        self.max: Decimal | None = None
        self.min: Decimal | None = None

    def add(self, trade: Trade) -> None:
        net = trade.net_pnl
        self.count += 1
        self.net += net
        self.gross += trade.gross_pnl
        self.fees += trade.fees
        if net > 0:
            self.wins += 1
            self.sum_w += net
            if self.max is None or net > self.max:
                self.max = net
        elif net < 0:
            self.losses += 1
            self.sum_l += net
            if self.min is None or net < self.min:
                self.min = net

    def freeze(self) -> BucketStats:
        return BucketStats(
            self.count,
            self.wins,
            self.losses,
            self.net,
            self.gross,
            self.fees,
            self.sum_w,
            self.sum_l,
            self.max,
            self.min,
        )


# -- order-dependent figures ---------------------------------------------------------------------


class HoldingTime(enum.Enum):
    """How long a trade was held, by bucket; each includes its lower bound."""

    UNDER_1M = ("<1m", timedelta(0))
    M1_5 = ("1-5m", timedelta(minutes=1))
    M5_15 = ("5-15m", timedelta(minutes=5))
    M15_60 = ("15-60m", timedelta(minutes=15))
    H1_4 = ("1-4h", timedelta(hours=1))
    H4_D1 = ("4h-1d", timedelta(hours=4))
    D1_5 = ("1-5d", timedelta(days=1))
    OVER_5D = (">5d", timedelta(days=5))

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def lower(self) -> timedelta:
        return self.value[1]

    @classmethod
    def of(cls, held: timedelta) -> HoldingTime:
        found = cls.UNDER_1M
        for bucket in cls:
            if held >= bucket.lower:
                found = bucket
        return found


class EquityPoint(NamedTuple):
    """The cumulative net P&L right after the trade that closed at `closed_at` (UTC)."""

    closed_at: datetime
    equity: Decimal


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The largest fall of the equity curve from a running peak (amount >= 0)."""

    amount: Decimal = _ZERO
    #: The peak it fell from.
    peak: Decimal = _ZERO
    #: 100 * amount / peak; None when the peak was <= 0, 0 when there was no fall at all.
    percent: Decimal | None = None


N = TypeVar("N", int, Decimal)


def largest_fall(nets: Sequence[N], zero: N) -> tuple[N, N]:
    """(largest fall, the peak it fell from) of the curve 0, n1, n1+n2, ...

    Peaks include the starting 0; the first of equal falls wins. Generic so the SQL side runs
    it on integer 1e-8 units; Decimal callers hold the EXACT context. Built from C-level
    `accumulate`/`map` because it runs over every trade of a journal.
    """
    if not nets:
        return zero, zero
    equity = list(itertools.accumulate(nets))
    peaks = list(itertools.accumulate(equity, max, initial=zero))[1:]
    falls = list(map(operator.sub, peaks, equity))
    worst = max(falls)
    return (worst, peaks[falls.index(worst)]) if worst > zero else (zero, zero)


def make_drawdown(amount: Decimal, peak: Decimal, *, any_trades: bool) -> Drawdown:
    """The Drawdown record, with the percent rule in one place for both paths."""
    if not any_trades:
        return Drawdown()
    if amount == 0:
        return Drawdown(_ZERO, _ZERO, _ZERO)
    percent = quotient(amount * _HUNDRED, peak) if peak > 0 else None
    return Drawdown(amount, peak, percent)


def drawdown_of(nets: Sequence[Decimal]) -> Drawdown:
    """Max drawdown of the equity curve of these net P&Ls, in trade order."""
    with localcontext(EXACT):
        amount, peak = largest_fall(nets, _ZERO)
    return make_drawdown(amount, peak, any_trades=bool(nets))


def streaks_of(nets: Sequence[N]) -> tuple[int, int]:
    """(longest run of wins, longest run of losses) in trade order; breakeven ends both.

    Each run is a run of 1 bytes in a 0/1 string, so the work is C-level split and len.
    """
    zeros = itertools.repeat(0)
    wins = bytes(map(operator.lt, zeros, nets))  # 0 < net
    losses = bytes(map(operator.gt, zeros, nets))  # 0 > net
    return max(map(len, wins.split(b"\0"))), max(map(len, losses.split(b"\0")))


@dataclass(frozen=True, slots=True)
class RStats:
    """R-multiples (net P&L / initial risk) of the trades that had a risk set."""

    count: int = 0
    #: Sum of the trades' R values (each a quotient, rounded to QUOTIENT_DIGITS).
    total: Decimal = _ZERO
    average: Decimal | None = None
    #: System Quality Number: sqrt(n) * mean(R) / stdev(R) (sample stdev); None when n < 2 or
    #: every R is the same.
    sqn: Decimal | None = None


def r_multiple(net_pnl: Decimal, initial_risk: Decimal) -> Decimal:
    return quotient(net_pnl, initial_risk)


def r_stats_of(values: Sequence[Decimal], *, scale: int = 0) -> RStats:
    """Count, total, average and SQN of R values (each given as R * 10**scale).

    `scale` lets the SQL side pass net units / risk (R * 1e8) without rescaling every value:
    rounding to significant digits commutes with powers of ten, so the sums are the same.

    SQN = S * sqrt((n - 1) / (n * Q - S**2)) with S = sum of R, Q = sum of R**2: the same as
    sqrt(n) * mean / stdev, but with S and Q exact, the variance is never rounded, and there is
    a single square root at SQRT_DIGITS, rounded once to QUOTIENT_DIGITS.
    """
    n = len(values)
    if n == 0:
        return RStats()
    with localcontext(EXACT):
        total = sum(values, _ZERO).scaleb(-scale)
        squares = sum(map(operator.mul, values, values), _ZERO).scaleb(-2 * scale)
        spread = n * squares - total * total
    average = quotient(total, n)
    if n < 2 or spread <= 0:
        return RStats(n, total, average, None)
    sqn = QUOTIENT.plus(_SQRT.multiply(total, _SQRT.sqrt(_SQRT.divide(Decimal(n - 1), spread))))
    return RStats(n, total, average, sqn)


# -- the whole set -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statistics:
    """Every figure of a set of closed trades; breakdowns map a key to its BucketStats.

    Breakdown keys: symbol text (an unknown instrument shows as its id), tag name (trades count
    once under each of their tags; untagged trades are in no tag bucket), setup text ("" is no
    setup), weekday 0-6 (Monday first) and local date by close time, hour 0-23 by open time,
    HoldingTime, TradeDirection. Keys appear only when they have trades, in ascending order.
    """

    totals: BucketStats
    r: RStats
    drawdown: Drawdown
    longest_win_streak: int
    longest_loss_streak: int
    equity_curve: Sequence[EquityPoint]
    daily: Mapping[date, BucketStats]
    by_symbol: Mapping[str, BucketStats]
    by_tag: Mapping[str, BucketStats]
    by_setup: Mapping[str, BucketStats]
    by_weekday: Mapping[int, BucketStats]
    by_hour: Mapping[int, BucketStats]
    by_holding_time: Mapping[HoldingTime, BucketStats]
    by_direction: Mapping[TradeDirection, BucketStats]
    tz: tzinfo = field(default=UTC, compare=False)

    # The headline figures, named as the CLI's JSON names them.
    @property
    def trade_count(self) -> int:
        return self.totals.count

    @property
    def net_pnl(self) -> Decimal:
        return self.totals.net_pnl

    @property
    def gross_pnl(self) -> Decimal:
        return self.totals.gross_pnl

    @property
    def fees(self) -> Decimal:
        return self.totals.fees

    @property
    def win_rate(self) -> Decimal | None:
        return self.totals.win_rate

    @property
    def profit_factor(self) -> Decimal | None:
        return self.totals.profit_factor

    @property
    def expectancy(self) -> Decimal | None:
        return self.totals.expectancy

    @property
    def max_drawdown(self) -> Decimal:
        return self.drawdown.amount

    @property
    def max_drawdown_percent(self) -> Decimal | None:
        return self.drawdown.percent


def close_order_key(trade: Trade) -> tuple[datetime, datetime, uuid.UUID]:
    """Close time, then open time, then id: the one order every path uses."""
    assert trade.closed_at is not None
    return (trade.closed_at, trade.opened_at, trade.id)


def _add(groups: dict[Any, _Accumulator], key: object, trade: Trade) -> None:
    acc = groups.get(key)
    if acc is None:
        acc = groups[key] = _Accumulator()
    acc.add(trade)


def _frozen(groups: Mapping[Any, _Accumulator], keys: Iterable[Any]) -> dict[Any, BucketStats]:
    return {k: groups[k].freeze() for k in keys if k in groups}


def compute_statistics(
    trades: Sequence[Trade],
    *,
    tz: tzinfo = UTC,
    symbols: Mapping[uuid.UUID, str] | None = None,
    tag_names: Mapping[uuid.UUID, str] | None = None,
) -> Statistics:
    """Every statistic of the closed trades among `trades` (filter first with TradeFilter).

    `symbols` maps instrument ids to symbols and `tag_names` tag ids to names; ids missing from
    them show as their UUID text, so no trade silently drops out of a breakdown.
    """
    symbols = symbols or {}
    tag_names = tag_names or {}
    closed = sorted(
        (t for t in trades if t.status is TradeStatus.CLOSED and not t.deleted),
        key=close_order_key,
    )
    totals = _Accumulator()
    daily: dict[date, _Accumulator] = {}
    by_symbol: dict[str, _Accumulator] = {}
    by_tag: dict[str, _Accumulator] = {}
    by_setup: dict[str, _Accumulator] = {}
    by_weekday: dict[int, _Accumulator] = {}
    by_hour: dict[int, _Accumulator] = {}
    by_hold: dict[HoldingTime, _Accumulator] = {}
    by_direction: dict[TradeDirection, _Accumulator] = {}
    curve: list[EquityPoint] = []
    r_values: list[Decimal] = []
    equity = _ZERO
    with localcontext(EXACT):
        for trade in closed:
            closed_at = trade.closed_at
            assert closed_at is not None
            totals.add(trade)
            equity += trade.net_pnl
            curve.append(EquityPoint(closed_at, equity))
            day = closed_at.astimezone(tz).date()
            _add(daily, day, trade)
            _add(by_weekday, day.weekday(), trade)
            _add(by_hour, trade.opened_at.astimezone(tz).hour, trade)
            _add(by_hold, HoldingTime.of(closed_at - trade.opened_at), trade)
            _add(by_direction, trade.direction, trade)
            _add(by_setup, trade.setup, trade)
            _add(by_symbol, symbols.get(trade.instrument_id, str(trade.instrument_id)), trade)
            for tag_id in trade.tag_ids:
                _add(by_tag, tag_names.get(tag_id, str(tag_id)), trade)
            if trade.initial_risk is not None:
                r_values.append(r_multiple(trade.net_pnl, trade.initial_risk))
    nets = [t.net_pnl for t in closed]
    wins, losses = streaks_of(nets)
    return Statistics(
        totals=totals.freeze(),
        r=r_stats_of(r_values),
        drawdown=drawdown_of(nets),
        longest_win_streak=wins,
        longest_loss_streak=losses,
        equity_curve=tuple(curve),
        daily=_frozen(daily, sorted(daily)),
        by_symbol=_frozen(by_symbol, sorted(by_symbol)),
        by_tag=_frozen(by_tag, sorted(by_tag)),
        by_setup=_frozen(by_setup, sorted(by_setup)),
        by_weekday=_frozen(by_weekday, sorted(by_weekday)),
        by_hour=_frozen(by_hour, sorted(by_hour)),
        by_holding_time=_frozen(by_hold, HoldingTime),
        by_direction=_frozen(by_direction, TradeDirection),
        tz=tz,
    )
