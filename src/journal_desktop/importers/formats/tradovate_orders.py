"""Tradovate's Orders report (CSV): one row per order, filled or not.

Header of a real export (Reports > Orders > CSV):
`orderId,Account,Order ID,B/S,Contract,Product,Product Description,avgPrice,filledQty,
Fill Time,lastCommandId,Status,...,Timestamp,Date,Quantity,Text,Type,Limit Price,Stop Price,
...,Filled Qty,Avg Fill Price,...,Notional Value,Currency` (older exports stop before `Venue`).
Values may carry a leading space (` Buy`, ` Filled`), so every value is trimmed.

A row is a fill when the order filled: its status is Filled, or it states a filled quantity
(an order partly filled and then cancelled still moved the position, so it is kept, with a
warning). `avgPrice`/`filledQty` are the order's average fill price and total filled
quantity (`Avg Fill Price`/`Filled Qty` are read when those are blank); `Fill Time` is when it
filled, while `Timestamp` is when it was placed and is used only by an export with no
`Fill Time` column. The order id is the broker id. The report has no commission or fee column,
so fills carry none; Tradovate's Fills report has them (format `tradovate-fills`). Contracts
are futures (`MNQM6`); the point value comes from the contract table, with the `Product`
column (`MNQ`) as the root to look up.

Times carry no zone: Tradovate writes them in the zone set in the trader's platform, which
the file does not name. No default can be right for everyone, so the default is UTC, and each
import says so in a warning, to be redone with `--timezone` if the platform shows another zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.numbers import infer_decimal_comma
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.table import Row, Table, normalise_header, read_table
from journal_desktop.importers.times import BadTime, LocalTimeReader

FORMAT_NAME = "tradovate-orders"

SIDES = {"buy": Side.BUY, "b": Side.BUY, "sell": Side.SELL, "s": Side.SELL}
QUANTITY = ("filledQty", "Filled Qty")
PRICE = ("avgPrice", "Avg Fill Price")
TIME = ("Fill Time", "Timestamp")
ORDER_ID = ("orderId", "Order ID")
TIME_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
)


def zone_warning(tz: tzinfo) -> tuple[str, ...]:
    """The reminder a Tradovate import gives when its times were read as UTC."""
    if tz is not UTC:
        return ()
    return (
        "Tradovate files do not say which time zone their times are in; they were read as UTC."
        " If your Tradovate platform shows another zone, import again with --timezone.",
    )


def header_names(text: str) -> set[str]:
    """The normalised column names on the first non-blank line, for detection."""
    first = next((line for line in text.split("\n", 20)[:20] if line.strip()), "")
    try:
        table = read_table(first, "")
    except ImportFileError:
        return set()
    return set(table.header)


def present(table: Table, names: Sequence[str]) -> str | None:
    """The first of `names` that is a column of the table."""
    return next((name for name in names if table.has_columns(name)), None)


def detect(text: str, filename: str) -> int:
    names = header_names(text)
    wanted = [("b/s",), ("contract",), ("status",), ("filledqty", "filled qty")]
    wanted.append(("avgprice", "avg fill price"))
    return 80 if all(names & set(group) for group in wanted) else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    table = read_table(text, filename)
    table.require_columns("B/S", "Contract", "Status")
    columns = {}
    for names in (QUANTITY, PRICE, TIME):
        found = present(table, names)
        if found is None:
            raise ImportFileError(
                filename, "a required column is missing", line=table.header_line, column=names[0]
            )
        columns[names[0]] = found
    decimal_comma = infer_decimal_comma(
        row.values.get(normalise_header(name), "")
        for row in table.rows
        for name in (*QUANTITY, *PRICE)
    )
    read_time = LocalTimeReader(TIME_FORMATS, tz)
    warnings: list[str] = []
    executions: list[ImportedExecution] = []
    for row in table.rows:
        quantity = _filled_quantity(row, decimal_comma)
        status = row.text("Status", required=False)
        if quantity is None:
            if status.lower() == "filled":
                raise row.error("a Filled order states no filled quantity", QUANTITY[0])
            continue
        if status.lower() != "filled":
            warnings.append(
                f"{filename}, line {row.line}: a {status or 'blank-status'} order had filled"
                f" {quantity}; the fill was kept"
            )
        executions.append(
            _execution(
                row,
                quantity,
                columns[TIME[0]],
                read_time,
                account,
                len(executions),
                decimal_comma,
            )
        )
    if not executions:
        raise ImportFileError(filename, "the file has no filled orders")
    return ParsedFile(FORMAT_NAME, tuple(executions), warnings=(*zone_warning(tz), *warnings))


def _filled_quantity(row: Row, decimal_comma: bool | None) -> Decimal | None:
    """The order's filled quantity, None when it filled nothing."""
    column = next((c for c in QUANTITY if row.has(c)), None)
    if column is None:
        return None
    quantity = row.amount(column, decimal_comma=decimal_comma)
    if quantity < 0:
        raise row.error("a filled quantity must not be negative; B/S says the direction", column)
    return quantity if quantity > 0 else None


def _execution(
    row: Row,
    quantity: Decimal,
    time_column: str,
    read_time: LocalTimeReader,
    account: str,
    position: int,
    decimal_comma: bool | None,
) -> ImportedExecution:
    side = SIDES.get(row.text("B/S").lower())
    if side is None:
        raise row.error(f"{row.text('B/S')!r} is not a side (Buy or Sell)", "B/S")
    price_column = next((c for c in PRICE if row.has(c)), PRICE[0])
    price = row.amount(price_column, decimal_comma=decimal_comma)  # may be negative (CL, 2020)
    try:
        executed_at = read_time(row.text(time_column))
    except BadTime as error:
        raise row.error(str(error), time_column) from None
    order_id = next((row.text(c) for c in ORDER_ID if row.has(c)), "")
    return ImportedExecution(
        account=row.text("Account", required=False) or account or "Default",
        instrument=InstrumentSpec(
            symbol=row.text("Contract").upper(),
            asset_class=AssetClass.FUTURE,
            currency=(row.text("Currency", required=False) or "USD").upper(),
            underlying=row.text("Product", required=False).upper(),
        ),
        side=side,
        quantity=quantity,
        price=price,
        executed_at=executed_at,
        broker_execution_id=order_id,
        line=row.line,
        position_in_file=position,
    )


FORMAT = register(
    ImportFormat(
        name=FORMAT_NAME,
        description="Tradovate Orders report (CSV): filled orders, no fees",
        default_timezone="UTC",
        detect=detect,
        parse=parse,
    )
)
