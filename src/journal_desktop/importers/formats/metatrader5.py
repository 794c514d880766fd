"""MetaTrader 5 trade history report, Deals section: the HTML report or the same table as CSV.

The report (Toolbox > History > right-click > Report > HTML, saved as UTF-16) is one HTML
table whose sections (Positions, Orders, Deals, ...) start at a banner row. Deals, one row per
fill, is the section read here; its columns are

    Time, Deal, Symbol, Type, Direction, Volume, Price, Order, Commission, Fee, Swap, Profit,
    Balance, Comment

MT5 also writes hidden drill-down cells (`class="hidden"`) into these rows and a `colspan` on
some; they are skipped and expanded so each value lands under its header (see htmltables). A
CSV of the same columns (saved from the report, any delimiter, decimal comma allowed) is read
the same way, also when the whole report was saved as CSV, its sections one under another
(`Positions,,,,` then its rows, `Orders,,,,`, `Deals,,,,`, `Results,,,,`), however far down the
Deals header is, with the login and currency from its `Account:` line (a layout quoted in a
public journal's MT5 tests, with `4 129.590` thousands spaces and `- 2.50` negatives).

MT5 translates captions and section titles with its interface (French: `Symbole`, `Ordres`,
`Transactions` for Deals, `Compte:`) but not the deal types and directions (`buy`, `sell`,
`balance`, `in`, `out`). An HTML report without the English Deals header is read by position:
its Deals header is the fourteen-column row above the first row shaped as a deal (a server
time, a deal number, a type and a direction), its columns in the order above; so is a CSV
(the header the line above the first deal-shaped line).

- `Type` buy or sell is a fill; balance, credit, charge, correction, bonus, commission,
  interest, dividend and tax rows move cash, not positions, and are skipped. `Direction` (in,
  out, inout for a reversal, out by for a close-by) is the platform's own accounting and is
  not needed: the matching engine sees the side and the quantity.
- `Volume` is in lots and stays so. The multiplier is the lot's contract size, so that price
  move x lots x multiplier is the money MT5 books: 100,000 for a currency pair (EURUSD is
  `AssetClass.FOREX`, P&L in the quote currency), 100 ounces for XAUUSD, 5,000 for XAGUSD, one
  coin for crypto CFDs. Index and share CFDs, whose contract size the report does not state,
  are taken as one unit per lot, with a warning.
- Costs are printed as signed cash amounts. Commission becomes the commission, Fee and Swap the
  fees, with their signs turned so a charge is positive: a swap credited to the trader is a
  negative fee, and net P&L agrees with the report's Profit + Commission + Fee + Swap.
- `Deal` is the broker's deal ticket, kept to recognise a re-imported fill.

Times are the trading server's clock, which differs by broker (often UTC+2/+3) and is not stated
in the report. The default is UTC; pass `--timezone` with the broker's server zone.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Sequence
from datetime import tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import ImportedExecution, ImportFileError, ParsedFile
from journal_desktop.domain.records import Side
from journal_desktop.importers.htmltables import HtmlRow, html_table, read_html_rows
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import lot_instrument
from journal_desktop.importers.table import (
    Row,
    Table,
    find_header_line,
    normalise_header,
    read_raw_table,
    read_table,
    sniff_delimiter,
)
from journal_desktop.importers.times import BadTime, parse_local, zone_reminder

DEFAULT_ZONE = "UTC"
SERVER_CLOCK = "MetaTrader prints the trading server's clock"
NAME = "metatrader5"
DEAL_COLUMNS = ("Time", "Deal", "Symbol", "Type", "Direction", "Volume", "Price")
TIME_FORMATS = ("%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
SIDES = {"buy": Side.BUY, "sell": Side.SELL}
DIRECTIONS = frozenset({"", "in", "out", "inout", "in/out", "out by"})
#: Deal types that move money, not positions.
CASH_TYPES = frozenset(
    {
        "balance",
        "credit",
        "charge",
        "correction",
        "bonus",
        "commission",
        "commission daily",
        "commission monthly",
        "agent commission daily",
        "agent commission monthly",
        "interest",
        "dividend",
        "dividend franked",
        "tax",
        "buy canceled",
        "sell canceled",
    }
)
_LOGIN = re.compile(r"(\d{3,})")
_DEALS_HEADER = re.compile(
    r"^\ufeff?\"?Time\"?([,;\t])\"?Deal\"?\1\"?Symbol\"?\1\"?Type\"?\1\"?Direction\"?\1",
    re.MULTILINE | re.IGNORECASE,
)
_CURRENCY = re.compile(r"\(\s*([A-Z]{3})\s*,")
#: A CSV line that may be a deal: a server time, then a deal number.
_DEAL_LINE = re.compile(
    r'^"?\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}(?::\d{2})?"?([,;\t])"?\d+"?\1.*$', re.MULTILINE
)
_LOGIN_AND_CURRENCY = re.compile(r"(\d{3,})\s*\(\s*([A-Z]{3})\s*,")
_REPORT_TIME = re.compile(r"\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}(:\d{2})?")
#: The Deals columns in the order every report prints them, whatever its language.
DEALS_IN_ORDER = tuple(
    normalise_header(c)
    for c in (
        "Time",
        "Deal",
        "Symbol",
        "Type",
        "Direction",
        "Volume",
        "Price",
        "Order",
        "Commission",
        "Fee",
        "Swap",
        "Profit",
        "Balance",
        "Comment",
    )
)


def detect(text: str, filename: str) -> int:
    """A Deals table (its `Direction` column is MT5's alone) in a report or a CSV."""
    if _is_html(text):
        return 95 if _deals_header(read_html_rows(text)) is not None else 0
    if find_header_line(text, *DEAL_COLUMNS, limit=20) is not None:
        return 90
    # The whole report saved as CSV puts Deals under the Positions and Orders, any number of
    # lines down; one regular-expression pass finds its header without reading every line.
    if "direction" in text.lower() and _DEALS_HEADER.search(text) is not None:
        return 90
    return 85 if _localised_csv_header(text) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    if _is_html(text):
        table, login, currency = _html_deals(text, filename)
    else:
        table, login, currency = _csv_deals(text, filename)
    comma = table.decimal_comma("Volume", "Price", default=table.delimiter == ";")
    name = login or account or "Default"
    executions: list[ImportedExecution] = []
    unknown_sizes: set[str] = set()
    for row in table.rows:
        execution = _deal(row, tz, name, currency, len(executions), comma, unknown_sizes)
        if execution is not None:
            executions.append(execution)
    warnings = (*zone_reminder(tz, DEFAULT_ZONE, SERVER_CLOCK), *_size_warnings(unknown_sizes))
    return ParsedFile(NAME, tuple(executions), warnings=warnings)


def _is_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<table" in head or "<html" in head or "<tr" in head


def _deals_header(rows: Sequence[HtmlRow]) -> int | None:
    """The index of the Deals header row: the English captions, else (a report in another
    language) the row just above the first row shaped as a deal."""
    wanted = {normalise_header(c) for c in DEAL_COLUMNS}
    for index, row in enumerate(rows):
        if wanted <= {normalise_header(c) for c in row.cells}:
            return index
    first = next((i for i, row in enumerate(rows) if _is_deal_row(row)), None)
    if first is None or first == 0 or len(rows[first - 1].cells) != len(DEALS_IN_ORDER):
        return None
    return first - 1


def _is_deal_row(row: HtmlRow) -> bool:
    """A Deals row by its values, which MT5 does not translate: a server time, a deal number,
    a deal type (buy, sell, balance, ...) and a direction (in, out, ... or none)."""
    cells = [" ".join(cell.lower().split()) for cell in row.cells]
    return (
        len(cells) == len(DEALS_IN_ORDER)
        and _REPORT_TIME.fullmatch(cells[0]) is not None
        and cells[1].isdigit()
        and (cells[3] in SIDES or cells[3] in CASH_TYPES)
        and cells[4] in DIRECTIONS
    )


def _html_deals(text: str, file: str) -> tuple[Table, str, str]:
    rows = read_html_rows(text)
    header = _deals_header(rows)
    if header is None:
        raise ImportFileError(
            file,
            "no Deals table was found (a header with " + ", ".join(DEAL_COLUMNS) + ")",
            line=1,
        )
    end = next((i for i in range(header + 1, len(rows)) if _is_banner(rows[i])), len(rows))
    english = {normalise_header(c) for c in DEAL_COLUMNS} <= set(
        normalise_header(c) for c in rows[header].cells
    )
    names = None if english else DEALS_IN_ORDER
    table = html_table(file, rows[header], rows[header + 1 : end], names)
    login, currency = _account(rows[:header])
    return table, login, currency


def _is_banner(row: HtmlRow) -> bool:
    """A section title such as `Results`: one non-empty cell that is not a number."""
    filled = row.filled()
    return len(filled) == 1 and not any(ch.isdigit() for ch in filled[0])


def _account(rows: Sequence[HtmlRow]) -> tuple[str, str]:
    """The login and deposit currency from `Account: 12345678 (USD, Server, demo, Hedge)`;
    under a translated label (`Compte:`, `Konto:`) the value's own shape tells it."""
    for row in rows:
        cells = row.filled()
        for label, value in itertools.pairwise(cells):
            if label.rstrip(":").strip().lower() == "account":
                login = _LOGIN.search(value)
                currency = _CURRENCY.search(value)
                return (login.group(1) if login else "", currency.group(1) if currency else "USD")
    for row in rows:
        for cell in row.filled():
            found = _LOGIN_AND_CURRENCY.search(cell)
            if found:
                return found.group(1), found.group(2)
    return "", "USD"


def _csv_deals(text: str, file: str) -> tuple[Table, str, str]:
    """The Deals table of a CSV, and the login and currency of the report's `Account:` line
    when the whole report was saved as CSV (its sections one under another, the Deals after
    the Positions and Orders)."""
    lines = text.split("\n")
    header = find_header_line(text, *DEAL_COLUMNS, limit=len(lines))
    localised = header is None
    if header is None:
        header = _localised_csv_header(text)
    if header is None:
        raise ImportFileError(
            file, "no Deals header was found (" + ", ".join(DEAL_COLUMNS) + ")", line=1
        )
    delimiter = sniff_delimiter(lines[header])
    above = [
        HtmlRow(i + 1, tuple(cell.strip() for cell in record))
        for i, record in enumerate(csv.reader(lines[:header], delimiter=delimiter))
    ]
    login, currency = _account(above)
    if not localised:
        return read_table(text, file, header_line_index=header), login, currency
    raw = read_raw_table(text, file, header_line_index=header)
    names = DEALS_IN_ORDER + tuple(f"column {i}" for i in range(15, len(raw.header) + 1))
    rows = tuple(
        Row(
            file,
            line,
            {name: (record[i] if i < len(record) else "") for i, name in enumerate(names)},
        )
        for line, record in raw.records
    )
    return Table(file, names, raw.header_line, rows, raw.delimiter), login, currency


def _localised_csv_header(text: str) -> int | None:
    """The 0-based line of a Deals header in another language: the line above the first line
    shaped as a deal (see `_is_deal_row`)."""
    if not any(f"{d}{w}{d}" in text for d in ",;\t" for w in ("in", "out")):
        return None  # no deal opens or closes a position: not a Deals table (and a quick no)
    index, counted = 0, 0
    for found in _DEAL_LINE.finditer(text):
        line = found.group(0)
        cells = [cell.strip() for cell in next(csv.reader([line], delimiter=found.group(1)), [])]
        while len(cells) > len(DEALS_IN_ORDER) and not cells[-1]:
            cells.pop()  # the empty cell a trailing delimiter makes
        cells += [""] * (len(DEALS_IN_ORDER) - len(cells))  # an empty comment left off
        index += text.count("\n", counted, found.start())
        counted = found.start()
        if index > 0 and _is_deal_row(HtmlRow(index + 1, tuple(cells))):
            above = text.split("\n", index)[index - 1]
            header = [c.strip() for c in next(csv.reader([above], delimiter=found.group(1)), [])]
            while len(header) > len(DEALS_IN_ORDER) and not header[-1]:
                header.pop()
            # A header of another width is not a translation of this one: no guessing.
            return index - 1 if len(header) == len(DEALS_IN_ORDER) else None
    return None


def _deal(
    row: Row,
    tz: tzinfo,
    account: str,
    currency: str,
    position: int,
    comma: bool | None,
    unknown_sizes: set[str],
) -> ImportedExecution | None:
    """The fill a deal row records, or None for a cash movement or a totals row."""
    if not row.text("Deal", required=False).isdigit():
        return None  # the totals line under the table, or a note
    kind = " ".join(row.text("Type", required=False).lower().split())
    side = SIDES.get(kind)
    if side is None:
        if kind in CASH_TYPES or not (row.has("Symbol") and row.has("Volume")):
            return None
        raise row.error(f"{row.text('Type')!r} is not a deal type (buy or sell)", "Type")
    direction = " ".join(row.text("Direction", required=False).lower().split())
    if direction not in DIRECTIONS:
        raise row.error(f"{direction!r} is not a deal direction (in, out, inout)", "Direction")
    volume = row.amount("Volume", decimal_comma=comma)
    if volume <= 0:
        raise row.error("a deal's volume must be positive", "Volume")
    price = row.price("Price", decimal_comma=comma)
    instrument, known = lot_instrument(row.text("Symbol"), currency)
    if not known:
        unknown_sizes.add(instrument.symbol)
    try:
        executed_at = parse_local(row.text("Time"), TIME_FORMATS, tz)
    except BadTime as error:
        raise row.error(str(error), "Time") from None
    return ImportedExecution(
        account=account,
        instrument=instrument,
        side=side,
        quantity=volume,
        price=price,
        executed_at=executed_at,
        commission=_charge(row, comma, "Commission"),
        fees=_charge(row, comma, "Fee", "Swap"),
        broker_execution_id=row.text("Deal"),
        line=row.line,
        position_in_file=position,
    )


def _charge(row: Row, comma: bool | None, *columns: str) -> Decimal:
    """Signed cash amounts as a cost: `-0.35` charged is 0.35, a `0.50` swap credit -0.50."""
    total = Decimal(0)
    for column in columns:
        total -= row.amount(column, required=False, decimal_comma=comma)
    return total


def _size_warnings(symbols: set[str]) -> tuple[str, ...]:
    if not symbols:
        return ()
    return (
        "the contract size of "
        + ", ".join(sorted(symbols))
        + " is not in the report; one lot is taken as one unit, so check its P&L against the "
        "report's Profit column",
    )


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="MetaTrader 5 trade history report, Deals (HTML or CSV; server time)",
        default_timezone=DEFAULT_ZONE,
        detect=detect,
        parse=parse,
    )
)
