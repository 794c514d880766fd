"""Realistic, deterministic journal data: accounts, instruments and closed round-trip trades.

The same seed gives the same records (ids included), so the SQLCipher side and the plain
SQLite side of every figure store byte-identical rows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from journal_desktop.domain.hlc import HybridLogicalClock
from journal_desktop.domain.records import (
    Account,
    AssetClass,
    Fill,
    Instrument,
    Record,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.domain.versioning import stamp_new

#: First trading day of the generated history; about 100 trades a weekday from here on.
HISTORY_START = date(2021, 1, 4)
TRADES_PER_DAY = 100

_CENT = Decimal("0.01")

_ACCOUNTS = (
    ("Main margin", "Interactive Brokers", "U7310042"),
    ("Retirement", "Schwab", "8822-1190"),
    ("Futures", "AMP", "AMP-55012"),
)


@dataclass(frozen=True, slots=True)
class _Spec:
    symbol: str
    asset_class: AssetClass
    price: str
    tick: str
    multiplier: str = "1"
    underlying: str = ""
    expiry: date | None = None
    strike: str | None = None
    right: str = ""


_INSTRUMENTS = (
    _Spec("AAPL", AssetClass.STOCK, "185.40", "0.01"),
    _Spec("MSFT", AssetClass.STOCK, "410.20", "0.01"),
    _Spec("NVDA", AssetClass.STOCK, "121.75", "0.01"),
    _Spec("TSLA", AssetClass.STOCK, "221.30", "0.01"),
    _Spec("AMD", AssetClass.STOCK, "152.10", "0.01"),
    _Spec("META", AssetClass.STOCK, "482.60", "0.01"),
    _Spec("AMZN", AssetClass.STOCK, "181.90", "0.01"),
    _Spec("GOOGL", AssetClass.STOCK, "163.45", "0.01"),
    _Spec("NFLX", AssetClass.STOCK, "612.00", "0.01"),
    _Spec("JPM", AssetClass.STOCK, "194.35", "0.01"),
    _Spec("SPY", AssetClass.STOCK, "512.80", "0.01"),
    _Spec("QQQ", AssetClass.STOCK, "438.15", "0.01"),
    _Spec("ESZ4", AssetClass.FUTURE, "5020.00", "0.25", "50", "ES"),
    _Spec("MESZ4", AssetClass.FUTURE, "5020.00", "0.25", "5", "ES"),
    _Spec("NQZ4", AssetClass.FUTURE, "18150.00", "0.25", "20", "NQ"),
    _Spec("CLF5", AssetClass.FUTURE, "78.40", "0.01", "1000", "CL"),
    _Spec("GCG5", AssetClass.FUTURE, "2330.00", "0.10", "100", "GC"),
    _Spec(
        "SPY 241220C00520000",
        AssetClass.OPTION,
        "6.45",
        "0.01",
        "100",
        "SPY",
        date(2024, 12, 20),
        "520",
        "C",
    ),
    _Spec(
        "AAPL 241115P00180000",
        AssetClass.OPTION,
        "3.20",
        "0.01",
        "100",
        "AAPL",
        date(2024, 11, 15),
        "180",
        "P",
    ),
    _Spec(
        "TSLA 241018C00250000",
        AssetClass.OPTION,
        "4.85",
        "0.01",
        "100",
        "TSLA",
        date(2024, 10, 18),
        "250",
        "C",
    ),
    _Spec("EUR.USD", AssetClass.FOREX, "1.08420", "0.00001"),
    _Spec("GBP.USD", AssetClass.FOREX, "1.27110", "0.00001"),
    _Spec("BTC-USD", AssetClass.CRYPTO, "61250.00", "0.01"),
    _Spec("ETH-USD", AssetClass.CRYPTO, "3010.50", "0.01"),
)

_SETUPS = (
    "Opening range breakout",
    "VWAP reclaim",
    "Bull flag",
    "Gap fill",
    "Mean reversion",
    "Trend pullback",
    "Earnings drift",
    "Failed breakdown",
    "",
)

_MISTAKES = ("chased the entry", "moved the stop", "oversized", "exited early", "no plan")

_NOTE_SENTENCES = (
    "Waited for the first five-minute candle to close before entering.",
    "Volume dried up into the pullback, which is what I wanted to see.",
    "Entered a little early; the reclaim was not confirmed yet.",
    "Market internals were weak all morning, TICK under zero most of the time.",
    "Scaled out a third at the first target and trailed the rest under the 9 EMA.",
    "News hit mid-trade and the spread widened, got filled two ticks worse.",
    "Followed the plan exactly. Good patience on the entry.",
    "Should have sized down after two losers in a row.",
    "Level held three times before it broke; textbook breakout.",
    "Choppy tape, no follow-through after the break.",
    "Took it off the daily chart level from yesterday's review.",
    "Stop was too tight for the current ATR; got shaken out before the move.",
    "Fed minutes at 2pm, closed before the release as planned.",
    "Felt FOMO after missing the first leg. Note to self: wait for the second entry.",
    "Good risk/reward, about 3R to the prior high.",
    "Gap up on earnings, faded the open with a tight stop above the premarket high.",
)


@dataclass(frozen=True, slots=True)
class Dataset:
    accounts: tuple[Account, ...]
    instruments: tuple[Instrument, ...]
    trades: tuple[Trade, ...]

    @property
    def first_close(self) -> datetime:
        return min(t.closed_at for t in self.trades if t.closed_at is not None)

    @property
    def last_close(self) -> datetime:
        return max(t.closed_at for t in self.trades if t.closed_at is not None)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def make_accounts(rng: random.Random) -> tuple[Account, ...]:
    return tuple(
        Account(id=_uuid(rng), name=name, broker=broker, broker_account_id=number)
        for name, broker, number in _ACCOUNTS
    )


def make_instruments(rng: random.Random) -> tuple[Instrument, ...]:
    return tuple(
        Instrument(
            id=_uuid(rng),
            symbol=s.symbol,
            asset_class=s.asset_class,
            multiplier=Decimal(s.multiplier),
            underlying=s.underlying,
            expiry=s.expiry,
            strike=None if s.strike is None else Decimal(s.strike),
            option_right=s.right,
        )
        for s in _INSTRUMENTS
    )


def _quantity(rng: random.Random, asset_class: AssetClass) -> Decimal:
    if asset_class is AssetClass.STOCK:
        return Decimal(rng.choice((10, 25, 50, 100, 150, 200, 300, 500)))
    if asset_class is AssetClass.FUTURE:
        return Decimal(rng.randint(1, 5))
    if asset_class is AssetClass.OPTION:
        return Decimal(rng.randint(1, 20))
    if asset_class is AssetClass.FOREX:
        return Decimal(rng.choice((10_000, 25_000, 50_000, 100_000)))
    return (Decimal(rng.randint(1, 200)) / 100).normalize()


def _fees(asset_class: AssetClass, quantity: Decimal, notional: Decimal) -> Decimal:
    if asset_class is AssetClass.STOCK:
        per_side = max(Decimal(1), quantity * Decimal("0.005"))
    elif asset_class is AssetClass.FUTURE:
        per_side = quantity * Decimal("2.25")
    elif asset_class is AssetClass.OPTION:
        per_side = quantity * Decimal("0.65")
    elif asset_class is AssetClass.FOREX:
        per_side = Decimal(2)
    else:
        per_side = notional * Decimal("0.001")
    return (per_side * 2).quantize(_CENT)


def _trade_days(count: int) -> list[date]:
    days: list[date] = []
    day = HISTORY_START
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def make_trades(
    count: int,
    rng: random.Random,
    accounts: Sequence[Account],
    instruments: Sequence[Instrument],
) -> tuple[Trade, ...]:
    """`count` trades, about TRADES_PER_DAY a weekday, ~1% still open, most with notes."""
    specs = {s.symbol: s for s in _INSTRUMENTS}
    tags = [_uuid(rng) for _ in range(8)]
    days = _trade_days(count // TRADES_PER_DAY + 1)
    trades: list[Trade] = []
    for index in range(count):
        instrument = rng.choice(instruments)
        spec = specs[instrument.symbol]
        tick = Decimal(spec.tick)
        day = days[index // TRADES_PER_DAY]
        minute = rng.randint(13 * 60 + 30, 19 * 60 + 45)
        opened_at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            minutes=minute, seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999_999)
        )
        quantity = _quantity(rng, instrument.asset_class)
        drift = Decimal(str(round(rng.uniform(0.7, 1.3), 4)))
        entry = (Decimal(spec.price) * drift).quantize(tick)
        direction = rng.choice((TradeDirection.LONG, TradeDirection.SHORT))
        is_open = rng.random() < 0.01
        notes = ""
        if rng.random() < 0.6:
            notes = " ".join(rng.sample(_NOTE_SENTENCES, rng.randint(1, 4)))
        risk = None
        stop = None
        if rng.random() < 0.5:
            stop_distance = max(tick, (entry * Decimal("0.01")).quantize(tick))
            stop = (
                entry - stop_distance if direction is TradeDirection.LONG else entry + stop_distance
            )
            risk = (stop_distance * quantity * instrument.multiplier).quantize(_CENT)
            if risk <= 0:
                risk, stop = None, None
        common: dict[str, Any] = {
            "id": _uuid(rng),
            "account_id": accounts[index % len(accounts)].id,
            "instrument_id": instrument.id,
            "direction": direction,
            "quantity": quantity,
            "entry_price": entry,
            "opened_at": opened_at,
            "notes": notes,
            "setup": rng.choice(_SETUPS),
            "tag_ids": tuple(rng.sample(tags, rng.randint(1, 2))) if rng.random() < 0.4 else (),
            "mistakes": tuple(rng.sample(_MISTAKES, rng.randint(1, 2)))
            if rng.random() < 0.2
            else (),
            "rating": rng.randint(1, 5) if rng.random() < 0.5 else None,
            "initial_risk": risk,
            "stop_price": stop,
        }
        entry_fill = Fill(_uuid(rng), quantity)
        if is_open:
            trades.append(Trade(status=TradeStatus.OPEN, fills=(entry_fill,), **common))
            continue
        move = Decimal(str(round(rng.gauss(0.0005, 0.01), 5)))
        exit_price = max(tick, (entry * (1 + move)).quantize(tick))
        if rng.random() < 0.05:
            held = timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 600))
        else:
            held = timedelta(seconds=rng.randint(30, 4 * 3600))
        sign = 1 if direction is TradeDirection.LONG else -1
        gross = ((exit_price - entry) * quantity * instrument.multiplier * sign).quantize(_CENT)
        fees = _fees(instrument.asset_class, quantity, entry * quantity * instrument.multiplier)
        trades.append(
            Trade(
                status=TradeStatus.CLOSED,
                exit_price=exit_price,
                closed_at=opened_at + held,
                gross_pnl=gross,
                fees=fees,
                net_pnl=gross - fees,
                fills=(entry_fill, Fill(_uuid(rng), quantity)),
                **common,
            )
        )
    return tuple(trades)


def make_dataset(trade_count: int, *, seed: int = 20240605) -> Dataset:
    rng = random.Random(seed)
    accounts = make_accounts(rng)
    instruments = make_instruments(rng)
    return Dataset(accounts, instruments, make_trades(trade_count, rng, accounts, instruments))


R = TypeVar("R", bound=Record)


def stamped(records: Sequence[R], node: str = "b3c0de") -> list[R]:
    """Records as the repository would store them: version 1, every field stamped."""
    clock = HybridLogicalClock(node)
    return [stamp_new(r, clock.now()) for r in records]
