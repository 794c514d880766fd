"""Delimited text as rows with line numbers, so every error can say where it is.

The delimiter (`,` `;` tab or `|`) is sniffed from the header line, because European Excel
writes `;` and some platforms write tabs; quoting follows the csv module.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.importers.numbers import NotANumber, infer_decimal_comma, parse_amount

_DELIMITERS = (",", ";", "\t", "|")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: values by normalised column name, and where it came from."""

    file: str
    line: int
    values: dict[str, str]

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values.get(normalise_header(column))
        if value is None:
            if required:
                raise ImportFileError(
                    self.file, "this column is missing", line=self.line, column=column
                )
            return ""
        value = value.strip()
        if required and not value:
            raise ImportFileError(
                self.file, "a value is required here", line=self.line, column=column
            )
        return value

    def has(self, column: str) -> bool:
        return bool(self.values.get(normalise_header(column), "").strip())

    def amount(
        self,
        column: str,
        *,
        required: bool = True,
        decimal_comma: bool | None = None,
        default: Decimal = Decimal(0),
    ) -> Decimal:
        text = self.text(column, required=required)
        if not text:
            return default
        try:
            return parse_amount(text, decimal_comma=decimal_comma)
        except NotANumber as error:
            raise ImportFileError(self.file, str(error), line=self.line, column=column) from None

    def price(self, column: str, *, decimal_comma: bool | None = None) -> Decimal:
        """A fill's price: an amount that is never negative (brokers sign cash, not prices)."""
        value = self.amount(column, decimal_comma=decimal_comma)
        if value < 0:
            raise self.error("a price must not be negative", column)
        return value

    def optional_amount(self, column: str, *, decimal_comma: bool | None = None) -> Decimal | None:
        """The amount when the column exists and has a value, else None."""
        if not self.has(column):
            return None
        return self.amount(column, decimal_comma=decimal_comma)

    def error(self, message: str, column: str | None = None) -> ImportFileError:
        return ImportFileError(self.file, message, line=self.line, column=column)


@functools.lru_cache(maxsize=4096)
def normalise_header(name: str) -> str:
    """Headers compare without case, surrounding spaces, BOMs or doubled spaces."""
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


@dataclass(frozen=True, slots=True)
class Table:
    file: str
    header: tuple[str, ...]
    header_line: int
    rows: tuple[Row, ...]
    delimiter: str = ","

    def has_columns(self, *names: str) -> bool:
        present = set(self.header)
        return all(normalise_header(n) in present for n in names)

    def pick(self, *names: str) -> str | None:
        """The first of several names a platform has used for one column that this file has,
        so a format can accept every caption its versions and languages print."""
        present = set(self.header)
        return next((n for n in names if normalise_header(n) in present), None)

    def decimal_comma(self, *columns: str, default: bool | None = None) -> bool | None:
        """Whether these numeric columns use a decimal comma, judged once for the whole file
        (a lone `1,250` cannot tell; another row's `0,62` can). `default` decides when no
        value does; `;`-delimited files are where European locales put decimal commas."""
        keys = [normalise_header(c) for c in columns]
        judged = infer_decimal_comma(row.values.get(key, "") for row in self.rows for key in keys)
        return default if judged is None else judged

    def require_columns(self, *names: str) -> None:
        for name in names:
            if normalise_header(name) not in set(self.header):
                raise ImportFileError(
                    self.file, "a required column is missing", line=self.header_line, column=name
                )


def read_table(
    text: str, file: str, *, header_line_index: int = 0, delimiter: str | None = None
) -> Table:
    """Parse delimited text whose header is on line `header_line_index` (0-based)."""
    raw = read_raw_table(text, file, header_line_index=header_line_index, delimiter=delimiter)
    header = raw.header
    rows = tuple(
        Row(
            file,
            line,
            {name: (record[i] if i < len(record) else "") for i, name in enumerate(header)},
        )
        for line, record in raw.records
    )
    return Table(file, header, raw.header_line, rows, raw.delimiter)


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as cells: the normalised header and each non-blank record with its line.

    For formats that read large files column by column; `row` turns one record into the
    `Row` that `read_table` would have made, for error messages and unusual values.
    """

    file: str
    header: tuple[str, ...]
    header_line: int
    records: list[tuple[int, list[str]]]
    delimiter: str = ","

    def index(self) -> dict[str, int]:
        """Column positions by normalised name (the last of duplicated names, as in Row)."""
        return {name: i for i, name in enumerate(self.header)}

    def row(self, line: int, record: Sequence[str]) -> Row:
        values = {
            name: (record[i] if i < len(record) else "") for i, name in enumerate(self.header)
        }
        return Row(self.file, line, values)


def read_raw_table(
    text: str, file: str, *, header_line_index: int = 0, delimiter: str | None = None
) -> RawTable:
    """`read_table` without building a Row per record."""
    lines = text.split("\n")
    if header_line_index >= len(lines) or not lines[header_line_index].strip():
        raise ImportFileError(file, "the file has no header line", line=header_line_index + 1)
    delimiter = delimiter or sniff_delimiter(lines[header_line_index])
    body = "\n".join(lines[header_line_index:])
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    try:
        header = tuple(normalise_header(h) for h in next(reader))
        records = list(_records(reader, header_line_index + 1))
    except csv.Error as error:
        raise ImportFileError(
            file,
            f"the file is not valid delimited text ({error})",
            line=header_line_index + reader.line_num,
        ) from None
    return RawTable(file, header, header_line_index + 1, records, delimiter)


def _records(reader: Any, header_line: int) -> Iterator[tuple[int, list[str]]]:
    """Records with the file line they end on (csv's `line_num` counts lines consumed so far,
    so a quoted value spanning lines still points at the right place)."""
    for record in reader:
        if not "".join(record).strip():  # blank: no cell holds anything but spaces
            continue
        yield header_line + reader.line_num - 1, record


#: Beyond this many lines to search, the whole text is first checked for the names at once.
_LONG_SEARCH = 200


def _mentions_all(text: str, names: set[str]) -> bool:
    """Whether every (normalised) name appears somewhere in `text`, in any spacing: a few
    passes over the text, so a long file that cannot hold the header is not read line by
    line."""
    lowered = text.lower()
    return all(
        re.search(r"\s+".join(re.escape(word) for word in name.split()), lowered) is not None
        for name in names
    )


def find_header_line(text: str, *required: str, limit: int = 50) -> int | None:
    """The 0-based index of the first line (of the first `limit`) naming every required
    column, for exports that put a title or account block above the table."""
    wanted = {normalise_header(r) for r in required}
    lines = text.split("\n")[:limit]
    if len(lines) > _LONG_SEARCH and not _mentions_all(text, wanted):
        return None
    for index, line in enumerate(lines):
        # A header line holds every wanted name as text: the cheap test first, so a search
        # through a long file (a statement's sections, a 100,000-row export) parses few lines.
        flat = " ".join(line.lower().split())
        if not all(name in flat for name in wanted):
            continue
        cells = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
        if wanted <= {normalise_header(c) for c in cells}:
            return index
    return None


def read_records(
    text: str, file: str, *, delimiter: str | None = None
) -> list[tuple[int, list[str]]]:
    """Every non-blank record of delimited text with the 1-based line it ends on.

    For files made of several tables, each with its own header (IBKR statements, account
    statements with a Trade History block), which `read_table` cannot take whole: the format
    module decides which record is a header and which is data. The delimiter is sniffed from
    the first non-blank line unless given.
    """
    if delimiter is None:
        first = next((line for line in text.split("\n") if line.strip()), "")
        delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((reader.line_num, record))
    except csv.Error as error:
        raise ImportFileError(
            file, f"the file is not valid delimited text ({error})", line=reader.line_num
        ) from None
    return records
