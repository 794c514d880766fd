"""Webull orders export (Account > History/Orders > Export, emailed or downloaded as CSV).

    Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,Time-in-Force,Placed Time,Filled Time

One row per order. Only rows whose Status is `Filled` are fills: the execution is `Filled`
shares at `Avg Price` at `Filled Time`. `Price` is the order's limit (`@5.00`, `@MKT`), not a
fill price, and is not read. Cancelled, failed and pending orders are skipped; a partly filled
order (`Partially Filled`) is skipped with a warning, because its fills are not final and a
later export lists the order again once it is done.

- `Filled Time` is `03/02/2026 09:31:05 EST`: the zone abbreviation Webull prints is honoured
  as the offset it names (EST UTC-5, EDT UTC-4, ...), so the import's time zone only matters for
  a time printed without one.
- `Side`: Buy, Sell, Short (a sell), Buy to Cover / Cover (a buy).
- Options are `AAPL260320C00200000` (OCC without spaces; multiplier 100). A multi-leg order
  prints a summary row with a name such as `SPXW Vertical` and no symbol, then one row per leg;
  the legs are the fills and the summary row is skipped.
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
from journal_desktop.importers.table import Row, find_header_line, read_table
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
    table = read_table(text, filename, header_line_index=header or 0)
    table.require_columns(*REQUIRED)
    if not table.rows:
        raise ImportFileError(filename, "the file has a header but no orders")
    comma = table.decimal_comma("Filled", "Avg Price", default=table.delimiter == ";")
    executions: list[ImportedExecution] = []
    partial = 0
    for row in table.rows:
        status = " ".join(row.text("Status", required=False).lower().split())
        if status in PARTIAL:
            partial += 1
        if status != "filled" or _is_combo_summary(row):
            continue  # not a fill, or the summary row of a multi-leg order
        executions.append(_execution(row, tz, account, len(executions), comma))
    warnings = (
        (f"{partial} partly filled orders were skipped; export again once they are done",)
        if partial
        else ()
    )
    return ParsedFile(NAME, tuple(executions), warnings=warnings)


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
    price = row.price("Avg Price", decimal_comma=comma)
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
