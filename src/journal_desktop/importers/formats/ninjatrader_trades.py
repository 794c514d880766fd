"""NinjaTrader 8 Trades export (Trade Performance or Account Performance > Trades > Export).

The round trips NinjaTrader has already matched, one per row:

    Trade number,Instrument,Account,Strategy,Market pos.,Qty,Entry price,Exit price,
    Entry time,Exit time,Entry name,Exit name,Profit,Cum. net profit,Commission,
    Clearing Fee,Exchange Fee,IP Fee,NFA Fee,MAE,MFE,ETD,Bars,

(on one line, with NinjaTrader's trailing comma). This header is quoted by many public
projects on GitHub (reference only): journals' tests and NinjaScript add-ons that write it.
Versions differ: before 8.1 there are no Clearing/Exchange/IP/NFA Fee columns, `Qty` is
`Quantity` in some, and `Cum. profit` replaces `Cum. net profit`. Numbers and times are in
the exporting PC's Windows locale, as in the Executions export (`ninjatrader`): money as
`$3.98`, `-$18.98` or `($20.00)`, times as `9/22/2026 9:35:12 AM` or, on a European machine,
`16/06/2026 09:45:59`; the day order is judged once from both time columns.

Each row becomes the two fills it stands for: the entry (a buy for `Long`, a sell for
`Short`) of `Qty` at `Entry price` and `Entry time`, and the exit (the other side) at `Exit
price` and `Exit time`. A partial exit is its own row with its own share of the entry, so the
fills add up to the position NinjaTrader held. `Commission` and the fee columns are the round
trip's; each is split between the two fills, to the cent, the exit taking the odd cent.
`Profit` is net of them (price move x point value x Qty - Commission - fees) and is not read.

The export has no execution ids; re-importing the same file adds nothing (the fingerprint of
each fill includes its place in the file). Times are the PC's local time, default New York.
"""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import ImportedExecution, ImportFileError, ParsedFile
from journal_desktop.domain.records import Side
from journal_desktop.importers.formats.ninjatrader import (
    CLOCK,
    DAY_FIRST,
    DEFAULT_ZONE,
    MONTH_FIRST,
    day_first,
    instrument,
)
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.table import Row, find_header_line, read_table
from journal_desktop.importers.times import BadTime, parse_local, zone_reminder

NAME = "ninjatrader-trades"
REQUIRED = (
    "Trade number",
    "Instrument",
    "Market pos.",
    "Entry price",
    "Exit price",
    "Entry time",
    "Exit time",
)
QUANTITY = ("Qty", "Quantity")
FEE_COLUMNS = ("Clearing Fee", "Exchange Fee", "IP Fee", "NFA Fee")
POSITIONS = {"long": (Side.BUY, Side.SELL), "short": (Side.SELL, Side.BUY)}
CENT = Decimal("0.01")


def detect(text: str, filename: str) -> int:
    """`Trade number`, `Market pos.` and the entry and exit columns are this export's own."""
    return 90 if find_header_line(text, *REQUIRED, limit=5) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    header = find_header_line(text, *REQUIRED, limit=5)
    table = read_table(text, filename, header_line_index=header or 0)
    table.require_columns(*REQUIRED)
    quantity_column = table.pick(*QUANTITY)
    if quantity_column is None:
        raise ImportFileError(
            filename, "a required column is missing", line=table.header_line, column="Qty"
        )
    if not table.rows:
        raise ImportFileError(filename, "the file has a header but no trades")
    european = table.delimiter == ";"
    comma = table.decimal_comma("Entry price", "Exit price", "Commission", default=european)
    first = day_first(table, ("Entry time", "Exit time"), default=european)
    formats = DAY_FIRST if first else MONTH_FIRST
    executions: list[ImportedExecution] = []
    for row in table.rows:
        executions.extend(
            _fills(row, quantity_column, tz, account, len(executions), comma, formats)
        )
    return ParsedFile(NAME, tuple(executions), warnings=zone_reminder(tz, DEFAULT_ZONE, CLOCK))


def _fills(
    row: Row,
    quantity_column: str,
    tz: tzinfo,
    account: str,
    position: int,
    comma: bool | None,
    formats: tuple[str, ...],
) -> tuple[ImportedExecution, ImportedExecution]:
    sides = POSITIONS.get(row.text("Market pos.").lower())
    if sides is None:
        raise row.error(
            f"{row.text('Market pos.')!r} is not a market position (Long or Short)", "Market pos."
        )
    quantity = row.amount(quantity_column, decimal_comma=comma)
    if quantity <= 0:
        raise row.error("a trade's quantity must be above zero", quantity_column)
    spec = instrument(row.text("Instrument"))
    name = row.text("Account", required=False) or account or "Default"
    commission = abs(row.amount("Commission", required=False, decimal_comma=comma))
    fees = sum(
        (abs(row.amount(c, required=False, decimal_comma=comma)) for c in FEE_COLUMNS),
        Decimal(0),
    )
    entry_commission = (commission / 2).quantize(CENT)
    entry_fees = (fees / 2).quantize(CENT)
    legs = (
        (sides[0], "Entry price", "Entry time", entry_commission, entry_fees),
        (sides[1], "Exit price", "Exit time", commission - entry_commission, fees - entry_fees),
    )
    fills = []
    for offset, (side, price_column, time_column, leg_commission, leg_fees) in enumerate(legs):
        try:
            executed_at = parse_local(row.text(time_column), formats, tz)
        except BadTime as error:
            raise row.error(str(error), time_column) from None
        fills.append(
            ImportedExecution(
                account=name,
                instrument=spec,
                side=side,
                quantity=quantity,
                price=row.price(price_column, decimal_comma=comma),
                executed_at=executed_at,
                commission=leg_commission,
                fees=leg_fees,
                line=row.line,
                position_in_file=position + offset,
            )
        )
    return fills[0], fills[1]


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="NinjaTrader 8 Trades export (CSV round trips, each read as its two fills)",
        default_timezone=DEFAULT_ZONE,
        detect=detect,
        parse=parse,
    )
)
