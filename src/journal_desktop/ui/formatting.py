"""How amounts, quantities and times read on screen, the same on every screen.

Money is shown from exact Decimals (never through float), with thousands separators and two
decimals, so what the trader reads matches the broker statement to the cent. Times are stored
in UTC and shown in the desktop's local time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from journal_desktop.domain.records import AssetClass, Instrument

_CENT = Decimal("0.01")
#: What a figure reads when it is undefined (no trades, no losses to divide by).
UNDEFINED = "\N{EM DASH}"


def money(amount: Decimal | None, *, signed: bool = False) -> str:
    """`-1,234.50`; with `signed`, gains get a `+` so a column of P&L scans quickly."""
    if amount is None:
        return ""
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,.2f}"
    if signed and rounded > 0:
        return "+" + text
    return text


def number(value: Decimal | None) -> str:
    """A quantity or price as the broker wrote it: no trailing zeros, thousands separators."""
    if value is None:
        return ""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return f"{normal.to_integral_value():,.0f}"
    exponent = normal.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{normal:,.{places}f}"


#: An average price is shown to at most this many decimals (the exact value stays stored).
AVERAGE_PLACES = 4
_AVERAGE_UNIT = Decimal(1).scaleb(-AVERAGE_PLACES)


def average_price(value: Decimal | None) -> str:
    """A trade's average entry or exit price: `23,523.0833` rather than the stored
    `23523.0833333333`. Averages of several fills run to many decimals that no broker
    statement prints; four places still show a sub-penny stock's price. Fill prices, which
    the broker wrote, go through `number` unrounded."""
    if value is None:
        return ""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -AVERAGE_PLACES:
        value = value.quantize(_AVERAGE_UNIT, rounding=ROUND_HALF_EVEN)
    return number(value)


def instrument_name(instrument: Instrument) -> str:
    """An option as a trader says it, `AAPL 20 Mar 2026 200 Call`, rather than the padded
    OCC symbol it is stored under; anything else by its symbol."""
    if (
        instrument.asset_class is not AssetClass.OPTION
        or instrument.expiry is None
        or instrument.strike is None
        or instrument.option_right not in ("C", "P")
    ):
        return instrument.symbol
    underlying = instrument.underlying or instrument.symbol[:6].strip()
    right = "Call" if instrument.option_right == "C" else "Put"
    expiry = f"{instrument.expiry.day} {instrument.expiry:%b %Y}"
    return f"{underlying} {expiry} {number(instrument.strike)} {right}"


def percent(fraction: Decimal | float | None, places: int = 1) -> str:
    """A ratio in 0..1 as a percentage: `0.5734` reads `57.3%`."""
    if fraction is None:
        return UNDEFINED
    return f"{Decimal(str(fraction)) * 100:.{places}f}%"


def ratio(value: Decimal | float | None, places: int = 2) -> str:
    """Profit factor, R, SQN: `∞` where the maths says so (no losses), a dash when undefined."""
    if value is None:
        return UNDEFINED
    decimal = Decimal(str(value))
    if decimal.is_infinite():
        return "∞"
    return f"{decimal:.{places}f}"


def local_time(moment: datetime | None, *, seconds: bool = False) -> str:
    """A stored UTC time in the desktop's time zone, as `2026-03-02 09:31`."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def duration(span: timedelta | None) -> str:
    """Holding time: `45s`, `12m`, `3h 05m`, `2d 4h`."""
    if span is None:
        return ""
    total = int(span.total_seconds())
    if total < 60:
        return f"{total}s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"
