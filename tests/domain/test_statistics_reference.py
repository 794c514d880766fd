"""The statistics against a second, plain implementation of each definition, in fractions.

Written from the definitions in the statistics module's docstring, loop by loop, so a change
of meaning in the fast code (a breakeven counted as a win, a peak that leaves out the starting
0, a streak that a breakeven does not end) shows up on random journals.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.domain.records import Trade, TradeDirection, TradeStatus
from journal_desktop.domain.statistics import compute_statistics

START = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
ACCOUNT = uuid.UUID(int=1)
INSTRUMENT = uuid.UUID(int=2)

#: Nets to the dollar, often a breakeven or a repeated figure (equal falls, runs of equals).
net = st.integers(min_value=-500, max_value=500) | st.sampled_from([0, 0, 100, -100])
risks = st.none() | st.integers(min_value=1, max_value=300)


def close(actual: Decimal | None, expected: Fraction | None, places: int = 20) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(Fraction(actual) - expected) <= Fraction(1, 10**places) * max(1, abs(expected))


@settings(max_examples=300)
@given(st.lists(st.tuples(net, risks), max_size=40))
def test_figures_equal_their_definitions(rows: list[tuple[int, int | None]]) -> None:
    trades = [
        Trade(
            id=uuid.UUID(int=100 + i),
            account_id=ACCOUNT,
            instrument_id=INSTRUMENT,
            direction=TradeDirection.LONG,
            status=TradeStatus.CLOSED,
            quantity=Decimal(1),
            entry_price=Decimal(1),
            exit_price=Decimal(1),
            opened_at=START + timedelta(hours=i),
            closed_at=START + timedelta(hours=i, minutes=5),
            gross_pnl=Decimal(net) + 1,
            fees=Decimal(1),
            net_pnl=Decimal(net),
            initial_risk=None if risk is None else Decimal(risk),
        )
        for i, (net, risk) in enumerate(rows)
    ]
    s = compute_statistics(trades)
    values = [Fraction(net) for net, _ in rows]
    wins = [v for v in values if v > 0]
    losses = [v for v in values if v < 0]
    n = len(values)

    assert s.trade_count == n
    assert (s.totals.wins, s.totals.losses) == (len(wins), len(losses))
    assert close(s.win_rate, Fraction(len(wins), n) if n else None)
    assert close(s.expectancy, sum(values, Fraction(0)) / n if n else None)
    assert close(s.totals.avg_win, sum(wins, Fraction(0)) / len(wins) if wins else None)
    assert close(s.totals.avg_loss, sum(losses, Fraction(0)) / len(losses) if losses else None)
    factor = -sum(wins, Fraction(0)) / sum(losses, Fraction(0)) if losses else None
    assert close(s.profit_factor, factor)
    assert s.totals.profit_factor_unbounded == (bool(wins) and not losses)
    if wins and losses:
        payoff = (sum(wins, Fraction(0)) / len(wins)) / (-sum(losses, Fraction(0)) / len(losses))
        decided = Fraction(len(wins), len(wins) + len(losses))
        assert close(s.totals.payoff_ratio, payoff)
        assert close(s.totals.kelly, decided - (1 - decided) / payoff)
    else:
        assert s.totals.payoff_ratio is None and s.totals.kelly is None

    # Drawdown: the largest fall from a running peak that starts at 0; the first of equals.
    equity, peak, worst, worst_peak = Fraction(0), Fraction(0), Fraction(0), Fraction(0)
    curve = []
    for v in values:
        equity += v
        curve.append(equity)
        peak = max(peak, equity)
        if peak - equity > worst:
            worst, worst_peak = peak - equity, peak
    assert [p.equity for p in s.equity_curve] == curve
    assert s.max_drawdown == worst
    if not n:
        assert s.max_drawdown_percent is None
    elif worst == 0:
        assert s.max_drawdown_percent == 0
    else:
        assert close(s.max_drawdown_percent, 100 * worst / worst_peak if worst_peak > 0 else None)

    # Streaks: a breakeven ends both.
    longest = {1: 0, -1: 0}
    run, last = 0, 0
    for v in values:
        sign = (v > 0) - (v < 0)
        run = run + 1 if sign == last and sign else (1 if sign else 0)
        last = sign
        if sign:
            longest[sign] = max(longest[sign], run)
    assert (s.longest_win_streak, s.longest_loss_streak) == (longest[1], longest[-1])

    # R and SQN = sqrt(N) * mean / sample stdev, over the trades with a risk.
    r = [Fraction(net, risk) for net, risk in rows if risk is not None]
    assert s.r.count == len(r)
    assert close(s.r.average, sum(r, Fraction(0)) / len(r) if r else None)
    mean = sum(r, Fraction(0)) / len(r) if r else Fraction(0)
    variance = sum((x - mean) ** 2 for x in r) / (len(r) - 1) if len(r) > 1 else Fraction(0)
    if len(r) < 2 or variance == 0:
        assert s.r.sqn is None
    else:
        expected = math.sqrt(len(r)) * float(mean) / math.sqrt(float(variance))
        assert s.r.sqn is not None
        assert math.isclose(float(s.r.sqn), expected, rel_tol=1e-12, abs_tol=1e-12)
