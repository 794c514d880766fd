"""Charles Schwab's web Transactions export (Accounts > History > Transactions > Export, CSV).

    "Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"

Older exports put a title line above the header (`"Transactions for account ... as of ..."`)
and a `"Transactions Total"` line below the rows; both are read past, the total line even in
the broken quoting of 2020 exports (`"Transactions Total,"","",...,-$9620.64`, with a
trailing comma on every line; jbms/beancount-import issue 171 quotes both versions), and so
is its absence in exports since 2023 (cgt-calc/capital-gains-calculator issue 451). Amounts
carry `$` and thousands separators (`"$1,500.00"`, `-$1,007.50`).

- `Date` is `03/02/2026` or `03/02/2026 as of 02/28/2026`; the "as of" date is when the trade
  took effect (the first is when it was booked), so it is the trade date used.
- `Action`: Buy, Sell, Sell Short, Buy to Cover, Buy to Open, Buy to Close, Sell to Open,
  Sell to Close, and Reinvest Shares (a purchase with a quantity and price). Expired, Assigned
  and Exercised (Exchange or Exercise) close an option at no price: a positive quantity there
  buys back a short option, a negative one removes a long one. Dividends, interest, transfers,
  journals, fees and the like are not trades and are skipped; an unknown action that has a
  quantity and a price is an error, since it moves a position this importer does not understand.
- Options are `AAPL 03/20/2026 200.00 C`; multiplier 100 by default.
- `Fees & Comm` is one figure; it becomes the commission (Schwab does not split it).

The export has no time of day. Each trade is placed at 16:00 New York time (the US close) on its
trade date. Schwab lists the newest first, so the file is read bottom to top: within one day
the order of the file is the only order there is, and reversed it is the order the trades
happened in (a one-day file too; only a file whose dates run forwards, re-sorted by the trader,
is read top to bottom). The executions (and their `position_in_file`) are in that
chronological order, so matching a same-day buy and sell never sells first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.numbers import parse_amount
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import option_contract
from journal_desktop.importers.table import Row, find_header_line, read_table
from journal_desktop.importers.times import BadTime, to_utc

NAME = "schwab-transactions"
REQUIRED = ("Date", "Action", "Symbol", "Quantity", "Price", "Fees & Comm")
#: The time of day given to every trade, for an export that has none: the US market close.
TRADE_TIME = time(16, 0)
TRADES = {
    "buy": Side.BUY,
    "buy to open": Side.BUY,
    "buy to close": Side.BUY,
    "buy to cover": Side.BUY,
    "reinvest shares": Side.BUY,
    "sell": Side.SELL,
    "sell short": Side.SELL,
    "sell to open": Side.SELL,
    "sell to close": Side.SELL,
}
#: Actions that end an option without a trade price; the quantity's sign gives the side.
OPTION_ENDINGS = frozenset({"expired", "assigned", "exercised", "exchange or exercise"})
_DATE = re.compile(r"(\d{1,2}/\d{1,2}/\d{4})(?:\s+as\s+of\s+(\d{1,2}/\d{1,2}/\d{4}))?")
_OPTION = re.compile(r"(\S+)\s+(\d{1,2}/\d{1,2}/\d{4})\s+([\d.,]+)\s+([CP])")


def detect(text: str, filename: str) -> int:
    """`Fees & Comm` beside `Action` is Schwab's own header."""
    return 85 if find_header_line(text, *REQUIRED, limit=5) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, *REQUIRED, limit=5)
    table = read_table(text, filename, header_line_index=header or 0)
    table.require_columns(*REQUIRED)
    rows = [r for r in table.rows if not _is_total(r)]
    if not rows:
        raise ImportFileError(filename, "the file has a header but no transactions")
    comma = table.decimal_comma("Quantity", "Price", default=table.delimiter == ";")
    dated = [(_trade_date(row), row) for row in rows]
    trades: list[_Trade] = []
    skipped: set[str] = set()
    for trade_date, row in _chronological(dated):
        trade = _trade(row, trade_date, comma)
        if trade is None:
            skipped.add(row.text("Action", required=False) or "(no action)")
        else:
            trades.append(trade)
    name = account or "Default"
    executions = tuple(t.execution(name, tz, i) for i, t in enumerate(trades))
    warnings = (f"not trades, skipped: {', '.join(sorted(skipped))}",) if skipped else ()
    return ParsedFile(NAME, executions, warnings=warnings)


def _is_total(row: Row) -> bool:
    """The `Transactions Total` line, however it is quoted: exports of 2020 wrote it as
    `"Transactions Total,"","",...,-$9620.64`, whose first cell the csv module reads as
    `Transactions Total,",",...` (quoted in beancount-import issue 171)."""
    return row.text("Date", required=False).lower().startswith("transactions total")


def _trade_date(row: Row) -> date:
    text = row.text("Date")
    match = _DATE.fullmatch(text)
    if match is None:
        raise row.error(f"{text!r} is not a date such as 03/02/2026", "Date")
    try:
        return datetime.strptime(match.group(2) or match.group(1), "%m/%d/%Y").date()
    except ValueError:
        raise row.error(f"{text!r} is not a date such as 03/02/2026", "Date") from None


def _chronological(dated: list[tuple[date, Row]]) -> list[tuple[date, Row]]:
    """Oldest first. Unless its dates run forwards (a list re-sorted before the export), the
    file is in Schwab's newest-first order, a one-day file included, and is reversed before a
    stable sort by date, so rows of one day keep the order in which they happened."""
    if not dated or dated[0][0] >= dated[-1][0]:
        dated = dated[::-1]
    return sorted(dated, key=lambda pair: pair[0])


@dataclass(frozen=True, slots=True)
class _Trade:
    row: Row
    trade_date: date
    side: Side
    quantity: Decimal
    price: Decimal
    fees: Decimal
    instrument: InstrumentSpec

    def execution(self, account: str, tz: tzinfo, position: int) -> ImportedExecution:
        try:
            executed_at = to_utc(datetime.combine(self.trade_date, TRADE_TIME), tz)
        except BadTime as error:
            raise self.row.error(str(error), "Date") from None
        return ImportedExecution(
            account=account,
            instrument=self.instrument,
            side=self.side,
            quantity=self.quantity,
            price=self.price,
            executed_at=executed_at,
            commission=self.fees,
            line=self.row.line,
            position_in_file=position,
        )


def _trade(row: Row, trade_date: date, comma: bool | None) -> _Trade | None:
    """The trade a row records, or None for a row that is not a trade (a dividend, say)."""
    action = " ".join(row.text("Action", required=False).lower().split())
    if action in OPTION_ENDINGS:
        return _option_ending(row, trade_date, comma)
    side = TRADES.get(action)
    if side is None:
        if row.has("Quantity") and row.has("Price"):
            raise row.error(
                f"{row.text('Action')!r} is not a trade action this importer knows", "Action"
            )
        return None
    quantity = row.amount("Quantity", decimal_comma=comma)
    if quantity <= 0:
        raise row.error("a quantity must be positive; the Action gives the direction", "Quantity")
    price = row.price("Price", decimal_comma=comma)
    fees = abs(row.amount("Fees & Comm", required=False, decimal_comma=comma))
    return _Trade(row, trade_date, side, quantity, price, fees, _instrument(row))


def _option_ending(row: Row, trade_date: date, comma: bool | None) -> _Trade:
    """Expiry, assignment or exercise: the option leaves the account at price zero."""
    signed = row.amount("Quantity", decimal_comma=comma)
    if signed == 0:
        raise row.error("a quantity of zero ends no position", "Quantity")
    instrument = _instrument(row)
    if instrument.asset_class is not AssetClass.OPTION:
        raise row.error(f"{row.text('Action')} names no option contract", "Symbol")
    side = Side.BUY if signed > 0 else Side.SELL
    return _Trade(row, trade_date, side, abs(signed), Decimal(0), Decimal(0), instrument)


def _instrument(row: Row) -> InstrumentSpec:
    symbol = " ".join(row.text("Symbol").upper().split())
    match = _OPTION.fullmatch(symbol)
    if match is None:
        return InstrumentSpec(symbol=symbol, asset_class=AssetClass.STOCK)
    underlying, expiry_text, strike_text, right = match.groups()
    try:
        expiry = datetime.strptime(expiry_text, "%m/%d/%Y").date()
        strike = parse_amount(strike_text, decimal_comma=False)  # Schwab's own spelling
        return option_contract(underlying, expiry, right, strike).spec()
    except ValueError as error:
        raise row.error(f"{symbol!r} is not an option symbol ({error})", "Symbol") from None


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="Charles Schwab web Transactions CSV (no time of day: 16:00 New York)",
        default_timezone="America/New_York",
        detect=detect,
        parse=parse,
    )
)
