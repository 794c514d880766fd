"""Contract multipliers: how much money one unit of price move is worth.

A broker file states a futures fill as "MESH6 @ 5010.50" and rarely says that a point of MES is
$5; without that the P&L would be off by a factor of five (or fifty). The table below holds the
exchange-published point values of the common US futures, and `futures_root` finds the root in
the spellings brokers use (`MESH6`, `/MESH26`, `MES 03-26`, `@ES`, ...).

Only values that are certain are listed. A contract that is not here is refused by
`default_multiplier` with a message asking for the multiplier, rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from journal_desktop.domain.imported import InstrumentSpec
from journal_desktop.domain.records import AssetClass

#: Money per 1.0 of quoted price, by root symbol (CME Globex, CBOT, NYMEX, COMEX, Cboe CFE).
#: Grains and livestock are quoted in cents, so their point value is per cent.
POINT_VALUES: Final = MappingProxyType(
    {
        # CME equity indices
        "ES": Decimal(50),  # E-mini S&P 500
        "MES": Decimal(5),  # Micro E-mini S&P 500
        "NQ": Decimal(20),  # E-mini Nasdaq-100
        "MNQ": Decimal(2),  # Micro E-mini Nasdaq-100
        "YM": Decimal(5),  # E-mini Dow ($5)
        "MYM": Decimal("0.5"),  # Micro E-mini Dow
        "RTY": Decimal(50),  # E-mini Russell 2000
        "M2K": Decimal(5),  # Micro E-mini Russell 2000
        "EMD": Decimal(100),  # E-mini S&P MidCap 400
        "NKD": Decimal(5),  # Nikkei 225 (dollar)
        # NYMEX energy
        "CL": Decimal(1000),  # WTI crude oil, 1,000 barrels
        "MCL": Decimal(100),  # Micro WTI crude oil, 100 barrels
        "QM": Decimal(500),  # E-mini crude oil, 500 barrels
        "NG": Decimal(10000),  # Henry Hub natural gas, 10,000 MMBtu
        "QG": Decimal(2500),  # E-mini natural gas, 2,500 MMBtu
        "HO": Decimal(42000),  # NY Harbor ULSD, 42,000 gallons
        "RB": Decimal(42000),  # RBOB gasoline, 42,000 gallons
        # COMEX / NYMEX metals
        "GC": Decimal(100),  # Gold, 100 troy ounces
        "MGC": Decimal(10),  # Micro gold, 10 troy ounces
        "SI": Decimal(5000),  # Silver, 5,000 troy ounces
        "SIL": Decimal(1000),  # Micro silver, 1,000 troy ounces
        "HG": Decimal(25000),  # Copper, 25,000 pounds
        "MHG": Decimal(2500),  # Micro copper, 2,500 pounds
        "PL": Decimal(50),  # Platinum, 50 troy ounces
        "PA": Decimal(100),  # Palladium, 100 troy ounces
        # CBOT interest rates (price in points of par)
        "ZB": Decimal(1000),  # 30-year T-bond, $100,000 face
        "UB": Decimal(1000),  # Ultra T-bond, $100,000 face
        "ZN": Decimal(1000),  # 10-year T-note, $100,000 face
        "TN": Decimal(1000),  # Ultra 10-year T-note, $100,000 face
        "ZF": Decimal(1000),  # 5-year T-note, $100,000 face
        "ZT": Decimal(2000),  # 2-year T-note, $200,000 face
        "SR3": Decimal(2500),  # Three-month SOFR ($25 per basis point)
        # CBOT grains and oilseeds (quoted in cents per bushel / per pound)
        "ZC": Decimal(50),  # Corn, 5,000 bushels
        "ZS": Decimal(50),  # Soybeans, 5,000 bushels
        "ZW": Decimal(50),  # Chicago SRW wheat, 5,000 bushels
        "KE": Decimal(50),  # KC HRW wheat, 5,000 bushels
        "ZO": Decimal(50),  # Oats, 5,000 bushels
        "ZL": Decimal(600),  # Soybean oil, 60,000 pounds
        "ZM": Decimal(100),  # Soybean meal, 100 short tons ($ per ton)
        # CME livestock (cents per pound)
        "LE": Decimal(400),  # Live cattle, 40,000 pounds
        "HE": Decimal(400),  # Lean hogs, 40,000 pounds
        "GF": Decimal(500),  # Feeder cattle, 50,000 pounds
        # CME currencies (US dollars per unit of the foreign currency)
        "6E": Decimal(125000),  # Euro
        "M6E": Decimal(12500),  # Micro euro
        "E7": Decimal(62500),  # E-mini euro
        "6J": Decimal(12500000),  # Japanese yen
        "6B": Decimal(62500),  # British pound
        "M6B": Decimal(6250),  # Micro British pound
        "6A": Decimal(100000),  # Australian dollar
        "M6A": Decimal(10000),  # Micro Australian dollar
        "6C": Decimal(100000),  # Canadian dollar
        "6S": Decimal(125000),  # Swiss franc
        "6N": Decimal(100000),  # New Zealand dollar
        "6M": Decimal(500000),  # Mexican peso
        # CME cryptocurrency
        "BTC": Decimal(5),  # Bitcoin, 5 bitcoin
        "MBT": Decimal("0.1"),  # Micro bitcoin, 0.1 bitcoin
        "ETH": Decimal(50),  # Ether, 50 ether
        "MET": Decimal("0.1"),  # Micro ether, 0.1 ether
        # Cboe Futures Exchange
        "VX": Decimal(1000),  # Cboe Volatility Index (VIX) futures
        "VXM": Decimal(100),  # Mini VIX futures
    }
)

#: A compact symbol: root, month code, and a 1, 2 or 4 digit year. The month letter directly
#: before the trailing digits fixes where the root ends, so `MESH6` can only be MES (never ES)
#: and `VXM6` only VX (June), which is what "the longest known root" comes to.
_COMPACT: Final = re.compile(r"(?P<root>[A-Z0-9]+?)[FGHJKMNQUVXZ](?:\d|\d\d|\d{4})")

_MONTH_NAMES = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"

#: What may follow the root after a space: `03-26`, `03-2026`, `12.26` (one of Tradervue's
#: documented generic forms), `MAR26`, `MAR 2026`, `20MAR26` (IBKR descriptions), `202603` /
#: `20260320` (contract month or expiry date).
_SPACED_EXPIRY: Final = re.compile(
    rf"\d{{1,2}}[-/.](?:\d\d|\d{{4}})"
    rf"|(?:\d{{1,2}}\s*)?(?:{_MONTH_NAMES})\s*(?:\d\d|\d{{4}})"
    r"|\d{6}|\d{8}"
)

#: An exchange suffix thinkorswim appends (`/MESH26:XCME`).
_EXCHANGE_SUFFIX: Final = re.compile(r":[A-Z]+$")


class UnknownContract(ValueError):
    """A futures symbol whose point value the journal does not know; the user must give it."""

    def __init__(self, symbol: str) -> None:
        super().__init__(
            f"unknown futures contract {symbol!r}: its point value is not in the contract "
            "table; give the multiplier (money per 1.0 of price) for it"
        )
        self.symbol = symbol


def futures_root(symbol: str) -> str | None:
    """The root of a futures symbol in any of the usual spellings, or None if none is known.

    A root counts only when what follows it is a real month-and-year code or a spaced expiry,
    so `MESH6` is MES (not ES), `ESZ5` is ES, and a stock ticker that merely starts like a
    root (`ESTA`) is not mistaken for a future.
    """
    text = _EXCHANGE_SUFFIX.sub("", symbol.strip().upper()).lstrip("/@").strip()
    if text in POINT_VALUES:
        return text
    head, _, tail = text.partition(" ")
    if tail:
        tail = tail.strip()
        if head in POINT_VALUES and _SPACED_EXPIRY.fullmatch(tail):
            return head
        return None
    compact = _COMPACT.fullmatch(text)
    if compact and compact["root"] in POINT_VALUES:
        return compact["root"]
    return None


def point_value(symbol: str) -> Decimal | None:
    """Money per 1.0 of price for a futures symbol, or None when its root is not known."""
    root = futures_root(symbol)
    return None if root is None else POINT_VALUES[root]


def default_multiplier(spec: InstrumentSpec) -> Decimal:
    """The multiplier for an instrument a file describes, when the file gives none.

    The file's own value always wins (mini options are 10, some exchanges differ). Otherwise
    options are 100 shares, futures come from the table, and stock, forex and crypto are 1.
    An unknown future raises `UnknownContract` instead of silently using 1: a wrong
    multiplier would make every P&L figure of that contract wrong.
    """
    if spec.multiplier is not None:
        if not spec.multiplier.is_finite() or spec.multiplier <= 0:
            raise ValueError(
                f"the multiplier of {spec.symbol!r} must be a positive number, "
                f"not {spec.multiplier}"
            )
        return spec.multiplier
    if spec.asset_class is AssetClass.OPTION:
        return Decimal(100)
    if spec.asset_class is AssetClass.FUTURE:
        for candidate in (spec.symbol, spec.underlying):
            value = point_value(candidate) if candidate else None
            if value is not None:
                return value
        raise UnknownContract(spec.symbol)
    return Decimal(1)
