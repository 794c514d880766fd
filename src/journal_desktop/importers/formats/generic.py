"""The generic format many journals accept (Tradervue's): one row per execution.

`Date,Time,Symbol,Quantity,Price,Side` with optional `Commission,TransFee,ECNFee`; Side is Buy,
Sell, Short or Cover (a short is a sell, a cover a buy). Optional extras read when present:
`Account`, `Currency`, `Type` (asset class), `Multiplier`, `ID` (an execution id).
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
from journal_desktop.importers.numbers import infer_decimal_comma
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.table import Row, find_header_line, read_table
from journal_desktop.importers.times import BadTime, parse_local

REQUIRED = ("Date", "Time", "Symbol", "Quantity", "Price", "Side")
AMOUNT_COLUMNS = ("Quantity", "Price", "Commission", "TransFee", "ECNFee", "Fees", "Multiplier")
SIDES = {"buy": Side.BUY, "cover": Side.BUY, "sell": Side.SELL, "short": Side.SELL}
DATE_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%Y%m%d %H:%M:%S",
)
ASSET_CLASSES = {
    "stock": AssetClass.STOCK,
    "equity": AssetClass.STOCK,
    "stk": AssetClass.STOCK,
    "option": AssetClass.OPTION,
    "opt": AssetClass.OPTION,
    "future": AssetClass.FUTURE,
    "futures": AssetClass.FUTURE,
    "fut": AssetClass.FUTURE,
    "forex": AssetClass.FOREX,
    "fx": AssetClass.FOREX,
    "cash": AssetClass.FOREX,
    "crypto": AssetClass.CRYPTO,
}


def detect(text: str, filename: str) -> int:
    return 50 if find_header_line(text, *REQUIRED, limit=5) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, *REQUIRED, limit=5)
    table = read_table(text, filename, header_line_index=header or 0)
    table.require_columns(*REQUIRED)
    # One file uses one decimal separator: judge it from every amount, not value by value
    # (`43,125` alone could be either).
    decimal_comma = infer_decimal_comma(
        row.text(column, required=False) for row in table.rows for column in AMOUNT_COLUMNS
    )
    executions = tuple(
        _execution(row, tz, account, position, decimal_comma)
        for position, row in enumerate(table.rows)
    )
    if not executions:
        raise ImportFileError(filename, "the file has a header but no executions")
    return ParsedFile("generic", executions)


def _execution(
    row: Row, tz: tzinfo, account: str, position: int, decimal_comma: bool | None
) -> ImportedExecution:
    side_text = row.text("Side").lower()
    side = SIDES.get(side_text)
    if side is None:
        raise row.error(f"{row.text('Side')!r} is not a side (Buy, Sell, Short or Cover)", "Side")
    quantity = row.amount("Quantity", decimal_comma=decimal_comma)
    if quantity < 0:
        raise row.error("a quantity must not be negative; the Side says the direction", "Quantity")
    if quantity == 0:
        raise row.error("a quantity of zero is not an execution", "Quantity")
    price = row.amount("Price", decimal_comma=decimal_comma)
    when = f"{row.text('Date')} {row.text('Time')}"
    try:
        executed_at = parse_local(when, DATE_FORMATS, tz)
    except BadTime as error:
        raise row.error(str(error), "Date") from None
    kind = row.text("Type", required=False).lower()
    asset_class = ASSET_CLASSES.get(kind, AssetClass.STOCK) if kind else AssetClass.STOCK
    if kind and kind not in ASSET_CLASSES:
        raise row.error(f"{kind!r} is not an asset class", "Type")
    multiplier = row.optional_amount("Multiplier", decimal_comma=decimal_comma)
    fees = sum(
        (
            abs(row.amount(c, required=False, decimal_comma=decimal_comma))
            for c in ("TransFee", "ECNFee", "Fees")
        ),
        Decimal(0),
    )
    return ImportedExecution(
        account=row.text("Account", required=False) or account or "Default",
        instrument=InstrumentSpec(
            symbol=row.text("Symbol").upper(),
            asset_class=asset_class,
            currency=(row.text("Currency", required=False) or "USD").upper(),
            multiplier=multiplier,
        ),
        side=side,
        quantity=quantity,
        price=price,
        executed_at=executed_at,
        commission=abs(row.amount("Commission", required=False, decimal_comma=decimal_comma)),
        fees=fees,
        broker_execution_id=row.text("ID", required=False),
        line=row.line,
        position_in_file=position,
    )


FORMAT = register(
    ImportFormat(
        name="generic",
        description=(
            "Generic CSV: Date,Time,Symbol,Quantity,Price,Side[,Commission,TransFee,ECNFee]"
        ),
        default_timezone="America/New_York",
        detect=detect,
        parse=parse,
    )
)
