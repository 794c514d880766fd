"""Interactive Brokers Flex Query CSV: the Trades fields of the XML, as columns.

A Flex CSV holds one table per section of the query (Open Positions, Trades, Cash Report...),
each starting with its own header row (`"ClientAccountID","AccountAlias",...`), one after the
other with nothing between them. With "Include section code and line descriptor" each row
starts with `HEADER`/`DATA` and a section code, and with "Include header and trailer records"
there are `BOF`/`BOA`/`BOS`/`EOS`/`EOA`/`EOF` rows around them. All three layouts are read: a
table is taken as trades when its header has the Trades fields (Symbol, Quantity, TradePrice
and a date), and every other table is passed over. A Trade Confirmation query's CSV is read the
same way; its fields are `Price`, `Commission`, `CommissionCurrency` and `ExecID`. The fields
themselves follow the XML format's rules (`ibkr_flex_xml.flex_execution`): EXECUTION level
only, signed quantity, negative commission, times in the account's zone (Eastern by default).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import tzinfo

from journal_desktop.domain.imported import ImportFileError, ParsedFile
from journal_desktop.importers.formats.ibkr_flex_xml import (
    COMMISSION,
    DATE_TIME_FORMATS,
    PRICE,
    QUANTITY,
    FlexRecord,
    compact,
    flex_executions,
)
from journal_desktop.importers.numbers import infer_decimal_comma
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.table import read_records, sniff_delimiter
from journal_desktop.importers.times import LocalTimeReader

FORMAT_NAME = "ibkr-flex-csv"

#: Column names only a Flex CSV uses; a header row names the symbol and at least two of these.
_FLEX_ONLY = frozenset(
    {
        "clientaccountid",
        "accountalias",
        "currencyprimary",
        "assetclass",
        "conid",
        "tradeprice",
        "ibcommission",
        "ibcommissioncurrency",
        "ibexecid",
        "iborderid",
        "levelofdetail",
        "fxratetobase",
        "buysell",
        "listingexchange",
        "underlyingconid",
    }
)
#: The trailer and section rows of "Include header and trailer records".
_TRAILERS = frozenset({"BOF", "BOA", "BOS", "EOS", "EOA", "EOF"})


def _is_header(cells: Sequence[str]) -> bool:
    names = {compact(cell) for cell in cells}
    return "symbol" in names and len(names & _FLEX_ONLY) >= 2


def _is_trades_header(cells: Sequence[str]) -> bool:
    names = {compact(cell) for cell in cells}
    # The Trade Confirmation query names the price `Price` (beside `Buy/Sell`), not TradePrice.
    priced = "tradeprice" in names or {"price", "buysell"} <= names
    return (
        _is_header(cells)
        and priced
        and "quantity" in names
        and bool(names & {"datetime", "tradedate"})
    )


def _unprefixed(cells: list[str]) -> tuple[str, str, list[str]]:
    """(HEADER/DATA or "", section code, the cells proper) of one row."""
    tag = cells[0].strip().upper() if cells else ""
    if tag in ("HEADER", "DATA") and len(cells) > 2:
        return tag, cells[1].strip(), cells[2:]
    return "", "", cells


def detect(text: str, filename: str) -> int:
    lines = [line for line in text.split("\n", 200)[:200] if line.strip()]
    flexish = False
    for line in lines:
        cells = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
        _, _, cells = _unprefixed(cells)
        if _is_trades_header(cells):
            return 85
        flexish = flexish or _is_header(cells)
    return 60 if flexish else 0


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    records = _trade_records(text, filename)
    if not records:
        raise ImportFileError(
            filename,
            "no Trades table was found: the Flex query needs the Trades section, with column"
            " headers, and Symbol, Quantity, TradePrice and Date/Time among its fields",
        )
    decimal_comma = infer_decimal_comma(
        record.text(column) for record in records for column in (QUANTITY, PRICE, COMMISSION)
    )
    read_time = LocalTimeReader(DATE_TIME_FORMATS, tz)
    warnings: list[str] = []
    executions = flex_executions(
        records,
        read_time=read_time,
        account=account,
        decimal_comma=decimal_comma,
        warnings=warnings,
    )
    if not executions:
        raise ImportFileError(
            filename, "the Trades table has no executions (select Executions in the Flex query)"
        )
    return ParsedFile(FORMAT_NAME, tuple(executions), warnings=tuple(warnings))


def _trade_records(text: str, filename: str) -> list[FlexRecord]:
    """The data rows of every Trades table, whichever of the three layouts the file uses."""
    records: list[FlexRecord] = []
    plain_header: list[str] | None = None
    coded_headers: dict[str, list[str] | None] = {}
    statement_account = ""
    for line, row in read_records(text, filename):
        if row[0].strip().upper() in _TRAILERS:
            if row[0].strip().upper() == "BOA" and len(row) > 1:
                statement_account = row[1].strip()
            continue
        tag, code, cells = _unprefixed(row)
        if tag == "HEADER":
            coded_headers[code] = cells if _is_trades_header(cells) else None
            continue
        if tag == "DATA":
            header = coded_headers.get(code)
        elif _is_header(cells):
            plain_header = cells if _is_trades_header(cells) else None
            continue
        else:
            header = plain_header
        if header is None:
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            raise ImportFileError(
                filename,
                f"this row has {len(cells)} values but its table's header names {len(header)}",
                line=line,
            )
        values = [cells[i] if i < len(cells) else "" for i in range(len(header))]
        records.append(
            FlexRecord.of(
                filename, line, zip(header, values, strict=True), statement_account, csv=True
            )
        )
    return records


FORMAT = register(
    ImportFormat(
        name=FORMAT_NAME,
        description="Interactive Brokers Flex Query CSV (Trades at EXECUTION level)",
        default_timezone="America/New_York",
        detect=detect,
        parse=parse,
    )
)
