"""Instrument names as brokers print them: option contracts, futures codes and currency pairs.

Every option is stored under its OCC symbol (`AAPL  260320C00200000`: root padded to six, expiry
YYMMDD, right, strike in thousandths), whatever the file wrote (`AAPL 03/20/2026 200.00 C`,
`AAPL260320C00200000`, `AAPL 260320C200`), so one contract imported from two brokers' files is
one instrument. Futures and currency pairs are recognised here only to choose the asset class;
their multipliers come from the contract table or from the format that knows its lot size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from journal_desktop.domain.imported import InstrumentSpec
from journal_desktop.domain.records import AssetClass

#: The month letters of futures codes, January (F) to December (Z).
FUTURES_MONTH_CODES = "FGHJKMNQUVXZ"

# fmt: off
#: ISO 4217 codes of the currencies retail FX platforms quote, for recognising `EURUSD`.
CURRENCIES = frozenset({
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN",
    "HUF", "CZK", "TRY", "ZAR", "MXN", "SGD", "HKD", "CNH", "CNY", "RUB", "ILS", "THB",
    "INR", "KRW", "BRL",
})
# fmt: on

_OCC = re.compile(r"([A-Z][A-Z0-9.]{0,5})\s*(\d{6})([CP])(\d{8})")
_SHORT_STRIKE = re.compile(r"([A-Z][A-Z0-9.]{0,5})\s*(\d{6})([CP])(\d+(?:\.\d+)?)")
_COMPACT_FUTURE = re.compile(rf"[/@]?([A-Z0-9]{{1,4}}?)([{FUTURES_MONTH_CODES}])(\d{{1,2}})")
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


@dataclass(frozen=True, slots=True)
class OptionContract:
    underlying: str
    expiry: date
    right: str  # "C" or "P"
    strike: Decimal

    def occ_symbol(self) -> str:
        """The 21-character OCC symbol, the form IBKR and the clearing house print."""
        thousandths = self.strike * 1000
        if thousandths != thousandths.to_integral_value() or not 0 < thousandths < 10**8:
            raise ValueError(f"strike {self.strike} cannot be written as an OCC symbol")
        return f"{self.underlying:<6}{self.expiry:%y%m%d}{self.right}{int(thousandths):08d}"

    def spec(self, *, currency: str = "USD", multiplier: Decimal | None = None) -> InstrumentSpec:
        return InstrumentSpec(
            symbol=self.occ_symbol(),
            asset_class=AssetClass.OPTION,
            currency=currency,
            multiplier=multiplier,
            underlying=self.underlying,
            expiry=self.expiry,
            strike=self.strike,
            option_right=self.right,
        )


def option_contract(underlying: str, expiry: date, right: str, strike: Decimal) -> OptionContract:
    """A contract from its parts; `right` may be spelt C, P, CALL or PUT in any case."""
    letter = right.strip().upper()[:1]
    if letter not in ("C", "P") or right.strip().upper() not in ("C", "P", "CALL", "PUT"):
        raise ValueError(f"{right!r} is not an option right (CALL or PUT)")
    if strike <= 0:
        raise ValueError(f"an option strike must be positive, not {strike}")
    return OptionContract(underlying.strip().upper(), expiry, letter, plain_decimal(strike))


def plain_decimal(value: Decimal) -> Decimal:
    """`200.00` as `200` and `187.50` as `187.5`: one spelling for one strike, whichever
    file it came from, without the exponent form `normalize` gives round numbers (`2E+2`)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_occ(text: str) -> OptionContract | None:
    """An OCC-style symbol, padded or compact (`SPXW260327C06540000`), or the short form with
    the strike in plain digits: TradeStation's `AAPL 260320C200`, the same without the space
    (`TSLA260620C400`, in a public journal's Webull test) or with the leading dot of TD
    Ameritrade's and tastytrade's symbols (`.SPY230120C400`); None for anything else."""
    value = text.strip().upper().removeprefix(".")
    match = _OCC.fullmatch(value)
    if match:
        root, yymmdd, right, digits = match.groups()
        strike = plain_decimal(Decimal(digits) / 1000)
    else:
        match = _SHORT_STRIKE.fullmatch(value)
        if match is None:
            return None
        root, yymmdd, right, digits = match.groups()
        strike = plain_decimal(Decimal(digits))
    expiry = _yymmdd(yymmdd)
    if expiry is None or strike <= 0:
        return None
    return OptionContract(root, expiry, right, strike)


def _yymmdd(text: str) -> date | None:
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None


def third_friday(year: int, month: int) -> date:
    """The standard monthly options expiry, for statements that print only `MAR 15`."""
    first = date(year, month, 1)
    first_friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + timedelta(days=14)


def month_number(abbreviation: str) -> int | None:
    """1 to 12 for `JAN` to `DEC` (any case), else None."""
    try:
        return _MONTHS.index(abbreviation.strip().upper()[:3]) + 1
    except ValueError:
        return None


def is_compact_future(symbol: str) -> bool:
    """`ESH26`, `/MESH26`, `@NQZ5`: a root, a month code and a one or two digit year."""
    return _COMPACT_FUTURE.fullmatch(symbol.strip().upper()) is not None


def forex_pair(symbol: str) -> tuple[str, str] | None:
    """(base, quote) for `EURUSD`, `EUR/USD`, `eurusd` or a broker's suffixed `EURUSD.m`,
    `EURUSDpro`, `EURUSD#`; None when the first six letters are not two known currencies or
    what follows them is more than a short suffix."""
    letters = symbol.strip().replace("/", "")
    head = letters[:6].upper()
    rest = letters[6:]
    if len(head) != 6 or not head.isalpha():
        return None
    base, quote = head[:3], head[3:]
    if base not in CURRENCIES or quote not in CURRENCIES or base == quote:
        return None
    if rest and not (rest[0] in "._#-+!" or (rest.isalpha() and len(rest) <= 4)):
        return None
    return base, quote


#: One lot of a currency pair on MetaTrader servers: 100,000 units of the base currency.
FOREX_LOT = Decimal(100000)
#: One lot of a spot metal, in troy ounces, as MetaTrader brokers define it almost everywhere.
METAL_LOTS = {"XAU": Decimal(100), "XAG": Decimal(5000), "XPT": Decimal(100), "XPD": Decimal(100)}
# fmt: off
#: Coins whose MetaTrader CFDs are quoted as `BTCUSD`; one lot is one coin at most brokers.
CRYPTO_COINS = frozenset({
    "BTC", "ETH", "LTC", "XRP", "BCH", "SOL", "ADA", "DOGE", "DOT", "LINK", "XLM", "EOS",
    "TRX", "BNB", "AVAX", "MATIC", "UNI",
})
# fmt: on


def lot_instrument(symbol: str, account_currency: str = "USD") -> tuple[InstrumentSpec, bool]:
    """A symbol traded in lots (MetaTrader), with the contract size that makes P&L right.

    Volume stays in lots, as the report prints it; the multiplier is the lot's contract size,
    so price move x lots x multiplier is the money the broker books: 100,000 for a currency
    pair, 100 ounces of gold, 5,000 of silver, one coin of a crypto CFD. The second value is
    False when the symbol is none of these (an index or share CFD, whose contract size the
    report does not state): it is then taken as one unit per lot and the caller should warn.
    """
    name = symbol.strip().upper()
    head, quote = name[:3], name[3:6]
    pair = forex_pair(name)
    if pair is not None:
        return _lots(name, AssetClass.FOREX, pair[1], FOREX_LOT), True
    if head in METAL_LOTS and quote in CURRENCIES:
        return _lots(name, AssetClass.FOREX, quote, METAL_LOTS[head]), True
    if head in CRYPTO_COINS and (quote in CURRENCIES or name[3:7] == "USDT"):
        currency = "USDT" if name[3:7] == "USDT" else quote
        return _lots(name, AssetClass.CRYPTO, currency, Decimal(1)), True
    return _lots(name, AssetClass.STOCK, account_currency, Decimal(1)), False


def _lots(symbol: str, asset_class: AssetClass, currency: str, size: Decimal) -> InstrumentSpec:
    return InstrumentSpec(
        symbol=symbol, asset_class=asset_class, currency=currency, multiplier=size
    )
