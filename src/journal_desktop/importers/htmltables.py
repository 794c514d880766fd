"""HTML reports as table rows with line numbers: MetaTrader saves its statements this way.

Uses only the standard library's `html.parser`, which tolerates what these machine-written
reports do (unclosed `<td>`, unquoted attributes, `&nbsp;` padding). Each `<tr>` becomes the
visible text of its cells: a cell spanning `colspan=n` columns is followed by n-1 empty cells so
that a data row lines up with its header, and cells styled `class="hidden"` (the drill-down
cells MetaTrader 5 writes into its tables) are left out, as a browser would not show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from journal_desktop.importers.table import Row, Table, normalise_header

_CELL_TAGS = frozenset({"td", "th"})
_MAX_COLSPAN = 64  # a sane bound: a report's widest table has about twenty columns


@dataclass(frozen=True, slots=True)
class HtmlRow:
    """One `<tr>`: the 1-based line it starts on and the text of its visible cells."""

    line: int
    cells: tuple[str, ...]

    def filled(self) -> tuple[str, ...]:
        """The non-empty cells, for recognising titles such as `Deals` or `Open Trades:`."""
        return tuple(cell for cell in self.cells if cell)


def read_html_rows(text: str) -> list[HtmlRow]:
    """Every table row of an HTML document, in document order."""
    parser = _RowCollector()
    parser.feed(text)
    parser.close()
    return parser.rows


class _RowCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[HtmlRow] = []
        self._row_line: int | None = None
        self._cells: list[str] = []
        self._cell: list[str] | None = None
        self._span = 1
        self._hidden = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self._row_line = self.getpos()[0]
        elif tag in _CELL_TAGS:
            if self._row_line is None:  # a cell outside any <tr>: treat it as opening one
                self._row_line = self.getpos()[0]
            self._end_cell()
            values = {name: value or "" for name, value in attrs}
            self._hidden = "hidden" in values.get("class", "").split()
            self._span = _colspan(values.get("colspan", ""))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CELL_TAGS:
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        self._end_row()

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        if not self._hidden:
            text = " ".join("".join(self._cell).replace("\xa0", " ").split())
            self._cells.append(text)
            self._cells.extend([""] * (self._span - 1))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row_line is not None and self._cells:
            self.rows.append(HtmlRow(self._row_line, tuple(self._cells)))
        self._row_line = None
        self._cells = []


def _colspan(value: str) -> int:
    try:
        span = int(value.strip())
    except ValueError:
        return 1
    return min(max(span, 1), _MAX_COLSPAN)


def html_table(
    file: str, header: HtmlRow, rows: Iterable[HtmlRow], names: Sequence[str] | None = None
) -> Table:
    """Rows of an HTML table as a `Table`, so a report is read with the same `Row` methods
    (amounts, errors naming line and column) as a CSV file. `names` overrides the header's
    own captions where they repeat (MetaTrader 4 prints `Price` twice)."""
    columns = (
        tuple(names) if names is not None else tuple(normalise_header(c) for c in header.cells)
    )
    body = tuple(
        Row(
            file,
            row.line,
            {name: (row.cells[i] if i < len(row.cells) else "") for i, name in enumerate(columns)},
        )
        for row in rows
    )
    return Table(file, columns, header.line, body)
