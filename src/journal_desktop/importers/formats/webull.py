"""Webull orders export (Account > History/Orders > Export, emailed or downloaded as CSV).

    Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,Time-in-Force,Placed Time,Filled Time

One row per order. Rows whose Status is `Filled` are fills: the execution is `Filled` shares
at `Avg Price` at `Filled Time`. `Price` is the order's limit (`@5.00`, `@MKT`), not a fill
price, and is not read; an `Avg Price` written with the same `@` (`@150.50`, as a public
journal's Webull test has it) is read without it. An order cancelled (or expired, failed)
after filling in part still moved the position, so a `Cancelled` row with `Filled` above zero
is a fill of that many (with a warning); the same mistake of dropping such orders is reported
against exporters of other brokers (robin_stocks issues 225 and 275, robinhood-to-csv issue
25). Cancelled, failed and pending orders that filled nothing are skipped; a partly filled
order still working (`Partially Filled`, or `Partial Filled` as a public test of another
journal spells it) is skipped with a warning, because its fills are not final and a later
export lists the order again once it is done.

- `Filled Time` is `03/02/2026 09:31:05 EST`: the zone abbreviation Webull prints is honoured
  as the offset it names (EST UTC-5, EDT UTC-4, ...), so the import's time zone only matters for
  a time printed without one.
- `Side`: Buy, Sell, Short (a sell), Buy to Cover / Cover (a buy).
- Options are `AAPL260320C00200000` (OCC without spaces; multiplier 100). A multi-leg order
  prints a summary row with a name such as `SPXW Vertical` and no symbol, then one row per leg;
  the legs are the fills and the summary row is skipped.
- `Name` is not quoted, so a name with a comma (`Tesla, Inc.`) spills into the next cell; the
  row is put back together (see `_read_orders`) rather than read one column off.
- The export has no commission or fee columns (Webull's regulatory fees on sales are not in
  it), so commission and fees are zero.
"""

from __future__ import annotations

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
from journal_desktop.importers.symbols import parse_occ
from journal_desktop.importers.table import Row, Table, find_header_line, read_raw_table
from journal_desktop.importers.times import BadTime, parse_with_zone

NAME = "webull"
REQUIRED = ("Symbol", "Side", "Status", "Filled", "Avg Price", "Filled Time")
DISTINCTIVE = (*REQUIRED, "Total Qty", "Placed Time")
SIDES = {
    "buy": Side.BUY,
    "cover": Side.BUY,
    "buy to cover": Side.BUY,
    "sell": Side.SELL,
    "short": Side.SELL,
    "sell short": Side.SELL,
}
PARTIAL = frozenset({"partially filled", "partial filled", "partial"})
#: Orders that are over without having filled completely: what they did fill is final.
ENDED = frozenset({"cancelled", "canceled", "expired", "rejected", "failed"})
#: Statuses of orders that are not fills (yet), skipped without a word.
KNOWN_STATUSES = frozenset(
    {"filled", *ENDED, "pending", "working", "submitted", "pending cancel", "cancelling"}
)
TIME_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
)


def detect(text: str, filename: str) -> int:
    """`Total Qty`, `Placed Time` and `Filled Time` together are Webull's header."""
    return 90 if find_header_line(text, *DISTINCTIVE, limit=5) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, *REQUIRED, limit=5)
    table = _read_orders(text, filename, header or 0)
    table.require_columns(*REQUIRED)
    if not table.rows:
        raise ImportFileError(filename, "the file has a header but no orders")
    comma = table.decimal_comma("Filled", "Avg Price", default=table.delimiter == ";")
    executions: list[ImportedExecution] = []
    partial = ended = 0
    unknown: dict[str, int] = {}
    for row in table.rows:
        status = " ".join(row.text("Status", required=False).lower().split())
        if status in PARTIAL:
            partial += 1
        elif status not in KNOWN_STATUSES:
            printed = row.text("Status", required=False)
            unknown[printed] = unknown.get(printed, 0) + 1
        if _is_combo_summary(row):
            continue  # the summary row of a multi-leg order; its legs are the fills
        if status in ENDED and _filled_some(row, comma):
            ended += 1
        elif status != "filled":
            continue
        executions.append(_execution(row, tz, account, len(executions), comma))
    warnings: list[str] = []
    if partial:
        warnings.append(
            f"{partial} partly filled orders were skipped; export again once they are done"
        )
    if ended:
        warnings.append(
            f"{ended} cancelled or expired orders had filled in part; their fills were imported"
        )
    warnings.extend(
        f"{count} orders with the status {status!r}, which is not a Webull order status, were "
        "skipped; check that their rows are not shifted"
        for status, count in unknown.items()
    )
    return ParsedFile(NAME, tuple(executions), warnings=tuple(warnings))


def _filled_some(row: Row, comma: bool | None) -> bool:
    """Whether an order that ended unfilled had filled part first: a `Filled` above zero."""
    filled = row.text("Filled", required=False)
    return bool(filled) and row.amount("Filled", decimal_comma=comma) > 0


def _read_orders(text: str, filename: str, header: int) -> Table:
    """The orders table, with a company name that holds the delimiter put back together.

    Webull writes `Name` unquoted, so `Tesla, Inc.` becomes two cells and every value after it
    moves one column right (TradeTally had to relax its Webull parser for this, its pull
    request 245). `Name` is the first column and the only one that can hold a comma, so a row
    with more cells than the header (empty trailing cells aside) has its first cells joined.
    """
    raw = read_raw_table(text, filename, header_line_index=header)
    width = len(raw.header)
    rows = []
    for line, record in raw.records:
        cells = list(record)
        while len(cells) > width and not cells[-1].strip():
            cells.pop()
        extra = len(cells) - width
        if extra > 0 and raw.header[0] == "name":
            cells = [raw.delimiter.join(cells[: extra + 1]), *cells[extra + 1 :]]
        rows.append(raw.row(line, cells))
    return Table(filename, raw.header, raw.header_line, tuple(rows), raw.delimiter)


def _is_combo_summary(row: Row) -> bool:
    """A multi-leg order's own row: a name (`SPXW Vertical`) and no symbol; its legs follow."""
    return not row.text("Symbol", required=False) and bool(row.text("Name", required=False))


def _execution(
    row: Row, tz: tzinfo, account: str, position: int, comma: bool | None
) -> ImportedExecution:
    side = SIDES.get(" ".join(row.text("Side").lower().split()))
    if side is None:
        raise row.error(f"{row.text('Side')!r} is not a side (Buy, Sell, Short, Cover)", "Side")
    quantity = row.amount("Filled", decimal_comma=comma)
    if quantity < 0:
        raise row.error(
            "a filled quantity must not be negative; the Side gives the direction", "Filled"
        )
    if quantity == 0:
        raise row.error("a filled order with nothing filled", "Filled")
    price = _average_price(row, comma)
    try:
        executed_at = parse_with_zone(row.text("Filled Time"), TIME_FORMATS, tz)
    except BadTime as error:
        raise row.error(str(error), "Filled Time") from None
    return ImportedExecution(
        account=account or "Default",
        instrument=_instrument(row.text("Symbol")),
        side=side,
        quantity=quantity,
        price=price,
        executed_at=executed_at,
        commission=Decimal(0),
        line=row.line,
        position_in_file=position,
    )


def _average_price(row: Row, comma: bool | None) -> Decimal:
    """`Avg Price`, also when written with the `@` of the limit Price column (`@150.50`)."""
    text = row.text("Avg Price")
    if not text.startswith("@"):
        return row.price("Avg Price", decimal_comma=comma)
    bare = Row(row.file, row.line, {**row.values, "avg price": text[1:].strip()})
    return bare.price("Avg Price", decimal_comma=comma)


def _instrument(text: str) -> InstrumentSpec:
    symbol = text.strip().upper()
    option = parse_occ(symbol)
    if option is not None:
        return option.spec()
    return InstrumentSpec(symbol=symbol, asset_class=AssetClass.STOCK)


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="Webull orders CSV (filled orders; honours the printed EST/EDT)",
        default_timezone="America/New_York",
        detect=detect,
        parse=parse,
    )
)
