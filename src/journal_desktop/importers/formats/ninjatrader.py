"""NinjaTrader 8 executions export (Control Center > Executions > right-click > Export).

    Instrument,Action,Quantity,Price,Time,ID,E/X,Position,Order ID,Name,Commission,Rate,
    Account,Connection,

(on one line; the trailing comma is NinjaTrader's). One row per fill. NinjaTrader writes
numbers and times in the Windows locale of the machine that exported them, so one export reads

    MES 03-26,Buy,1,5012.25,3/2/2026 9:31:05 AM,...,$0.62,...      (en-US)
    MES 03-26;Buy;1;5012,25;02.03.2026 09:31:05;...;0,62 $;...     (de-DE: `;`, decimal comma)

The decimal separator is judged once from the Price and Commission columns, and the date order
once from the Time column (AM/PM means month first; dotted dates or a first field above 12 mean
day first); when the file cannot tell, a `;`-delimited file is taken as European (day first,
decimal comma) and a `,`-delimited one as US.

- `Action`: Buy, Sell, Buy to cover, Sell short (a cover is a buy, a short a sell).
- `Instrument`: futures as `MES 03-26` (multiplier from the contract table), currency pairs as
  `EURUSD` (quantity in units of the base currency, so multiplier 1), anything else a stock.
- `ID` is NinjaTrader's execution id, kept to recognise a re-imported fill; `Account` names
  the account (NinjaTrader 8.1's grids head it `Account display name`, as in a grid export in
  a public journal's tests); extra columns (a `TradeValidation` added by export add-ons) are
  ignored. Times may have no seconds (`6/16/2025 21:08`) or be ISO (`2026-09-16 15:31:02`).
- Futures written by add-ons that mimic this export as `MNQ SEP25` or `MNQU5` (a known root
  with an expiry) are futures too, not stocks; a bare ticker such as `CL` stays a stock.

Times are the exporting PC's local time and the file does not say which zone that is; the
default is New York, and a trader elsewhere passes `--timezone` (e.g. America/Chicago).
"""

from __future__ import annotations

import re
from datetime import tzinfo
from decimal import Decimal

from journal_desktop.domain.contracts import futures_root
from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import forex_pair
from journal_desktop.importers.table import Row, Table, find_header_line, read_table
from journal_desktop.importers.times import BadTime, parse_local, zone_reminder

DEFAULT_ZONE = "America/New_York"
CLOCK = "NinjaTrader prints the exporting PC's local time"
NAME = "ninjatrader"
REQUIRED = ("Instrument", "Action", "Quantity", "Price", "Time")
DISTINCTIVE = (*REQUIRED, "E/X", "Position")
#: NinjaTrader 8.1's grids head the account column `Account display name`.
ACCOUNT_COLUMNS = ("Account", "Account display name", "Account name")
SIDES = {"buy": Side.BUY, "buytocover": Side.BUY, "sell": Side.SELL, "sellshort": Side.SELL}
MONTH_FIRST = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
DAY_FIRST = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d/%m/%Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_FUTURE = re.compile(r"[A-Z0-9]{1,5} \d{2}-\d{2}")
_DATE_FIELDS = re.compile(r"(\d{1,4})([./-])(\d{1,2})[./-]\d{2,4}")


def detect(text: str, filename: str) -> int:
    """`E/X` and `Position` beside the execution columns are NinjaTrader's own."""
    return 90 if find_header_line(text, *DISTINCTIVE, limit=5) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, *REQUIRED, limit=5)
    table = read_table(text, filename, header_line_index=header or 0)
    table.require_columns(*REQUIRED)
    if not table.rows:
        raise ImportFileError(filename, "the file has a header but no executions")
    european = table.delimiter == ";"
    comma = table.decimal_comma("Price", "Commission", default=european)
    formats = DAY_FIRST if day_first(table, ("Time",), default=european) else MONTH_FIRST
    executions = tuple(
        _execution(row, tz, account, i, comma, formats) for i, row in enumerate(table.rows)
    )
    return ParsedFile(NAME, executions, warnings=zone_reminder(tz, DEFAULT_ZONE, CLOCK))


def day_first(table: Table, columns: tuple[str, ...], *, default: bool) -> bool:
    """Whether the time columns write the day before the month, judged from all their values
    (also used by the Trades export, `ninjatrader_trades`)."""
    values = (row.text(c, required=False).upper() for row in table.rows for c in columns)
    for value in values:
        if value.endswith(("AM", "PM")):
            return False
        match = _DATE_FIELDS.match(value)
        if match is None or len(match.group(1)) == 4:
            continue
        if match.group(2) == ".":
            return True
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12:
            return True
        if second > 12:
            return False
    return default


def _execution(
    row: Row,
    tz: tzinfo,
    account: str,
    position: int,
    comma: bool | None,
    formats: tuple[str, ...],
) -> ImportedExecution:
    action = row.text("Action")
    side = SIDES.get(re.sub(r"[\s_]", "", action.lower()))
    if side is None:
        raise row.error(
            f"{action!r} is not an action (Buy, Sell, Buy to cover, Sell short)", "Action"
        )
    quantity = row.amount("Quantity", decimal_comma=comma)
    if quantity < 0:
        raise row.error(
            "a quantity must not be negative; the Action gives the direction", "Quantity"
        )
    if quantity == 0:
        raise row.error("a quantity of zero is not an execution", "Quantity")
    price = row.price("Price", decimal_comma=comma)
    try:
        executed_at = parse_local(row.text("Time"), formats, tz)
    except BadTime as error:
        raise row.error(str(error), "Time") from None
    return ImportedExecution(
        account=_account(row) or account or "Default",
        instrument=instrument(row.text("Instrument")),
        side=side,
        quantity=quantity,
        price=price,
        executed_at=executed_at,
        commission=abs(row.amount("Commission", required=False, decimal_comma=comma)),
        broker_execution_id=row.text("ID", required=False),
        line=row.line,
        position_in_file=position,
    )


def _account(row: Row) -> str:
    """The `Account` column, or `Account display name` where NinjaTrader 8.1 grids name it so."""
    for column in ACCOUNT_COLUMNS:
        value = row.text(column, required=False)
        if value:
            return value
    return ""


def instrument(name: str) -> InstrumentSpec:
    """The instrument an `Instrument` cell names (also read by `ninjatrader_trades`)."""
    symbol = " ".join(name.upper().split())
    if _FUTURE.fullmatch(symbol):
        return InstrumentSpec(symbol=symbol, asset_class=AssetClass.FUTURE)
    root = futures_root(symbol)
    if root is not None and root != symbol:
        # `MNQ SEP25`, `MNQU5`: a known root with an expiry (a bare `CL` stays a stock ticker).
        return InstrumentSpec(symbol=symbol, asset_class=AssetClass.FUTURE)
    pair = forex_pair(symbol) if len(symbol) == 6 else None
    if pair is not None:
        return InstrumentSpec(
            symbol=symbol, asset_class=AssetClass.FOREX, currency=pair[1], multiplier=Decimal(1)
        )
    return InstrumentSpec(symbol=symbol, asset_class=AssetClass.STOCK)


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="NinjaTrader 8 executions export (CSV, any Windows locale)",
        default_timezone=DEFAULT_ZONE,
        detect=detect,
        parse=parse,
    )
)
