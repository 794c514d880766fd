"""HTML report tables as rows with line numbers (importers/htmltables.py)."""

from __future__ import annotations

from journal_desktop.importers.htmltables import HtmlRow, html_table, read_html_rows

REPORT = """<html><body>
<table>
<tr><th colspan=3><b>Deals</b></th></tr>
<tr><td>Time</td><td>Deal</td><td class="hidden">Cost</td><td>Price</td></tr>
<tr align=right><td nowrap>2026.03.02&nbsp;09:31:05</td><td>70002</td>
    <td class="hidden" colspan="8"></td><td>1 002.50</td></tr>
<tr><td colspan=2>Balance:</td><td><b>9&nbsp;601.62</b>
<tr><td>unclosed<td>cells<br>wrap</tr>
</table>
<table><tr><td>second</td></tr></table>
</body></html>
"""


def test_rows_cells_lines_spans_and_hidden_cells() -> None:
    rows = read_html_rows(REPORT)
    assert rows == [
        HtmlRow(3, ("Deals", "", "")),
        HtmlRow(4, ("Time", "Deal", "Price")),
        HtmlRow(5, ("2026.03.02 09:31:05", "70002", "1 002.50")),
        HtmlRow(7, ("Balance:", "", "9 601.62")),
        HtmlRow(8, ("unclosed", "cells wrap")),
        HtmlRow(10, ("second",)),
    ]
    assert rows[0].filled() == ("Deals",)


def test_a_cell_outside_a_row_opens_one() -> None:
    assert read_html_rows("<table><td>a</td><td>b</td></table>") == [HtmlRow(1, ("a", "b"))]


def test_rows_become_a_table_read_like_a_csv() -> None:
    rows = read_html_rows(REPORT)
    table = html_table("r.html", rows[1], rows[2:3])
    (row,) = table.rows
    assert (table.header, table.header_line) == (("time", "deal", "price"), 4)
    assert (row.line, row.text("Deal"), row.amount("Price")) == (5, "70002", 1002.5)
    short = html_table("r.html", rows[1], [HtmlRow(9, ("only",))], names=["a", "b"])
    assert short.rows[0].values == {"a": "only", "b": ""}
