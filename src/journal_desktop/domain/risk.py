"""A trade's planned risk and R-multiple, from an amount at risk or from a stop price.

Statistics count R only for trades with an `initial_risk` (net P&L / risk, see
`statistics.r_multiple`). Traders often know their stop rather than the money at risk, so the
risk a stop implies is worked out here: the distance from the average entry to the stop, times
the largest position and the contract multiplier. The trade detail screen shows R live while
the trader types, with this same arithmetic the statistics use.
"""

from __future__ import annotations

from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Overflow,
)

from journal_desktop.domain.statistics import r_multiple

#: Products of amounts are exact (at most 40 digits each); a rounding would raise.
_EXACT = Context(
    prec=200, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, InvalidOperation, Overflow]
)

CENT = Decimal("0.01")


def risk_from_stop(
    entry_price: Decimal, stop_price: Decimal, quantity: Decimal, multiplier: Decimal
) -> Decimal | None:
    """Money lost if the stop had been hit: |entry - stop| x quantity x multiplier.

    Rounded half-even to the cent (an average entry price can carry many decimals, and risk
    is money); None when the stop equals the entry (no risk, and R would divide by zero).
    """
    risk = _EXACT.multiply(
        _EXACT.multiply(abs(_EXACT.subtract(entry_price, stop_price)), quantity), multiplier
    )
    if risk <= 0:
        return None
    cents = risk.quantize(CENT, rounding=ROUND_HALF_EVEN)
    return cents if cents > 0 else risk


def planned_risk(
    *,
    initial_risk: Decimal | None,
    stop_price: Decimal | None,
    entry_price: Decimal,
    quantity: Decimal,
    multiplier: Decimal,
) -> Decimal | None:
    """The risk R is measured in: the amount the trader gave, else what the stop implies."""
    if initial_risk is not None:
        return initial_risk if initial_risk > 0 else None
    if stop_price is not None:
        return risk_from_stop(entry_price, stop_price, quantity, multiplier)
    return None


def r_value(net_pnl: Decimal, risk: Decimal | None) -> Decimal | None:
    """Net P&L in units of risk (the statistics' own formula); None without a risk."""
    if risk is None or risk <= 0:
        return None
    return r_multiple(net_pnl, risk)
