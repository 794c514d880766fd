"""MetaTrader 4 statement HTML: Closed Transactions and Open Trades.

No real MT4 statement is in the shared samples. samples/metatrader4-statement.htm is written by
hand with invented tickets, in the layout open-source MT4 statement parsers document and test
against: the `Account: / Name: / Currency:` row, the `Closed Transactions:`, `Open Trades:`,
`Working Orders:` and `Summary:` titles, the header `Ticket, Open Time, Type, Size, Item, Price,
S / L, T / P, Close Time, Price, Commission, Taxes, Swap, Profit`, lower-case items (`eurusd`),
balance/credit rows and cancelled pending orders spanning columns, a partial close split into
`to #`/`from #` tickets, and `5 000.00` thousands. No real sample; each closed ticket's Profit
was worked out by hand and the test below checks the importer's fills against it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "metatrader4"
FIXTURE = "metatrader4-statement.htm"
D = Decimal
HEADER = (
    "<tr><td>Ticket</td><td>Open Time</td><td>Type</td><td>Size</td><td>Item</td><td>Price</td>"
    "<td>S / L</td><td>T / P</td><td>Close Time</td><td>Price</td><td>Commission</td>"
    "<td>Taxes</td><td>Swap</td><td>Profit</td></tr>"
)
TICKET = (
    "<tr><td>3000001</td><td>2026.03.02 09:31</td><td>buy</td><td>1.00</td><td>eurusd</td>"
    "<td>1.08452</td><td>0.00000</td><td>0.00000</td><td>2026.03.02 15:10</td><td>1.08610</td>"
    "<td>-7.00</td><td>0.00</td><td>0.00</td><td>158.00</td></tr>"
)


def statement(*rows: str) -> str:
    """A minimal statement whose first ticket row is on line 5."""
    return "\n".join(
        [
            "<html><body><table>",
            "<tr><td colspan=2><b>Account: 99887766</b></td><td><b>Currency: EUR</b></td></tr>",
            "<tr><td colspan=13><b>Closed Transactions:</b></td></tr>",
            HEADER,
            *rows,
            "</table></body></html>",
        ]
    )


def test_the_fixture_fill_by_fill() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    # id, symbol, side, lots, price, time (server time read as UTC), commission, fees, line
    expected = [
        (
            "2000002-open",
            "EURUSD",
            Side.BUY,
            D("1.00"),
            D("1.08452"),
            utc(2026, 3, 2, 9, 31, 5),
            D("7.00"),
            D(0),
            15,
        ),
        (
            "2000002-close",
            "EURUSD",
            Side.SELL,
            D("1.00"),
            D("1.08610"),
            utc(2026, 3, 2, 15, 10),
            D(0),
            D(0),
            15,
        ),
        (
            "2000003-open",
            "XAUUSD",
            Side.SELL,
            D("0.30"),
            D("2912.40"),
            utc(2026, 3, 2, 10, 0),
            D("2.10"),
            D(0),
            16,
        ),
        (
            "2000003-close",
            "XAUUSD",
            Side.BUY,
            D("0.30"),
            D("2905.15"),
            utc(2026, 3, 2, 12, 0),
            D(0),
            D(0),
            16,
        ),
        (
            "2000005-open",
            "XAUUSD",
            Side.SELL,
            D("0.20"),
            D("2912.40"),
            utc(2026, 3, 2, 10, 0),
            D("1.40"),
            D(0),
            18,
        ),
        (
            "2000005-close",
            "XAUUSD",
            Side.BUY,
            D("0.20"),
            D("2920.00"),
            utc(2026, 3, 3, 9, 30),
            D(0),
            D("1.25"),
            18,
        ),
        (
            "2000007-open",
            "GBPUSD",
            Side.SELL,
            D("0.50"),
            D("1.26500"),
            utc(2026, 3, 3, 11, 0),
            D("3.50"),
            D("0.10"),
            20,
        ),
        (
            "2000007-close",
            "GBPUSD",
            Side.BUY,
            D("0.50"),
            D("1.26180"),
            utc(2026, 3, 3, 16, 45),
            D(0),
            D(0),
            20,
        ),
        (
            "2000008-open",
            "USDJPY",
            Side.BUY,
            D("0.30"),
            D("149.850"),
            utc(2026, 3, 4, 9, 0),
            D("2.10"),
            D(0),
            25,
        ),
        (
            "2000009-open",
            "EURUSD",
            Side.SELL,
            D("0.20"),
            D("1.08500"),
            utc(2026, 3, 4, 10, 0),
            D("1.40"),
            D(0),
            26,
        ),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        fill_id, symbol, side, lots, price, when, commission, fees, line = want
        assert execution.broker_execution_id == fill_id
        assert execution.account == "87654321"
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, lots, price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (commission, fees)
        assert (execution.line, execution.position_in_file) == (line, position)
    assert len(parsed.warnings) == 1 and "UTC" in parsed.warnings[0]


def test_each_closed_tickets_fills_give_its_profit() -> None:
    executions = parse_text(fixture_text(FIXTURE), FIXTURE).executions
    profits = {
        "2000002": D("158.00"),
        "2000003": D("217.50"),
        "2000005": D("-152.00"),
        "2000007": D("160.00"),
    }
    for ticket, profit in profits.items():
        opening, closing = (e for e in executions if e.broker_execution_id.startswith(ticket + "-"))
        assert opening.instrument.multiplier is not None
        sign = 1 if opening.side is Side.BUY else -1
        moved = (closing.price - opening.price) * opening.quantity * opening.instrument.multiplier
        assert sign * moved == profit, ticket
    gold = executions[2].instrument
    assert (gold.asset_class, gold.multiplier, gold.currency) == (AssetClass.FOREX, D(100), "USD")
    assert executions[8].instrument.currency == "JPY"


def test_a_minimal_statement_in_another_zone_and_currency() -> None:
    parsed = parse_text(statement(TICKET), "s.htm", timezone="Europe/Athens")
    opening, closing = parsed.executions
    assert (opening.account, opening.line) == ("99887766", 5)
    assert opening.executed_at == utc(2026, 3, 2, 7, 31)  # EET, UTC+2; minutes only
    assert closing.executed_at == utc(2026, 3, 2, 13, 10)
    assert parsed.warnings == ()


def test_the_numbered_layout_of_other_builds() -> None:
    header = (
        "<tr><td>N</td><td>Ticket</td><td>Open Time</td><td>Type</td><td>Lots</td>"
        "<td>Symbol</td><td>Price</td><td>S/L</td><td>T/P</td><td>Close Time</td><td>Price</td>"
        "<td>Commis</td><td>Swap</td><td>Trade P/L</td><td>Comment</td></tr>"
    )
    row = (
        "<tr><td>1</td><td>200</td><td>2026.03.02 13:27</td><td>sell</td><td>2.50</td>"
        "<td>eurusd</td><td>1.2764</td><td>0.0000</td><td>0.0000</td><td>2026.03.02 13:34</td>"
        "<td>1.2768</td><td>-5.00</td><td>0.00</td><td>-100.00</td><td>to #201</td></tr>"
    )
    text = statement().replace(HEADER, header).replace("</table>", row + "</table>")
    opening, closing = parse_text(text, "n.htm").executions
    assert (opening.side, opening.quantity, opening.price, opening.commission) == (
        Side.SELL,
        D("2.50"),
        D("1.2764"),
        D("5.00"),
    )
    assert (closing.side, closing.price) == (Side.BUY, D("1.2768"))


def error_of(text: str, filename: str = "statement.htm") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        ("<td>buy</td>", "<td>purchase</td>", "Type", "not a ticket type"),
        ("<td>1.00</td>", "<td>-1.00</td>", "Size", "positive"),
        ("<td>1.08452</td>", "<td>1.O8452</td>", "Price", "not a number"),
        ("<td>1.08610</td>", "<td>0</td>", "Close Price", "positive"),
        ("<td>2026.03.02 15:10</td>", "<td>2026.03.32 15:10</td>", "Close Time", "not a date"),
        ("<td>-7.00</td>", "<td>seven</td>", "Commission", "not a number"),
    ],
)
def test_bad_values_name_line_and_column(old: str, new: str, column: str, words: str) -> None:
    error = error_of(statement(TICKET, TICKET.replace("3000001", "3000002").replace(old, new)))
    assert (error.line, error.column) == (6, column)
    assert words in error.reason


def test_a_missing_column_is_named() -> None:
    text = statement(TICKET).replace("<td>Close Time</td>", "")
    error = error_of(text)
    assert (error.line, error.column) == (4, "Close Time")  # the header's line


def test_missing_sections_and_empty_files() -> None:
    without_item = statement(TICKET).replace("<td>Item</td>", "<td>Thing</td>")
    assert "no Closed Transactions" in error_of(without_item).reason
    assert error_of("").line == 1
    assert "no Closed Transactions" in error_of("<html><body></body></html>").reason
