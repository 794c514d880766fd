"""Tradovate's Fills report (CSV): one row per fill, with its commission and a UTC time.

Header of a real export (Reports > Fills > CSV), as quoted in the tests and notes of several
public futures journals on GitHub (reference only):

    _id,_orderId,_contractId,_timestamp,_tradeDate,_action,_qty,_price,_active,_accountId,
    Fill ID,Order ID,Timestamp,Date,Account,B/S,Quantity,Price,_priceFormat,_priceFormatType,
    _tickSize,Contract,Product,Product Description,commission

(on one line). The columns with a leading `_` are the API's own fields, the others the display
ones; `B/S` has a leading space (` Buy`, ` Sell`), so every value is trimmed.

Traders export it rather than the Orders report because it is the one Tradovate report with
fees: `commission` is the fill's commission in dollars (`1.29` for one ES, `1.0` for two MNQ).

Times: `_timestamp` is UTC (`2026-06-14 23:03:54.732Z`), so it is used when present and the
import needs no time zone; `Timestamp` (`06/14/2026 18:03:54`) is the same instant in the
platform's display zone and is read, in the import's zone, only when `_timestamp` is absent.
`Fill ID` (or `_id`) is the broker's execution id. A row whose `_active` is `false` is a fill
Tradovate no longer counts (busted or corrected) and is left out, with a warning. Contracts
are futures (`MNQM6`), with `Product` (`MNQ`) as the root for the point value.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.formats.tradovate_orders import (
    SIDES,
    TIME_FORMATS,
    header_names,
    zone_warning,
)
from journal_desktop.importers.numbers import infer_decimal_comma
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.table import Row, normalise_header, read_table
from journal_desktop.importers.times import BadTime, LocalTimeReader

FORMAT_NAME = "tradovate-fills"
REQUIRED = ("B/S", "Contract", "Quantity", "Price")
#: The UTC time Tradovate's API writes, milliseconds and a `Z`.
UTC_FORMATS = ("%Y-%m-%d %H:%M:%S.%fZ", "%Y-%m-%d %H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")
ACTIONS = {"0": Side.BUY, "1": Side.SELL}


def detect(text: str, filename: str) -> int:
    """`Fill ID` beside `B/S`, `Contract` and `commission` is the Fills report's alone."""
    names = header_names(text)
    wanted = {"fill id", "b/s", "contract", "commission", "quantity", "price"}
    return 85 if wanted <= names else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    table = read_table(text, filename)
    table.require_columns(*REQUIRED)
    utc_column = "_timestamp" if table.has_columns("_timestamp") else None
    if utc_column is None:
        table.require_columns("Timestamp")
    decimal_comma = infer_decimal_comma(
        row.values.get(normalise_header(name), "")
        for row in table.rows
        for name in ("Quantity", "Price", "commission")
    )
    read_local = LocalTimeReader(TIME_FORMATS, tz)
    read_utc = LocalTimeReader(UTC_FORMATS, UTC)
    executions: list[ImportedExecution] = []
    inactive = 0
    for row in table.rows:
        if row.text("_active", required=False).lower() == "false":
            inactive += 1
            continue
        if utc_column is not None:
            executed_at = _time(row, utc_column, read_utc)
        else:
            executed_at = _time(row, "Timestamp", read_local)
        executions.append(_execution(row, executed_at, account, len(executions), decimal_comma))
    if not executions:
        raise ImportFileError(filename, "the file has no fills")
    warnings = [] if utc_column is not None else list(zone_warning(tz))
    if inactive:
        warnings.append(f"{inactive} fills marked inactive (_active false) were left out")
    return ParsedFile(FORMAT_NAME, tuple(executions), warnings=tuple(warnings))


def _time(row: Row, column: str, reader: LocalTimeReader) -> datetime:
    try:
        return reader(row.text(column))
    except BadTime as error:
        raise row.error(str(error), column) from None


def _side(row: Row) -> Side:
    text = row.text("B/S", required=False).lower()
    side = SIDES.get(text) if text else ACTIONS.get(row.text("_action", required=False))
    if side is None:
        raise row.error(f"{row.text('B/S', required=False)!r} is not a side (Buy or Sell)", "B/S")
    return side


def _execution(
    row: Row,
    executed_at: datetime,
    account: str,
    position: int,
    decimal_comma: bool | None,
) -> ImportedExecution:
    quantity = row.amount("Quantity", decimal_comma=decimal_comma)
    if quantity < 0:
        raise row.error("a fill quantity must not be negative; B/S says the direction", "Quantity")
    if quantity == 0:
        raise row.error("a quantity of zero is not a fill", "Quantity")
    commission = row.amount("commission", required=False, decimal_comma=decimal_comma)
    fill_id = row.text("Fill ID", required=False) or row.text("_id", required=False)
    return ImportedExecution(
        account=row.text("Account", required=False) or account or "Default",
        instrument=InstrumentSpec(
            symbol=row.text("Contract").upper(),
            asset_class=AssetClass.FUTURE,
            currency=(row.text("Currency", required=False) or "USD").upper(),
            underlying=row.text("Product", required=False).upper(),
        ),
        side=_side(row),
        quantity=quantity,
        # A price may be negative (crude oil, April 2020), so it is read as a plain amount.
        price=row.amount("Price", decimal_comma=decimal_comma),
        executed_at=executed_at,
        commission=abs(commission),
        broker_execution_id=fill_id,
        line=row.line,
        position_in_file=position,
    )


FORMAT = register(
    ImportFormat(
        name=FORMAT_NAME,
        description="Tradovate Fills report (CSV): every fill with its commission, UTC times",
        default_timezone="UTC",
        detect=detect,
        parse=parse,
    )
)
