"""Interactive Brokers Flex Query XML: the Trades section at EXECUTION level.

A Flex statement also carries summaries of the same fills (ORDER, CLOSED_LOT, SYMBOL_SUMMARY
rows) and sections such as OpenPositions; only `<Trade levelOfDetail="EXECUTION">` records are
fills, and taking anything else would count a fill twice. A query that selected Orders and
not Executions has only ORDER rows (`<Order>` elements, or ORDER-level `<Trade>` records); each
order is then one fill at its average price, with a warning. Each record states its own account,
asset category, signed quantity, price, commission (negative when charged), multiplier and
IBKR's execution id, so the import needs nothing from the trader but the time zone: IBKR writes
`dateTime` as `YYYYMMDD;HHMMSS` in the zone of the account's statement settings, Eastern by
default.

The XML is read with the standard library's expat parser, the one ElementTree uses, so each
record keeps its line number for error messages. A file with a DTD or an entity declaration is
refused before parsing (the "billion laughs" and external-entity attacks need one, and IBKR
never writes one), and the parser's DTD handlers refuse them again should one slip past.

The field rules (`FlexRecord`, `flex_execution`) are shared with the Flex CSV format, whose
columns are the same fields under their CSV names.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import NoReturn

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.numbers import NotANumber, parse_amount
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.times import BadTime, LocalTimeReader, to_utc, zone

FORMAT_NAME = "ibkr-flex-xml"


def compact(name: str) -> str:
    """`Date/Time`, `dateTime` and `DATETIME` all become `datetime`."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class FlexField:
    """One Flex field under its XML attribute name, its CSV column name and any other
    spelling (the Trade Confirmation query's); `keys` are the compacted names to look up."""

    xml: str
    csv: str
    others: tuple[str, ...] = ()
    keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = (self.xml, self.csv, *self.others)
        object.__setattr__(self, "keys", tuple(dict.fromkeys(compact(n) for n in names)))


ACCOUNT = FlexField("accountId", "ClientAccountID")
CURRENCY = FlexField("currency", "CurrencyPrimary")
ASSET_CATEGORY = FlexField("assetCategory", "AssetClass")
SYMBOL = FlexField("symbol", "Symbol")
DATE_TIME = FlexField("dateTime", "Date/Time")
TRADE_DATE = FlexField("tradeDate", "TradeDate")
TRADE_TIME = FlexField("tradeTime", "TradeTime")
QUANTITY = FlexField("quantity", "Quantity")
PRICE = FlexField("tradePrice", "TradePrice", ("price",))
COMMISSION = FlexField("ibCommission", "IBCommission", ("commission",))
COMMISSION_CURRENCY = FlexField(
    "ibCommissionCurrency", "IBCommissionCurrency", ("commissionCurrency",)
)
TAXES = FlexField("taxes", "Taxes", ("tax",))
BUY_SELL = FlexField("buySell", "Buy/Sell")
EXECUTION_ID = FlexField("ibExecID", "IBExecID", ("execID",))
LEVEL_OF_DETAIL = FlexField("levelOfDetail", "LevelOfDetail")
MULTIPLIER = FlexField("multiplier", "Multiplier")
UNDERLYING = FlexField("underlyingSymbol", "UnderlyingSymbol")
STRIKE = FlexField("strike", "Strike")
EXPIRY = FlexField("expiry", "Expiry")
PUT_CALL = FlexField("putCall", "Put/Call")
TRADE_ID = FlexField("tradeID", "TradeID")
ORIG_TRADE_ID = FlexField("origTradeID", "OrigTradeID")
TRANSACTION_TYPE = FlexField("transactionType", "TransactionType")
ORDER_ID = FlexField("ibOrderID", "IBOrderID", ("orderID",))
EXECUTION, ORDER = "EXECUTION", "ORDER"

#: IBKR asset categories the journal can hold. Futures options and warrants are option-shaped
#: but their multiplier is not the 100 of an equity option, so theirs must come from the file.
ASSET_CLASSES = {
    "STK": AssetClass.STOCK,
    "FUND": AssetClass.STOCK,
    "OPT": AssetClass.OPTION,
    "FOP": AssetClass.OPTION,
    "WAR": AssetClass.OPTION,
    "FUT": AssetClass.FUTURE,
    "CASH": AssetClass.FOREX,
    "CRYPTO": AssetClass.CRYPTO,
}
MULTIPLIER_REQUIRED = frozenset({"FOP", "WAR"})

#: The date and time layouts a Flex query's General Configuration can choose. Day-first dates
#: (dd/MM/yyyy) are left out on purpose: they cannot be told from month-first ones.
_DATES = ("%Y%m%d", "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d-%b-%y")
_TIMES = ("%H%M%S", "%H:%M:%S")
_SEPARATORS = (";", " ", ",", ", ", "T")
DATE_TIME_FORMATS = tuple(f"{d}{s}{t}" for d in _DATES for s in _SEPARATORS for t in _TIMES)

#: Abbreviations IBKR may print after a time: fixed offsets, as the abbreviation states them.
_US_ZONES: dict[str, tzinfo] = {
    name: timezone(timedelta(hours=hours), name)
    for name, hours in (
        ("EST", -5),
        ("EDT", -4),
        ("CST", -6),
        ("CDT", -5),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
    )
}
_US_ZONES.update({"UTC": UTC, "GMT": UTC})

_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FlexRecord:
    """One Flex Trades record, XML attributes or CSV cells alike, and where it is in the file.

    `fields` maps the compacted field name to (the name as the file spells it, its value), so
    lookups ignore spelling while errors quote the file's own column name.
    """

    file: str
    line: int
    fields: Mapping[str, tuple[str, str]]
    statement_account: str = ""
    csv: bool = False

    @classmethod
    def of(
        cls,
        file: str,
        line: int,
        items: Iterable[tuple[str, str]],
        statement_account: str = "",
        *,
        csv: bool = False,
    ) -> FlexRecord:
        fields: dict[str, tuple[str, str]] = {}
        for name, value in items:
            fields.setdefault(compact(name), (name.strip(), value))
        return cls(file, line, fields, statement_account, csv)

    def name_of(self, flex_field: FlexField) -> str:
        """The field's name as this kind of file spells it, for messages."""
        return flex_field.csv if self.csv else flex_field.xml

    def find(self, flex_field: FlexField) -> tuple[str, str] | None:
        """(name as in the file, stripped value) when the record has the field, else None."""
        for key in flex_field.keys:
            found = self.fields.get(key)
            if found is not None:
                return found[0], found[1].strip()
        return None

    def text(self, flex_field: FlexField) -> str:
        found = self.find(flex_field)
        return found[1] if found else ""

    def required(self, flex_field: FlexField) -> tuple[str, str]:
        found = self.find(flex_field)
        if found is None:
            self.fail("this field is missing", self.name_of(flex_field))
        if not found[1]:
            self.fail("a value is required here", found[0])
        return found

    def amount(
        self, flex_field: FlexField, *, required: bool, decimal_comma: bool | None
    ) -> Decimal | None:
        found = self.required(flex_field) if required else self.find(flex_field)
        if found is None or not found[1]:
            return None
        try:
            return parse_amount(found[1], decimal_comma=decimal_comma)
        except NotANumber as error:
            self.fail(str(error), found[0])

    def fail(self, message: str, column: str) -> NoReturn:
        raise ImportFileError(self.file, message, line=self.line, column=column)


def flex_execution(
    record: FlexRecord,
    *,
    read_time: LocalTimeReader,
    account: str,
    position: int,
    decimal_comma: bool | None,
    warnings: list[str],
    level: str = EXECUTION,
) -> ImportedExecution | None:
    """The fill a Flex Trades record states, or None when it is not a fill we keep.

    Records at another level of detail than `level` are summaries of fills and are skipped
    silently; an asset category the journal cannot hold (bonds, CFDs, ...) is skipped with a
    warning rather than failing the whole statement. An ORDER-level record has no execution
    id; its IBKR order id stands in for one.
    """
    if not _is_at_level(record, level):
        return None
    category_name, category = record.required(ASSET_CATEGORY)
    category = category.upper()
    asset_class = ASSET_CLASSES.get(category)
    symbol = record.required(SYMBOL)[1]
    if asset_class is None:
        warnings.append(
            f"{record.file}, line {record.line}: skipped {symbol} ({category_name} {category}):"
            " the journal does not hold this asset category"
        )
        return None
    buy_sell = record.find(BUY_SELL)
    quantity_name = record.required(QUANTITY)[0]
    quantity = record.amount(QUANTITY, required=True, decimal_comma=decimal_comma)
    assert quantity is not None
    if quantity == 0:
        record.fail("a quantity of zero is not an execution", quantity_name)
    side = Side.BUY if quantity > 0 else Side.SELL
    if buy_sell is not None and buy_sell[1]:
        stated = buy_sell[1].upper()
        if stated.startswith(("BUY", "SELL")) and not stated.startswith(side.value.upper()):
            record.fail(
                f"{buy_sell[1]!r} disagrees with the sign of the quantity {quantity}", buy_sell[0]
            )
    price = record.amount(PRICE, required=True, decimal_comma=decimal_comma)
    assert price is not None
    commission = record.amount(COMMISSION, required=False, decimal_comma=decimal_comma)
    taxes = record.amount(TAXES, required=False, decimal_comma=decimal_comma)
    currency = (record.text(CURRENCY) or "USD").upper()
    commission_currency = record.text(COMMISSION_CURRENCY).upper()
    if commission and commission_currency and commission_currency != currency:
        warnings.append(
            f"{record.file}, line {record.line}: the commission is in {commission_currency},"
            f" the trade in {currency}; it was taken as {currency}"
        )
    return ImportedExecution(
        account=record.text(ACCOUNT) or record.statement_account or account or "Default",
        instrument=_instrument(record, symbol, category, asset_class, currency, decimal_comma),
        side=side,
        quantity=abs(quantity),
        price=price,
        executed_at=_executed_at(record, read_time),
        # IBKR states costs as negative cash; a positive figure is a rebate and stays one.
        commission=-commission if commission else Decimal(0),
        fees=-taxes if taxes else Decimal(0),
        broker_execution_id=record.text(EXECUTION_ID) or _order_id(record, level),
        line=record.line,
        position_in_file=position,
    )


def is_cancellation(record: FlexRecord) -> bool:
    """A record that cancels an earlier trade: `BUY (Ca.)` / `SELL (Ca.)`, or a Trade
    Confirmation's `TradeCancel` transaction."""
    marked = "(CA" in record.text(BUY_SELL).upper().replace(" ", "")
    return marked or record.text(TRANSACTION_TYPE).upper() == "TRADECANCEL"


def flex_executions(
    records: Iterable[FlexRecord],
    *,
    read_time: LocalTimeReader,
    account: str,
    decimal_comma: bool | None,
    warnings: list[str],
) -> list[ImportedExecution]:
    """The fills of a file's Trades records, in file order, less any trade a later record of
    the same file cancels.

    IBKR reports a busted or corrected trade as a cancellation record (`BUY (Ca.)`, or a
    Trade Confirmation's `TradeCancel`) after the trade, then, when corrected, the trade again
    as it should have been. A cancellation is matched to the trade it names (its OrigTradeID
    is that trade's TradeID) or, without ids, to the latest earlier fill of the same account,
    symbol, time, side, quantity and price; both are left out, with a warning. A cancellation
    of a trade not in the file fails the import: that trade may be in the journal from an
    earlier file, and importing the rest would leave it standing.
    """
    records = list(records)
    level = _fill_level(records)
    if level == ORDER:
        warnings.append(
            "the Flex query lists orders, not executions: each order is taken as one fill at"
            " its average price (select Executions in the query for each fill)"
        )
    kept: list[tuple[FlexRecord, ImportedExecution]] = []
    for record in records:
        if is_cancellation(record):
            if not _is_at_level(record, level) or not _is_held(record):
                continue  # a summary, or a trade the journal skipped (a bond): nothing kept
            index = _cancelled(record, kept, read_time, decimal_comma)
            original = kept.pop(index)[1]
            warnings.append(
                f"{record.file}, line {record.line}: cancels the trade on line {original.line};"
                " both were left out"
            )
            continue
        execution = flex_execution(
            record,
            read_time=read_time,
            account=account,
            position=len(kept),
            decimal_comma=decimal_comma,
            warnings=warnings,
            level=level,
        )
        if execution is not None:
            kept.append((record, execution))
    return [
        execution if execution.position_in_file == i else replace(execution, position_in_file=i)
        for i, (_, execution) in enumerate(kept)
    ]


def _is_held(record: FlexRecord) -> bool:
    """Whether the record's asset category is one the journal holds."""
    return record.text(ASSET_CATEGORY).upper() in ASSET_CLASSES


def _fill_level(records: list[FlexRecord]) -> str:
    """EXECUTION, unless the query listed orders and no executions: then each ORDER record
    is a fill (at the order's average price)."""
    if any(_is_at_level(record, EXECUTION) for record in records):
        return EXECUTION
    if any(_is_at_level(record, ORDER) for record in records):
        return ORDER
    return EXECUTION


def _is_at_level(record: FlexRecord, level: str) -> bool:
    """Whether the record is at this level of detail; one that states none is an execution."""
    found = record.find(LEVEL_OF_DETAIL)
    if found is None or not found[1]:
        return level == EXECUTION
    return found[1].upper() == level


def _order_id(record: FlexRecord, level: str) -> str:
    order_id = record.text(ORDER_ID) if level == ORDER else ""
    return f"order {order_id}" if order_id else ""


def _cancelled(
    cancel: FlexRecord,
    kept: list[tuple[FlexRecord, ImportedExecution]],
    read_time: LocalTimeReader,
    decimal_comma: bool | None,
) -> int:
    """The index in `kept` of the fill `cancel` cancels; a cancellation of nothing kept fails."""
    original_id = cancel.text(ORIG_TRADE_ID)
    stated = cancel.text(BUY_SELL).upper()
    quantity = cancel.amount(QUANTITY, required=True, decimal_comma=decimal_comma)
    price = cancel.amount(PRICE, required=True, decimal_comma=decimal_comma)
    assert quantity is not None and price is not None
    if stated.startswith(("BUY", "SELL")):
        side = Side.BUY if stated.startswith("BUY") else Side.SELL
    else:  # the cancellation reverses the trade, so its sign is the trade's opposite
        side = Side.SELL if quantity > 0 else Side.BUY
    when = _executed_at(cancel, read_time)
    account = cancel.text(ACCOUNT) or cancel.statement_account
    for index in range(len(kept) - 1, -1, -1):
        record, fill = kept[index]
        trade_id = record.text(TRADE_ID)
        if original_id and trade_id:
            if trade_id == original_id:
                return index
            continue
        if (
            record.text(SYMBOL) == cancel.text(SYMBOL)
            and (record.text(ACCOUNT) or record.statement_account) == account
            and (fill.side, fill.quantity, fill.price, fill.executed_at)
            == (side, abs(quantity), price, when)
        ):
            return index
    name = cancel.find(BUY_SELL) or cancel.find(TRANSACTION_TYPE)
    cancel.fail(
        "this cancels a trade that is not in this file (Ca.); if an earlier import holds it,"
        " undo that import and import a statement covering both, or run the Flex query with"
        " 'Include Canceled Trades' set to No",
        name[0] if name else cancel.name_of(BUY_SELL),
    )


def _instrument(
    record: FlexRecord,
    symbol: str,
    category: str,
    asset_class: AssetClass,
    currency: str,
    decimal_comma: bool | None,
) -> InstrumentSpec:
    multiplier = record.amount(MULTIPLIER, required=False, decimal_comma=decimal_comma)
    if multiplier is None and category in MULTIPLIER_REQUIRED:
        record.fail(
            f"a {category} record needs its multiplier (add Multiplier to the Flex query)",
            record.name_of(MULTIPLIER),
        )
    if multiplier is not None and multiplier <= 0:
        record.fail("a multiplier must be positive", record.required(MULTIPLIER)[0])
    if asset_class is not AssetClass.OPTION:
        underlying = record.text(UNDERLYING) if asset_class is AssetClass.FUTURE else ""
        return InstrumentSpec(symbol, asset_class, currency, multiplier, underlying=underlying)
    right = record.text(PUT_CALL).upper()[:1]
    if right and right not in ("C", "P"):
        record.fail(
            f"{record.text(PUT_CALL)!r} is neither a put nor a call", record.name_of(PUT_CALL)
        )
    return InstrumentSpec(
        symbol,
        asset_class,
        currency,
        multiplier,
        underlying=record.text(UNDERLYING),
        expiry=_expiry(record),
        strike=record.amount(STRIKE, required=False, decimal_comma=decimal_comma),
        option_right=right,
    )


def _expiry(record: FlexRecord) -> date | None:
    found = record.find(EXPIRY)
    if found is None or not found[1]:
        return None
    for pattern in _DATES:
        try:
            return datetime.strptime(found[1], pattern).date()
        except ValueError:
            continue
    record.fail(f"{found[1]!r} is not a date", found[0])


def _executed_at(record: FlexRecord, read_time: LocalTimeReader) -> datetime:
    found = record.find(DATE_TIME)
    if found is None or not found[1]:
        trade_date, trade_time = record.find(TRADE_DATE), record.find(TRADE_TIME)
        if not (trade_date and trade_date[1] and trade_time and trade_time[1]):
            record.fail(
                "the execution time is missing (add Date/Time to the query)",
                record.name_of(DATE_TIME),
            )
        found = (trade_date[0], f"{trade_date[1]};{trade_time[1]}")
    value = found[1]
    try:
        # "HH:mm:ss TimeZone" in the query's settings appends the zone the time is in.
        head, _, last = value.rpartition(" ")
        zone_named = _named_zone(last) if head else None
        if zone_named is not None:
            return to_utc(read_time.naive(head), zone_named)
        return read_time(value)
    except BadTime as error:
        record.fail(str(error), found[0])


def _named_zone(token: str) -> tzinfo | None:
    """The zone a trailing `EST`/`EDT`/`US/Eastern`-style token names, or None."""
    if token.upper() in _US_ZONES:
        return _US_ZONES[token.upper()]
    if "/" in token:
        try:
            return zone(token)
        except BadTime:
            return None
    return None


def detect(text: str, filename: str) -> int:
    head = text[:4096]
    if "<FlexQueryResponse" in head:
        return 95
    if "<FlexStatements" in head or "<FlexStatement " in head:
        return 90
    return 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    records = read_trade_records(text, filename)
    read_time = LocalTimeReader(DATE_TIME_FORMATS, tz)
    warnings: list[str] = []
    executions = flex_executions(
        records, read_time=read_time, account=account, decimal_comma=False, warnings=warnings
    )
    if not executions:
        raise ImportFileError(
            filename,
            "the file has no executions: the Flex query needs the Trades section with"
            " Executions selected",
        )
    return ParsedFile(FORMAT_NAME, tuple(executions), warnings=tuple(warnings))


def read_trade_records(text: str, filename: str) -> list[FlexRecord]:
    """Every `<Trade>`, `<TradeConfirm>` or `<Order>` element of a Flex XML file, in file
    order."""
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    found = _DOCTYPE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise ImportFileError(
            filename,
            "the XML declares a DTD or entities, which a Flex statement never does; refused",
            line=line,
        )
    parser = xml.parsers.expat.ParserCreate()
    records: list[FlexRecord] = []
    state = {"account": "", "root": ""}

    def refuse(*_: object) -> NoReturn:
        raise ImportFileError(
            filename,
            "the XML declares a DTD or entities, which a Flex statement never does; refused",
            line=parser.CurrentLineNumber,
        )

    def start(name: str, attributes: dict[str, str]) -> None:
        if not state["root"]:
            state["root"] = name
            if name not in ("FlexQueryResponse", "FlexStatements", "FlexStatement"):
                raise ImportFileError(
                    filename,
                    f"the XML is not an IBKR Flex statement (its root is <{name}>)",
                    line=parser.CurrentLineNumber,
                )
        if name == "FlexStatement":
            state["account"] = attributes.get("accountId", "")
        elif name in ("Trade", "TradeConfirm") or (
            # An order of the Trades section says so; an order elsewhere is not a trade.
            name == "Order" and attributes.get("levelOfDetail", "").upper() == ORDER
        ):
            records.append(
                FlexRecord.of(
                    filename, parser.CurrentLineNumber, attributes.items(), state["account"]
                )
            )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as error:
        raise ImportFileError(
            filename,
            f"the file is not well-formed XML ({xml.parsers.expat.ErrorString(error.code)}"
            f" at character {error.offset + 1})",
            line=error.lineno,
        ) from None
    return records


FORMAT = register(
    ImportFormat(
        name=FORMAT_NAME,
        description="Interactive Brokers Flex Query XML (Trades at EXECUTION level)",
        default_timezone="America/New_York",
        detect=detect,
        parse=parse,
    )
)
