"""The generic format many journals accept (Tradervue's): one row per execution.

`Date,Time,Symbol,Quantity,Price,Side` with optional `Commission,TransFee,ECNFee`. What
Tradervue's own description of the format (tradervue.com/help/generic) allows, and files
written for it therefore contain, is read the same way here:

- Side is Buy, Sell, Short or Cover (a short is a sell, a cover a buy), or another word for
  them that Tradervue names or implies (`BOT`, `SLD`, `B`, `S`, `Sold`, `Sell Short`, `SS`,
  `Buy to Cover`, `BTC`...); anything else is an error. The Side column may be left out, and
  then a negative Quantity is a sell and a positive one a buy;
- dates `mm/dd/yyyy`, `mm-dd-yyyy`, `yyyy/mm/dd`, `yyyy-mm-dd` or `yyyymmdd`; times in
  24-hour `HH:MM:SS` as Tradervue asks, or with AM/PM as spreadsheets often rewrite them;
- futures written `ESZ1`, `ESZ11`, `ES DEC 11`, `ES Dec11`, `ES 12-11` or `ES 12.11` are
  futures (a known root with an expiry, point value from the contract table) even without a
  Type column; an OCC option symbol (`SPY260320C00600000`) is an option;
- `TransFee` and `ECNFee`: "a positive number is a charge, and a negative number is a credit"
  (an ECN rebate lowers the costs); Commission and the extra `Fees` column are costs whatever
  their printed sign.

Optional extras read when present: `Account`, `Currency`, `Type` (asset class), `Multiplier`,
`ID` (an execution id).
"""

from __future__ import annotations

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
from journal_desktop.importers.numbers import AmountReader, NotANumber, infer_decimal_comma
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import parse_occ
from journal_desktop.importers.table import Row, find_header_line, normalise_header, read_raw_table
from journal_desktop.importers.times import BadTime, DateTimeCellReader, parse_local

REQUIRED = ("Date", "Time", "Symbol", "Quantity", "Price")
#: Fee columns whose sign is the file's: a negative value is a credit (Tradervue's rule).
SIGNED_FEES = ("TransFee", "ECNFee")
AMOUNT_COLUMNS = ("Quantity", "Price", "Commission", "TransFee", "ECNFee", "Fees", "Multiplier")
SIDES = {
    **dict.fromkeys(
        (
            "buy",
            "b",
            "bot",
            "bought",
            "cover",
            "buy to cover",
            "buy to open",
            "buy to close",
            "bc",
            "btc",
            "bto",
        ),
        Side.BUY,
    ),
    **dict.fromkeys(
        (
            "sell",
            "s",
            "sld",
            "sold",
            "short",
            "sell short",
            "sell to open",
            "sell to close",
            "ss",
            "sto",
            "stc",
        ),
        Side.SELL,
    ),
}
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
    "%m-%d-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
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
    """The five columns; with a Side column too the file is surely this format."""
    if find_header_line(text, *REQUIRED, "Side", limit=5) is not None:
        return 50
    return 40 if find_header_line(text, *REQUIRED, limit=5) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, *REQUIRED, "Side", limit=5)
    if header is None:
        header = find_header_line(text, *REQUIRED, limit=5)
    table = read_raw_table(text, filename, header_line_index=header or 0)
    columns = table.index()
    for name in REQUIRED:
        if normalise_header(name) not in columns:
            raise ImportFileError(
                filename, "a required column is missing", line=table.header_line, column=name
            )
    # One file uses one decimal separator: judge it from every amount, not value by value
    # (`43,125` alone could be either). The amounts are handed over as a generator: a list
    # of 400,000 would be deduplicated in one C call that holds the GIL for 20-40 ms, a pause
    # of the desktop window while the import runs on its worker thread.
    amount_positions = [columns[c] for c in map(normalise_header, AMOUNT_COLUMNS) if c in columns]
    decimal_comma = infer_decimal_comma(
        record[i] for _, record in table.records for i in amount_positions if i < len(record)
    )
    reader = _FastRows(columns, tz, account, decimal_comma)
    executions = []
    for position, (line, record) in enumerate(table.records):
        execution = reader.execution(record, line, position)
        if execution is None:  # anything unusual: the row-by-row reading, errors and all
            execution = _execution(table.row(line, record), tz, account, position, decimal_comma)
        executions.append(execution)
    if not executions:
        raise ImportFileError(filename, "the file has a header but no executions")
    return ParsedFile("generic", tuple(executions))


class _FastRows:
    """Reads the common rows of a large file from their cells, with shared caches.

    It gives exactly what `_execution` gives for the rows it accepts, and returns None for
    any other (a bad or missing value, an unusual time): those go through `_execution`,
    which says what is wrong, where.
    """

    def __init__(
        self, columns: dict[str, int], tz: tzinfo, account: str, decimal_comma: bool | None
    ) -> None:
        def position(name: str) -> int:
            return columns.get(normalise_header(name), -1)

        self._width = max(columns.values()) + 1
        self._side = position("Side")
        self._quantity = position("Quantity")
        self._price = position("Price")
        self._date = position("Date")
        self._time = position("Time")
        self._symbol = position("Symbol")
        self._type = position("Type")
        self._multiplier = position("Multiplier")
        self._commission = position("Commission")
        self._fees = tuple(position(c) for c in ("TransFee", "ECNFee", "Fees"))
        self._account_column = position("Account")
        self._currency = position("Currency")
        self._id = position("ID")
        self._account = account or "Default"
        self._amount = AmountReader(decimal_comma=decimal_comma)
        self._time_reader = DateTimeCellReader(DATE_FORMATS, tz)
        self._instruments: dict[tuple[str, str, str, str], InstrumentSpec] = {}
        self._costs: dict[tuple[str, ...], Decimal] = {}

    def execution(self, record: list[str], line: int, position: int) -> ImportedExecution | None:
        cells = [cell.strip() for cell in record]
        if len(cells) < self._width:
            cells.extend([""] * (self._width - len(cells)))
        cells.append("")  # what a column the file lacks (position -1) reads
        side = SIDES.get(cells[self._side].lower()) if self._side >= 0 else None
        symbol = cells[self._symbol]
        date_text, time_text = cells[self._date], cells[self._time]
        if not symbol or not date_text or not time_text:
            return None
        if side is None and self._side >= 0:
            return None
        kind = cells[self._type].lower()
        if kind and kind not in ASSET_CLASSES:
            return None
        try:
            quantity = self._amount(cells[self._quantity])
            price = self._amount(cells[self._price])
            commission = self._commission_of(cells[self._commission])
            fees = self._fees_of((cells[self._fees[0]], cells[self._fees[1]], cells[self._fees[2]]))
            instrument = self._instrument(
                symbol, kind, cells[self._currency], cells[self._multiplier]
            )
            executed_at = self._time_reader(date_text, time_text)
        except (NotANumber, BadTime):
            return None
        if side is None:  # no Side column: the quantity's sign says the direction
            side = Side.SELL if quantity < 0 else Side.BUY
            quantity = abs(quantity)
        if quantity <= 0:
            return None
        return ImportedExecution(
            account=cells[self._account_column] or self._account,
            instrument=instrument,
            side=side,
            quantity=quantity,
            price=price,
            executed_at=executed_at,
            commission=commission,
            fees=fees,
            broker_execution_id=cells[self._id],
            line=line,
            position_in_file=position,
        )

    def _commission_of(self, text: str) -> Decimal:
        key = ("commission", text)
        value = self._costs.get(key)
        if value is None:
            value = self._costs[key] = abs(self._amount(text)) if text else Decimal(0)
        return value

    def _fees_of(self, texts: tuple[str, ...]) -> Decimal:
        value = self._costs.get(texts)
        if value is None:
            trans, ecn, other = (self._amount(t) if t else Decimal(0) for t in texts)
            value = self._costs[texts] = trans + ecn + abs(other)
        return value

    def _instrument(self, symbol: str, kind: str, currency: str, multiplier: str) -> InstrumentSpec:
        key = (symbol, kind, currency, multiplier)
        spec = self._instruments.get(key)
        if spec is None:
            spec = self._instruments[key] = _instrument_spec(
                symbol,
                kind,
                currency,
                self._amount(multiplier) if multiplier else None,
            )
        return spec


def _instrument_spec(
    symbol: str, kind: str, currency: str, multiplier: Decimal | None
) -> InstrumentSpec:
    """The instrument a row names: its Type when it has one, else what the symbol's form says
    (a known futures root with an expiry is a future, an OCC symbol an option, else a stock)."""
    text = symbol.upper()
    currency = (currency or "USD").upper()
    if kind:
        asset_class = ASSET_CLASSES.get(kind, AssetClass.STOCK)
    else:
        option = parse_occ(text)
        if option is not None:
            return option.spec(currency=currency, multiplier=multiplier)
        root = futures_root(text)
        future = root is not None and root != " ".join(text.split())
        asset_class = AssetClass.FUTURE if future else AssetClass.STOCK
    return InstrumentSpec(
        symbol=text, asset_class=asset_class, currency=currency, multiplier=multiplier
    )


def _execution(
    row: Row, tz: tzinfo, account: str, position: int, decimal_comma: bool | None
) -> ImportedExecution:
    quantity = row.amount("Quantity", decimal_comma=decimal_comma)
    if normalise_header("Side") in row.values:
        side = SIDES.get(" ".join(row.text("Side").lower().split()))
        if side is None:
            raise row.error(
                f"{row.text('Side')!r} is not a side (Buy, Sell, Short or Cover)", "Side"
            )
        if quantity < 0:
            raise row.error(
                "a quantity must not be negative; the Side says the direction", "Quantity"
            )
    else:  # no Side column: the quantity's sign says the direction
        side = Side.SELL if quantity < 0 else Side.BUY
        quantity = abs(quantity)
    if quantity == 0:
        raise row.error("a quantity of zero is not an execution", "Quantity")
    price = row.amount("Price", decimal_comma=decimal_comma)
    when = f"{row.text('Date')} {row.text('Time')}"
    try:
        executed_at = parse_local(when, DATE_FORMATS, tz)
    except BadTime as error:
        raise row.error(str(error), "Date") from None
    kind = row.text("Type", required=False).lower()
    if kind and kind not in ASSET_CLASSES:
        raise row.error(f"{kind!r} is not an asset class", "Type")
    multiplier = row.optional_amount("Multiplier", decimal_comma=decimal_comma)
    fees = sum(
        (row.amount(c, required=False, decimal_comma=decimal_comma) for c in SIGNED_FEES),
        abs(row.amount("Fees", required=False, decimal_comma=decimal_comma)),
    )
    return ImportedExecution(
        account=row.text("Account", required=False) or account or "Default",
        instrument=_instrument_spec(
            row.text("Symbol"), kind, row.text("Currency", required=False), multiplier
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
