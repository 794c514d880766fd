"""Tradovate's paired-trade reports (CSV): fills already paired by Tradovate, with P/L.

Two layouts are read, both one row per buy/sell pair:
- Position History (`Position ID,Timestamp,Trade Date,...,Account,Contract,Product,...,
  Pair ID,Buy Fill ID,Sell Fill ID,Paired Qty,Buy Price,Sell Price,P/L,Currency,
  Bought Timestamp,Sold Timestamp`), as in the real sample, P/L written `-12.50`;
- Performance (`symbol,...,buyFillId,sellFillId,qty,buyPrice,sellPrice,pnl,boughtTimestamp,
  soldTimestamp,duration`), with no account column and P/L written `$(400.00)`.

The journal keeps executions, not Tradovate's pairs, so each pair gives back its two fills. A
fill that Tradovate split across pairs (a buy of 5 closed by sells of 2 and 3) appears in
several rows with its part of the quantity each time; it is one execution, so rows are summed
per fill id, and a fill id whose price or time differs between rows is an error, not a guess.
Each pair is also kept as a ReportedTrade with Tradovate's own P/L, so the pipeline can check
its matching against the broker's figures.

Rows come newest first and a pair's two fills can share a timestamp to the second, so the
executions are handed over in time order, ties broken by fill id (Tradovate's ids increase
with time): a matcher that sorts by time stably then sees them in the order they happened.

Times carry no zone; as with the Orders report the default is UTC, with a warning (see
`tradovate_orders`). There are no fees in these reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
    ReportedTrade,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.formats.tradovate_orders import (
    TIME_FORMATS,
    header_names,
    zone_warning,
)
from journal_desktop.importers.numbers import infer_decimal_comma
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.table import Row, normalise_header, read_table
from journal_desktop.importers.times import BadTime, LocalTimeReader

FORMAT_NAME = "tradovate-performance"


@dataclass(frozen=True, slots=True)
class _Layout:
    """Column names of one of the two paired-trade layouts."""

    symbol: str
    buy_id: str
    sell_id: str
    quantity: str
    buy_price: str
    sell_price: str
    pnl: str
    bought_at: str
    sold_at: str

    def required(self) -> tuple[str, ...]:
        return (
            self.symbol,
            self.buy_id,
            self.sell_id,
            self.quantity,
            self.buy_price,
            self.sell_price,
            self.pnl,
            self.bought_at,
            self.sold_at,
        )


POSITION_HISTORY = _Layout(
    "Contract",
    "Buy Fill ID",
    "Sell Fill ID",
    "Paired Qty",
    "Buy Price",
    "Sell Price",
    "P/L",
    "Bought Timestamp",
    "Sold Timestamp",
)
PERFORMANCE = _Layout(
    "symbol",
    "buyFillId",
    "sellFillId",
    "qty",
    "buyPrice",
    "sellPrice",
    "pnl",
    "boughtTimestamp",
    "soldTimestamp",
)


@dataclass(slots=True)
class _Fill:
    """One fill as the pairs describe it, its quantity summed over the pairs it is in."""

    fill_id: str
    side: Side
    account: str
    symbol: str
    product: str
    currency: str
    price: Decimal
    executed_at: datetime
    quantity: Decimal
    line: int


def _layout_of(names: set[str]) -> _Layout | None:
    for layout in (POSITION_HISTORY, PERFORMANCE):
        if {normalise_header(n) for n in layout.required()} <= names:
            return layout
    return None


def _missing_column(filename: str, header: tuple[str, ...], line: int) -> ImportFileError:
    """The first missing column of whichever layout the header comes closer to."""
    names = set(header)

    def missing(layout: _Layout) -> list[str]:
        return [n for n in layout.required() if normalise_header(n) not in names]

    closer = min((POSITION_HISTORY, PERFORMANCE), key=lambda layout: len(missing(layout)))
    return ImportFileError(
        filename, "a required column is missing", line=line, column=missing(closer)[0]
    )


def detect(text: str, filename: str) -> int:
    return 85 if _layout_of(header_names(text)) is not None else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    table = read_table(text, filename)
    layout = _layout_of(set(table.header))
    if layout is None:
        raise _missing_column(filename, table.header, table.header_line)
    decimal_comma = infer_decimal_comma(
        row.values.get(normalise_header(name), "")
        for row in table.rows
        for name in (layout.quantity, layout.buy_price, layout.sell_price)
    )
    read_time = LocalTimeReader(TIME_FORMATS, tz)
    fills: dict[str, _Fill] = {}
    reported: list[ReportedTrade] = []
    for row in table.rows:
        reported.append(_pair(row, layout, fills, read_time, account, decimal_comma))
    if not reported:
        raise ImportFileError(filename, "the file has a header but no paired trades")
    ordered = sorted(fills.values(), key=_time_order)
    executions = tuple(
        ImportedExecution(
            account=fill.account,
            instrument=InstrumentSpec(
                symbol=fill.symbol,
                asset_class=AssetClass.FUTURE,
                currency=fill.currency,
                underlying=fill.product,
            ),
            side=fill.side,
            quantity=fill.quantity,
            price=fill.price,
            executed_at=fill.executed_at,
            broker_execution_id=fill.fill_id,
            line=fill.line,
            position_in_file=position,
        )
        for position, fill in enumerate(ordered)
    )
    return ParsedFile(FORMAT_NAME, executions, tuple(reported), warnings=zone_warning(tz))


def _time_order(fill: _Fill) -> tuple[datetime, int, str]:
    numeric = int(fill.fill_id) if fill.fill_id.isdigit() else -1
    return fill.executed_at, numeric, fill.fill_id


def _pair(
    row: Row,
    layout: _Layout,
    fills: dict[str, _Fill],
    read_time: LocalTimeReader,
    account: str,
    decimal_comma: bool | None,
) -> ReportedTrade:
    """Record one pair's two fills in `fills` and return the pair as Tradovate reports it."""
    quantity = row.amount(layout.quantity, decimal_comma=decimal_comma)
    if quantity <= 0:
        raise row.error("a paired quantity must be positive", layout.quantity)
    symbol = row.text(layout.symbol).upper()
    account_name = row.text("Account", required=False) or account or "Default"
    buy_price = row.amount(layout.buy_price, decimal_comma=decimal_comma)
    sell_price = row.amount(layout.sell_price, decimal_comma=decimal_comma)
    for side, id_column, price, price_column, time_column in (
        (Side.BUY, layout.buy_id, buy_price, layout.buy_price, layout.bought_at),
        (Side.SELL, layout.sell_id, sell_price, layout.sell_price, layout.sold_at),
    ):
        try:
            executed_at = read_time(row.text(time_column))
        except BadTime as error:
            raise row.error(str(error), time_column) from None
        fill = _Fill(
            fill_id=row.text(id_column),
            side=side,
            account=account_name,
            symbol=symbol,
            product=row.text("Product", required=False).upper(),
            currency=(row.text("Currency", required=False) or "USD").upper(),
            price=price,
            executed_at=executed_at,
            quantity=quantity,
            line=row.line,
        )
        _add_fill(fills, fill, row, id_column, price_column, time_column)
    return ReportedTrade(
        account=account_name,
        symbol=symbol,
        quantity=quantity,
        buy_price=buy_price,
        sell_price=sell_price,
        pnl=row.amount(layout.pnl, decimal_comma=decimal_comma),
        line=row.line,
    )


def _add_fill(
    fills: dict[str, _Fill],
    fill: _Fill,
    row: Row,
    id_column: str,
    price_column: str,
    time_column: str,
) -> None:
    """Add a pair's part of a fill, checking it agrees with the parts already seen."""
    seen = fills.get(fill.fill_id)
    if seen is None:
        fills[fill.fill_id] = fill
        return
    first = f"line {seen.line}"
    if seen.side is not fill.side:
        raise row.error(f"fill {fill.fill_id} is a {seen.side.value} on {first}", id_column)
    if (seen.account, seen.symbol) != (fill.account, fill.symbol):
        raise row.error(f"fill {fill.fill_id} is in {seen.symbol} on {first}", id_column)
    if seen.price != fill.price:
        raise row.error(f"fill {fill.fill_id} has price {seen.price} on {first}", price_column)
    if seen.executed_at != fill.executed_at:
        raise row.error(f"fill {fill.fill_id} has another time on {first}", time_column)
    seen.quantity += fill.quantity


FORMAT = register(
    ImportFormat(
        name=FORMAT_NAME,
        description="Tradovate Performance / Position History (paired fills with P/L, CSV)",
        default_timezone="UTC",
        detect=detect,
        parse=parse,
    )
)
