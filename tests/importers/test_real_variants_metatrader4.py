"""MetaTrader 4 statements laid out as public material shows them, with invented figures.

Layouts seen in public material (reference only, nothing copied):

- a report "in its real form" in a Spanish trading journal's test: title rows above the table
  (`Cuenta: 123456`, `Informe detallado`), the ticket header in English, a `balance` row at the
  end, and no `Closed Transactions:` title row at all. A ticket table without that title is
  read as closed tickets when its header has a Close Time column, and the login is read from
  the translated label.
"""

from __future__ import annotations

from decimal import Decimal

from journal_desktop.domain.records import Side
from tests.importers.support import parse_text, utc

D = Decimal

UNTITLED = """<html><body>
<table>
<tr><td colspan="14"><b>Cuenta: 123456</b></td></tr>
<tr><td colspan="14">Informe detallado</td></tr>
<tr align=center bgcolor="#C0C0C0">
  <td>Ticket</td><td>Open Time</td><td>Type</td><td>Size</td><td>Item</td>
  <td>Price</td><td>S / L</td><td>T / P</td><td>Close Time</td><td>Price</td>
  <td>Commission</td><td>Taxes</td><td>Swap</td><td>Profit</td>
</tr>
<tr><td>501</td><td>2026.08.03 09:15:00</td><td>buy</td><td>0.10</td><td>eurusd</td>
    <td>1.1600</td><td>1.1550</td><td>1.1700</td><td>2026.08.05 14:02:00</td><td>1.1680</td>
    <td>-1.20</td><td>0.00</td><td>-2.50</td><td>80.00</td></tr>
<tr><td>502</td><td>2026.08.06 10:00:00</td><td>sell</td><td>0.20</td><td>gbpusd</td>
    <td>1.2720</td><td>0.0000</td><td>0.0000</td><td>2026.08.06 16:30:00</td><td>1.2745</td>
    <td>-2.40</td><td>0.00</td><td>0.00</td><td>-50.00</td></tr>
<tr><td>503</td><td>2026.08.07 08:00:00</td><td>balance</td><td colspan="10">Deposit</td>
    <td>1 000.00</td></tr>
</table></body></html>
"""


def test_a_ticket_table_without_its_title_is_read_as_closed_tickets() -> None:
    parsed = parse_text(UNTITLED, "Statement.htm")
    assert parsed.format_name == "metatrader4"
    assert {e.account for e in parsed.executions} == {"123456"}  # from `Cuenta: 123456`
    got = [
        (e.broker_execution_id, e.side, e.quantity, e.price, e.executed_at, e.commission, e.fees)
        for e in parsed.executions
    ]
    assert got == [
        ("501-open", Side.BUY, D("0.10"), D("1.1600"), utc(2026, 8, 3, 9, 15), D("1.20"), D(0)),
        ("501-close", Side.SELL, D("0.10"), D("1.1680"), utc(2026, 8, 5, 14, 2), D(0), D("2.50")),
        ("502-open", Side.SELL, D("0.20"), D("1.2720"), utc(2026, 8, 6, 10, 0), D("2.40"), D(0)),
        ("502-close", Side.BUY, D("0.20"), D("1.2745"), utc(2026, 8, 6, 16, 30), D(0), D(0)),
    ]
    # Each ticket's Profit: 0.0080 x 0.10 lot x 100,000 = 80.00; -0.0025 x 20,000 = -50.00.
    eur, gbp = parsed.executions[0], parsed.executions[2]
    assert eur.instrument.multiplier == gbp.instrument.multiplier == 100000
    assert (D("1.1680") - D("1.1600")) * D("0.10") * 100000 == D("80.00")
    assert (D("1.2720") - D("1.2745")) * D("0.20") * 100000 == D("-50.00")
