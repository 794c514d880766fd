"""Interactive Brokers Activity Statement CSV: the statement's Trades section.

The statement is many tables in one file; every row starts with its section's name and a row
kind (`Trades,Header,...`, `Trades,Data,...`, `Trades,SubTotal,...`, `Trades,Total,...`), and a
section may restate its header when the columns change (Forex trades have `Comm in USD` where
stocks have `Comm/Fee`; `Comm in CHF`, `Comm in CAD` and so on when the account's base currency
is not the dollar). Fills are the `Data` rows whose DataDiscriminator is `Order`; when the
statement also lists each order's executions (`Trade` or `Execution` rows, as in public
parsers' test statements) those restate the same quantity and are skipped, and a statement
with no `Order` rows at all (older layouts) is read from its `Trade` rows instead. SubTotal,
Total and ClosedLot rows are summaries and never fills.

A consolidated statement of several accounts adds an `Account` column to the Trades header
(after `Currency`); each fill then belongs to the account its row names, else to the one in
Account Information. Quantities are signed and may carry thousands separators (`-1,000`);
commissions are negative. Multipliers and option details come from the Financial Instrument
Information section when the statement has one, else from the option symbol (`AAPL 20MAR26
200 C`, `AAPL 20MAR26 200 CALL`, or OCC's `AAPL  260320C00200000`). An equity or index option
is stored under its OCC symbol, as every format stores options, so a contract named here and in
a Flex query (which prints the OCC symbol) is one instrument. IBKR prints times in Eastern
time unless the account is set otherwise.

A statement opened in a spreadsheet of a semicolon locale comes back as one column: each line
padded with `;` and, when it held quotes, wrapped whole in quotes; such a file is unwrapped to
the lines IBKR wrote before it is read.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
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
from journal_desktop.importers.symbols import option_contract, parse_occ
from journal_desktop.importers.table import Row, normalise_header, read_records
from journal_desktop.importers.times import BadTime, LocalTimeReader

FORMAT_NAME = "ibkr-activity-csv"

ASSET_CLASSES = {
    "stocks": AssetClass.STOCK,
    "mutual funds": AssetClass.STOCK,
    "equity and index options": AssetClass.OPTION,
    "options on futures": AssetClass.OPTION,
    "warrants": AssetClass.OPTION,
    "futures": AssetClass.FUTURE,
    "forex": AssetClass.FOREX,
    "crypto": AssetClass.CRYPTO,
    "cryptocurrency": AssetClass.CRYPTO,
}
#: Option-shaped categories whose multiplier is not an equity option's 100.
MULTIPLIER_REQUIRED = frozenset({"options on futures", "warrants"})
DATE_TIME_FORMATS = (
    "%Y-%m-%d, %H:%M:%S",
    "%Y-%m-%d,%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d;%H:%M:%S",
    "%Y%m%d;%H%M%S",
    "%m/%d/%Y, %H:%M:%S",
)
REQUIRED = ("Asset Category", "Symbol", "Date/Time", "Quantity", "T. Price")
#: The Forex block's commission column, `Comm in ` and the account's base currency.
COMMISSION_IN = "comm in "
#: `AAPL 20MAR26 200 C`, `IWM 20JAN17 135.0 C`: underlying, expiry, strike, right.
OPTION_SYMBOL = re.compile(
    r"(?P<underlying>\S+(?: \S+)*?) (?P<expiry>\d{1,2}[A-Z]{3}\d{2}) "
    r"(?P<strike>\d+(?:\.\d+)?) (?P<right>CALL|PUT|C|P)"
)
#: The category whose contracts have OCC symbols (futures options and warrants have none).
EQUITY_OPTIONS = "equity and index options"
_DETAIL_KINDS = ("trade", "execution")


@dataclass(slots=True)
class _Statement:
    """What one pass over the file collects, section by section."""

    account: str = ""
    trades: list[Row] = field(default_factory=list)
    instruments: dict[tuple[str, str], Row] = field(default_factory=dict)
    #: Whether the file is the Transaction History report (same layout, no times).
    transaction_history: bool = False


def detect(text: str, filename: str) -> int:
    head = text[:20000]
    if re.search(r"^\"?Trades\"?[,;\t]\"?Header\"?[,;\t]", head, re.MULTILINE):
        return 90
    if re.match(r"\ufeff?\"?Statement\"?[,;\t]\"?Header\"?[,;\t]", head):
        return 70
    return 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    statement = _read_sections(_unpad(text), filename)
    rows = _fill_rows(statement.trades)
    if not rows and statement.transaction_history:
        raise ImportFileError(
            filename,
            "this is IBKR's Transaction History report, which gives each trade's date but not"
            " its time, nor its asset category; export an Activity Statement (CSV) or a Flex"
            " Query (Trades, Executions) for the same period instead",
        )
    if not rows:
        raise ImportFileError(
            filename, "the statement has no trades (no Trades section with Order rows)"
        )
    decimal_comma = infer_decimal_comma(
        row.values.get(normalise_header(c), "")
        for row in rows
        for c in ("Quantity", "T. Price", _commission_column(row) or "")
    )
    read_time = LocalTimeReader(DATE_TIME_FORMATS, tz)
    warnings: list[str] = []
    executions: list[ImportedExecution] = []
    for row in rows:
        execution = _execution(
            row,
            statement,
            read_time=read_time,
            account=account,
            position=len(executions),
            decimal_comma=decimal_comma,
            warnings=warnings,
        )
        if execution is not None:
            executions.append(execution)
    if not executions:
        raise ImportFileError(filename, "the statement's Trades section has no executions")
    return ParsedFile(FORMAT_NAME, tuple(executions), warnings=tuple(warnings))


def _unpad(text: str) -> str:
    """The statement as IBKR wrote it, from one a spreadsheet in a semicolon locale opened as
    one column and saved: every line padded with `;` to the widest, and a line holding quotes
    wrapped whole in quotes with its own quotes doubled. Line numbers stay the file's."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    if not re.match(r'\ufeff?"?Statement,Header,.*;\s*$', first):
        return text
    lines = []
    for line in text.split("\n"):
        stripped = line.rstrip("\r").rstrip(";")
        if stripped.startswith('"'):
            cells = next(csv.reader([stripped], delimiter=";"), [])
            stripped = cells[0] if len(cells) == 1 else stripped
        lines.append(stripped)
    return "\n".join(lines)


def _read_sections(text: str, filename: str) -> _Statement:
    statement = _Statement()
    headers: dict[str, tuple[str, ...]] = {}
    for line, cells in read_records(text, filename):
        if len(cells) < 2:
            continue
        section, kind = cells[0].strip().lower(), cells[1].strip().lower()
        if kind == "header":
            headers[section] = tuple(normalise_header(c) for c in cells[2:])
            statement.transaction_history |= section == "transaction history"
            continue
        if kind != "data" or section not in headers:
            continue
        header = headers[section]
        row = Row(
            filename,
            line,
            {n: (cells[i + 2] if i + 2 < len(cells) else "") for i, n in enumerate(header)},
        )
        if section == "trades":
            statement.trades.append(row)
        elif section == "account information":
            if row.text("Field Name", required=False).lower() == "account":
                statement.account = row.text("Field Value", required=False)
        elif section == "financial instrument information":
            key = (
                row.text("Asset Category", required=False).lower(),
                row.text("Symbol", required=False),
            )
            statement.instruments[key] = row
    return statement


def _fill_rows(rows: list[Row]) -> list[Row]:
    """Order rows when the statement has any, else the execution-level Trade rows, else (a
    statement old enough to have no DataDiscriminator column) every data row; in file order."""
    kinds = [row.text("DataDiscriminator", required=False).lower() for row in rows]
    for wanted in (("order",), _DETAIL_KINDS, ("",)):
        chosen = [row for row, kind in zip(rows, kinds, strict=True) if kind in wanted]
        if chosen:
            return chosen
    return []


def _execution(
    row: Row,
    statement: _Statement,
    *,
    read_time: LocalTimeReader,
    account: str,
    position: int,
    decimal_comma: bool | None,
    warnings: list[str],
) -> ImportedExecution | None:
    for column in REQUIRED:
        row.text(column)
    category = row.text("Asset Category")
    asset_class = ASSET_CLASSES.get(category.lower())
    symbol = row.text("Symbol")
    if asset_class is None:
        warnings.append(
            f"{row.file}, line {row.line}: skipped {symbol} ({category}): the journal does not"
            " hold this asset category"
        )
        return None
    quantity = row.amount("Quantity", decimal_comma=decimal_comma)
    if quantity == 0:
        raise row.error("a quantity of zero is not an execution", "Quantity")
    commission_column = _commission_column(row)
    commission = (
        row.amount(commission_column, required=False, decimal_comma=decimal_comma)
        if commission_column
        else Decimal(0)
    )
    currency = (row.text("Currency", required=False) or "USD").upper()
    commission_currency = (
        commission_column[len(COMMISSION_IN) :].strip().upper()
        if commission_column and commission_column.startswith(COMMISSION_IN)
        else currency
    )
    if commission and commission_currency != currency:
        warnings.append(
            f"{row.file}, line {row.line}: the commission is in {commission_currency}, the trade"
            f" in {currency}; it was taken as {currency}"
        )
    try:
        executed_at = read_time(row.text("Date/Time"))
    except BadTime as error:
        raise row.error(str(error), "Date/Time") from None
    return ImportedExecution(
        account=row.text("Account", required=False) or statement.account or account or "Default",
        instrument=_instrument(row, statement, symbol, category, asset_class, decimal_comma),
        side=Side.BUY if quantity > 0 else Side.SELL,
        quantity=abs(quantity),
        price=row.amount("T. Price", decimal_comma=decimal_comma),
        executed_at=executed_at,
        commission=-commission,  # negative cash is a cost; a positive one a rebate
        line=row.line,
        position_in_file=position,
    )


def _commission_column(row: Row) -> str | None:
    """`Comm/Fee`, or the Forex block's `Comm in USD` (`Comm in CHF`, `Comm in CAD`: the
    account's base currency) as the row's header names it."""
    if "comm/fee" in row.values:
        return "comm/fee"
    return next((name for name in row.values if name.startswith(COMMISSION_IN)), None)


def _instrument(
    row: Row,
    statement: _Statement,
    symbol: str,
    category: str,
    asset_class: AssetClass,
    decimal_comma: bool | None,
) -> InstrumentSpec:
    currency = (row.text("Currency", required=False) or "USD").upper()
    info = statement.instruments.get((category.lower(), symbol))
    multiplier = info.optional_amount("Multiplier", decimal_comma=decimal_comma) if info else None
    if multiplier is None and category.lower() in MULTIPLIER_REQUIRED:
        raise row.error(
            f"the multiplier of {symbol} ({category}) is not in the statement; include the"
            " Financial Instrument Information section",
            "Symbol",
        )
    if asset_class is not AssetClass.OPTION:
        underlying = info.text("Underlying", required=False) if info else ""
        return InstrumentSpec(symbol, asset_class, currency, multiplier, underlying=underlying)
    underlying, expiry, strike, right = _option_details(row, symbol, info, decimal_comma)
    if category.lower() == EQUITY_OPTIONS and underlying and expiry and strike and right:
        try:
            contract = option_contract(underlying, expiry, right, strike)
            return contract.spec(currency=currency, multiplier=multiplier)
        except ValueError:
            pass  # a strike OCC cannot write: the statement's own symbol names it
    return InstrumentSpec(
        symbol,
        asset_class,
        currency,
        multiplier,
        underlying=underlying,
        expiry=expiry,
        strike=strike,
        option_right=right,
    )


def _option_details(
    row: Row, symbol: str, info: Row | None, decimal_comma: bool | None
) -> tuple[str, date | None, Decimal | None, str]:
    """Underlying, expiry, strike and right: from the instrument section, else the symbol
    (`AAPL 18SEP26 200 C`, `... CALL`, or OCC's `AAPL  260918C00200000`)."""
    parsed = OPTION_SYMBOL.fullmatch(" ".join(symbol.upper().split()))
    underlying = parsed["underlying"] if parsed else ""
    expiry = datetime.strptime(parsed["expiry"], "%d%b%y").date() if parsed else None
    strike = Decimal(parsed["strike"]) if parsed else None
    right = parsed["right"][:1] if parsed else ""
    occ = None if parsed else parse_occ(symbol)
    if occ is not None:
        underlying, expiry, strike, right = occ.underlying, occ.expiry, occ.strike, occ.right
    if info is not None:
        underlying = info.text("Underlying", required=False) or underlying
        strike = info.optional_amount("Strike", decimal_comma=decimal_comma) or strike
        kind = info.text("Type", required=False).upper()[:1]
        right = kind if kind in ("C", "P") else right
        expiry_text = info.text("Expiry", required=False)
        if expiry_text:
            try:
                expiry = datetime.strptime(expiry_text, "%Y-%m-%d").date()
            except ValueError:
                raise info.error(f"{expiry_text!r} is not a date", "Expiry") from None
    return underlying, expiry, strike, right


FORMAT = register(
    ImportFormat(
        name=FORMAT_NAME,
        description="Interactive Brokers Activity Statement CSV (the Trades section)",
        default_timezone="America/New_York",
        detect=detect,
        parse=parse,
    )
)
