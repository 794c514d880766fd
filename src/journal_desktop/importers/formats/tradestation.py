"""TradeStation orders: the TradeManager Orders / Filled Orders tab exported to a file.

TradeManager exports its grid as tab- (or comma-) separated text, one row per order:

    Order #  Entered  Filled/Canceled  Symbol  Account  Type  Qty  Qty Filled  Qty Left
    Stop Price  Limit Price  Filled Price  Status  Duration  Routing  Commission

The captions follow TradeStation's documented order fields (its Web API's Order Detail:
`Type` Buy, Sell, Sell Short, Buy To Cover, Buy/Sell to Open/Close; `QuantityLeft`,
`FilledPriceText`, `FilledCanceled`, `CommissionFee`, the `Status` codes) and the column order
of TradeManager exports seen in public parsers; the grid's columns are user-chosen and renamed
between versions, so each is found under any of its known captions (`Filled Price` or `Avg Fill
Price`, `Qty Filled` or `Filled Qty`, `Filled/Canceled` or `Filled Time`, `Order #` or `Order
ID`, `Type` or `Side` for the direction).

An order is one execution at its average fill price, for the quantity filled. Orders that filled
nothing (cancelled, rejected, expired) are skipped; an order still working with part filled
("Partial Fill (Alive)") is skipped with a warning, because its fills are not final and a later
export would list them again under the same order. Commission is per order (`$1.00`).

Futures print as `ESH26` or `@ESH26` (multiplier from the contract table), options as
`AAPL 260320C200` (stored under their OCC symbol, multiplier 100), stocks as themselves.

The Order History export of TradeStation's current platforms is the same order list under
other captions: `Order ID, Symbol, Side, Type, Qty, Filled Qty, Limit Price, Stop Price, Avg
Fill Price, Status, Open Time, Close Time, Duration, Commission Fee, Expiration Date` (newer
files in Sentence case: `Filled quantity`, `Avg fill price`, `Close time`). There `Type` is the
order type (Market, Limit) and `Side` the direction; `Close Time` is when the order filled.

Times are TradeManager's display time, the PC's local zone (the file does not say); the default
is New York, and `--timezone` says otherwise.
"""

from __future__ import annotations

import csv
from datetime import tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import is_compact_future, parse_occ
from journal_desktop.importers.table import (
    Row,
    Table,
    find_header_line,
    normalise_header,
    read_table,
    sniff_delimiter,
)
from journal_desktop.importers.times import BadTime, parse_local, zone_reminder

DEFAULT_ZONE = "America/New_York"
NAME = "tradestation"
SYMBOL = "Symbol"
STATUS = "Status"
ORDER_ID = ("Order #", "Order ID", "Order Number")
FILL_TIME = ("Filled/Canceled", "Filled Time", "Fill Time", "Filled", "Close Time")
FILL_QTY = ("Qty Filled", "Filled Qty", "Filled Quantity", "Exec Qty")
FILL_PRICE = ("Filled Price", "Avg Fill Price", "Average Fill Price", "Fill Price")
DIRECTION = ("Side", "Type", "Action")
COMMISSION = ("Commission", "Commission Fee", "Comm")
ACCOUNT = ("Account", "Account No", "Account #")
#: Columns only TradeManager's grid has; one of them tells it from other order exports.
DISTINCTIVE = ("Order #", "Qty Left", "Filled/Canceled", "Entered")
#: The Order History export's pair of times (placed, and filled or cancelled).
ORDER_HISTORY_TIMES = ("Open Time", "Close Time")
SIDES = {
    "buy": Side.BUY,
    "buy to open": Side.BUY,
    "buy to close": Side.BUY,
    "buy to cover": Side.BUY,
    "sell": Side.SELL,
    "sell short": Side.SELL,
    "sell to short": Side.SELL,
    "sell to open": Side.SELL,
    "sell to close": Side.SELL,
}
TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


def detect(text: str, filename: str) -> int:
    """TradeManager's own columns with a fill quantity and fill price; Tradovate's order
    export shares some captions but has `B/S` and `Contract`, so it scores zero."""
    for line in text.split("\n")[:10]:
        cells = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
        table = Table(filename, tuple(normalise_header(c) for c in cells), 0, ())
        if table.has_columns("B/S") or table.has_columns("Contract"):
            return 0
        if (
            (table.pick(*DISTINCTIVE) or table.has_columns(*ORDER_HISTORY_TIMES))
            and table.pick(*FILL_QTY)
            and table.pick(*FILL_PRICE)
            and table.has_columns(SYMBOL, STATUS)
        ):
            return 80
    return 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, SYMBOL, STATUS, limit=10)
    table = read_table(text, filename, header_line_index=header or 0)
    columns = _columns(table)
    if not table.rows:
        raise ImportFileError(filename, "the file has a header but no orders")
    comma = table.decimal_comma(columns["qty"], columns["price"], default=table.delimiter == ";")
    executions: list[ImportedExecution] = []
    working = 0
    for row in table.rows:
        if _is_working(row):
            working += 1 if _filled(row, columns, comma) else 0
            continue
        if _filled(row, columns, comma) == 0:
            continue
        executions.append(_execution(row, columns, tz, account, len(executions), comma))
    warnings = (
        (f"{working} partly filled orders still working were skipped; import them once done",)
        if working
        else ()
    )
    reminder = zone_reminder(tz, DEFAULT_ZONE, "TradeManager shows the PC's local time")
    return ParsedFile(NAME, tuple(executions), warnings=(*reminder, *warnings))


def _columns(table: Table) -> dict[str, str]:
    """The caption this file uses for each needed column; a missing one is an error."""
    found: dict[str, str] = {}
    for key, names in (
        ("time", FILL_TIME),
        ("qty", FILL_QTY),
        ("price", FILL_PRICE),
        ("side", DIRECTION),
    ):
        name = table.pick(*names)
        if name is None:
            raise ImportFileError(
                table.file,
                "a required column is missing",
                line=table.header_line,
                column=" or ".join(names),
            )
        found[key] = name
    table.require_columns(SYMBOL, STATUS)
    found["commission"] = table.pick(*COMMISSION) or COMMISSION[0]
    found["order"] = table.pick(*ORDER_ID) or ORDER_ID[0]
    found["account"] = table.pick(*ACCOUNT) or ACCOUNT[0]
    return found


def _is_working(row: Row) -> bool:
    status = row.text(STATUS, required=False).lower()
    return "alive" in status or status in ("fpr", "partially filled", "partial fill")


def _filled(row: Row, columns: dict[str, str], comma: bool | None) -> Decimal:
    quantity = row.amount(columns["qty"], required=False, decimal_comma=comma)
    if quantity < 0:
        raise row.error(
            "a filled quantity must not be negative; the side gives the direction", columns["qty"]
        )
    return quantity


def _execution(
    row: Row,
    columns: dict[str, str],
    tz: tzinfo,
    account: str,
    position: int,
    comma: bool | None,
) -> ImportedExecution:
    direction = " ".join(row.text(columns["side"]).lower().split())
    side = SIDES.get(direction)
    if side is None:
        raise row.error(
            f"{row.text(columns['side'])!r} is not a side (Buy, Sell, Sell Short, "
            "Buy to Cover, ...)",
            columns["side"],
        )
    price = row.price(columns["price"], decimal_comma=comma)
    try:
        executed_at = parse_local(row.text(columns["time"]), TIME_FORMATS, tz)
    except BadTime as error:
        raise row.error(str(error), columns["time"]) from None
    return ImportedExecution(
        account=row.text(columns["account"], required=False) or account or "Default",
        instrument=_instrument(row.text(SYMBOL)),
        side=side,
        quantity=_filled(row, columns, comma),
        price=price,
        executed_at=executed_at,
        commission=abs(row.amount(columns["commission"], required=False, decimal_comma=comma)),
        broker_execution_id=row.text(columns["order"], required=False),
        line=row.line,
        position_in_file=position,
    )


def _instrument(text: str) -> InstrumentSpec:
    symbol = " ".join(text.upper().split())
    option = parse_occ(symbol)
    if option is not None:
        return option.spec()
    if is_compact_future(symbol):
        return InstrumentSpec(symbol=symbol.lstrip("@"), asset_class=AssetClass.FUTURE)
    return InstrumentSpec(symbol=symbol, asset_class=AssetClass.STOCK)


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="TradeStation TradeManager orders export (filled orders)",
        default_timezone=DEFAULT_ZONE,
        detect=detect,
        parse=parse,
    )
)
