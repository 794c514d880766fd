"""MetaTrader 4 account statement (Account History > Save as Report / Detailed Report, HTML).

The statement is one HTML table in sections, each under a title row: Closed Transactions:,
Open Trades:, Working Orders:, Summary:. A ticket table under no title (or one in another
language) is taken as closed tickets when its header has a Close Time column. The first two
list tickets under the header

    Ticket, Open Time, Type, Size, Item, Price, S / L, T / P, Close Time, Price,
    Commission, Taxes, Swap, Profit

(some builds print Lots, Symbol and Commis, and number the rows; those captions are accepted
too). MT4 keeps no fills, only tickets, so each ticket is turned into its fills:

- a closed `buy` or `sell` ticket is an opening fill (its side, Open Time, the first Price)
  and a closing fill (the other side, Close Time, the second Price), both of Size lots;
- an open ticket is its opening fill only; its second Price is the market price when the
  statement was made, not a fill;
- balance and credit rows, and pending orders (buy limit, sell stop, ...) that were cancelled
  or never filled, are not trades and are skipped.

A ticket closed in part is split by MT4 into the closed part and a new ticket for the rest with
the same open time and price (`from #...`); the two opening fills add up to the original one,
so positions and P&L come out right within one statement.

Costs are printed as signed cash: Commission (charged when the ticket opens) and Taxes go to the
opening fill, Swap (accrued while it was held) to the closing fill, signs turned so a charge is
positive. Swap accrued on a still-open ticket is not realised and is left out. Lots and
multipliers are as for MetaTrader 5 (100,000 per lot of a currency pair, 100 oz of XAUUSD...).
Execution ids are `<ticket>-open` and `<ticket>-close`.

Times are the trading server's clock, not stated in the statement; the default is UTC, and
`--timezone` gives the broker's server zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import Side
from journal_desktop.importers.htmltables import HtmlRow, html_table, read_html_rows
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import lot_instrument
from journal_desktop.importers.table import Row, Table, normalise_header
from journal_desktop.importers.times import BadTime, parse_local, zone_reminder

DEFAULT_ZONE = "UTC"
SERVER_CLOCK = "MetaTrader prints the trading server's clock"
NAME = "metatrader4"
TIME_FORMATS = ("%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M")
SIDES = {"buy": Side.BUY, "sell": Side.SELL}
CLOSED, OPEN = "closed transactions:", "open trades:"
KNOWN_TITLES = frozenset({CLOSED, OPEN, "working orders:", "summary:"})
#: Captions some builds print instead of the detailed report's own.
ALIASES = {"lots": "size", "symbol": "item", "commis": "commission"}
CASH_TYPES = frozenset({"balance", "credit"})
OPEN_COLUMNS = ("Ticket", "Open Time", "Type", "Size", "Item", "Price")
CLOSED_COLUMNS = (*OPEN_COLUMNS, "Close Time", "Close Price")
_DIGITS = re.compile(r"(\d{3,})")
_LOGIN_ONLY = re.compile(r"\d{4,}")


def detect(text: str, filename: str) -> int:
    """A Closed Transactions section with its ticket header: MT4's statement alone has it."""
    lowered = text.lower()
    if "<td" not in lowered or (
        "closed transactions" not in lowered and "close time" not in lowered
    ):
        return 0
    sections = _sections(read_html_rows(text), filename)
    return 90 if CLOSED in sections else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    rows = read_html_rows(text)
    sections = _sections(rows, filename)
    if CLOSED not in sections and OPEN not in sections:
        raise ImportFileError(
            filename,
            "no Closed Transactions or Open Trades table was found; save the statement from "
            "Account History as a (detailed) report",
            line=1,
        )
    login, currency = _account(rows)
    name = login or account or "Default"
    tickets: list[_Ticket] = []
    for section in (CLOSED, OPEN):
        if section in sections:
            tickets.extend(_tickets(sections[section], closed=section == CLOSED))
    executions: list[ImportedExecution] = []
    unknown: set[str] = set()
    for ticket in tickets:
        for fill in ticket.fills(tz, currency, unknown):
            executions.append(fill.execution(name, len(executions)))
    warnings = (*zone_reminder(tz, DEFAULT_ZONE, SERVER_CLOCK), *_size_warnings(unknown))
    return ParsedFile(NAME, tuple(executions), warnings=warnings)


def _sections(rows: Sequence[HtmlRow], file: str) -> dict[str, Table]:
    """The ticket tables by section title, each from its header row to the next title."""
    tables: dict[str, Table] = {}
    title = ""
    header: HtmlRow | None = None
    body: list[HtmlRow] = []

    def close() -> None:
        if header is None:
            return
        names = _column_names(header)
        section = title
        if title not in KNOWN_TITLES and "close time" in names:
            section = CLOSED  # no title, or one in another language: closed tickets all the same
        if section in (CLOSED, OPEN):
            tables.setdefault(section, html_table(file, header, body, names))

    for row in rows:
        heading = _title(row)
        if heading is not None:
            close()
            title, header, body = heading, None, []
        elif header is None and _is_ticket_header(row):
            header = row
        elif header is not None:
            body.append(row)
    close()
    return tables


def _title(row: HtmlRow) -> str | None:
    filled = row.filled()
    if len(filled) == 1 and filled[0].endswith(":") and not any(c.isdigit() for c in filled[0]):
        return filled[0].lower()
    return None


def _is_ticket_header(row: HtmlRow) -> bool:
    names = set(_column_names(row))
    return {"ticket", "open time", "type", "size", "item"} <= names


def _column_names(header: HtmlRow) -> list[str]:
    """Header captions, normalised, with the second `Price` named `close price`."""
    names: list[str] = []
    for cell in header.cells:
        name = normalise_header(cell)
        name = ALIASES.get(name, name)
        if name == "price" and "price" in names:
            name = "close price"
        names.append(name)
    return names


def _account(rows: Sequence[HtmlRow]) -> tuple[str, str]:
    """The login (`Account: 12345678`, `A/C No: 12345678`) and `Currency: USD`; under a label
    in another language (`Cuenta: 123456`) a word followed by nothing but the number."""
    login, currency, labelled = "", "USD", ""
    for row in rows[:10]:
        for cell in row.filled():
            label, _, value = cell.partition(":")
            label = label.strip().lower()
            if label in ("account", "a/c no") and not login:
                match = _DIGITS.search(value)
                login = match.group(1) if match else ""
            elif label == "currency" and value.strip():
                currency = value.strip().upper()[:3]
            elif not labelled and label.isalpha() and _LOGIN_ONLY.fullmatch(value.strip()):
                labelled = value.strip()
    return login or labelled, currency


@dataclass(frozen=True, slots=True)
class _Fill:
    row: Row
    ticket: str
    instrument: InstrumentSpec
    side: Side
    quantity: Decimal
    price: Decimal
    executed_at: datetime
    commission: Decimal
    fees: Decimal
    leg: str

    def execution(self, account: str, position: int) -> ImportedExecution:
        return ImportedExecution(
            account=account,
            instrument=self.instrument,
            side=self.side,
            quantity=self.quantity,
            price=self.price,
            executed_at=self.executed_at,
            commission=self.commission,
            fees=self.fees,
            broker_execution_id=f"{self.ticket}-{self.leg}",
            line=self.row.line,
            position_in_file=position,
        )


@dataclass(frozen=True, slots=True)
class _Ticket:
    row: Row
    side: Side
    closed: bool

    def fills(self, tz: tzinfo, currency: str, unknown: set[str]) -> Iterator[_Fill]:
        row = self.row
        ticket = row.text("Ticket")
        instrument, known = lot_instrument(row.text("Item"), currency)
        if not known:
            unknown.add(instrument.symbol)
        size = row.amount("Size", decimal_comma=False)
        if size <= 0:
            raise row.error("a ticket's size must be positive", "Size")
        yield _Fill(
            row,
            ticket,
            instrument,
            self.side,
            size,
            _price(row, "Price"),
            _time(row, "Open Time", tz),
            _cost(row, "Commission"),
            _cost(row, "Taxes"),
            "open",
        )
        if self.closed:
            other = Side.SELL if self.side is Side.BUY else Side.BUY
            yield _Fill(
                row,
                ticket,
                instrument,
                other,
                size,
                _price(row, "Close Price"),
                _time(row, "Close Time", tz),
                Decimal(0),
                _cost(row, "Swap"),
                "close",
            )


def _tickets(table: Table, *, closed: bool) -> Iterator[_Ticket]:
    table.require_columns(*(CLOSED_COLUMNS if closed else OPEN_COLUMNS))
    for row in table.rows:
        if not row.text("Ticket", required=False).isdigit():
            continue  # totals, "No transactions", a comment line of old builds
        kind = " ".join(row.text("Type", required=False).lower().split())
        side = SIDES.get(kind)
        if side is not None:
            yield _Ticket(row, side, closed)
        elif _is_unknown_trade(kind, row):
            raise row.error(f"{row.text('Type')!r} is not a ticket type (buy or sell)", "Type")


def _is_unknown_trade(kind: str, row: Row) -> bool:
    """A row with a symbol and a size whose type is neither a trade, a cash movement nor a
    pending order: something this importer does not understand, so it stops rather than guess."""
    pending = kind.endswith(("limit", "stop"))
    return kind not in CASH_TYPES and not pending and row.has("Item") and row.has("Size")


def _price(row: Row, column: str) -> Decimal:
    price = row.amount(column, decimal_comma=False)
    if price <= 0:
        raise row.error("a fill price must be positive", column)
    return price


def _time(row: Row, column: str, tz: tzinfo) -> datetime:
    try:
        return parse_local(row.text(column), TIME_FORMATS, tz)
    except BadTime as error:
        raise row.error(str(error), column) from None


def _cost(row: Row, column: str) -> Decimal:
    """A signed cash amount as a cost (a charge of `-7.00` is 7.00); absent is zero."""
    return Decimal(0) - row.amount(column, required=False, decimal_comma=False)


def _size_warnings(symbols: set[str]) -> tuple[str, ...]:
    if not symbols:
        return ()
    return (
        "the contract size of "
        + ", ".join(sorted(symbols))
        + " is not in the statement; one lot is taken as one unit, so check its P&L against "
        "the statement's Profit column",
    )


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="MetaTrader 4 statement HTML (Closed Transactions and Open Trades)",
        default_timezone=DEFAULT_ZONE,
        detect=detect,
        parse=parse,
    )
)
