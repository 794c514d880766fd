"""Schwab Transactions exports in the layouts of their successive versions, invented figures.

- samples/schwab-transactions-2020.csv: the 2020 layout quoted in jbms/beancount-import issue
  171 (reference only): a title line, a trailing comma on every line, and the total line in
  its broken quoting `"Transactions Total,"","",...,-$9620.64`;
- samples/schwab-transactions-options-as-of.csv: the 8-column layout since 2022 with no title
  and no total line (cgt-calc/capital-gains-calculator issues 309 and 451), an option closed
  on a date booked "as of" the day before, and a Stock Plan Activity row.
"""

from __future__ import annotations

from decimal import Decimal

from journal_desktop.domain.records import Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "schwab-transactions"
D = Decimal


def test_the_2020_layout_with_its_broken_total_line() -> None:
    name = "schwab-transactions-2020.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == FMT
    got = [(e.side, e.quantity, e.price, e.commission, e.executed_at) for e in parsed.executions]
    assert got == [
        (Side.BUY, D(10), D("20.00"), D(0), utc(2020, 11, 12, 21, 0)),
        (Side.SELL, D(10), D("21.00"), D("0.02"), utc(2020, 11, 13, 21, 0)),
    ]


def test_options_as_of_dates_and_no_total_line() -> None:
    name = "schwab-transactions-options-as-of.csv"
    parsed = parse_text(fixture_text(name), name)
    bought, sold = parsed.executions
    assert bought.instrument.symbol == sold.instrument.symbol == "SPY   240823C00560000"
    assert (bought.side, bought.price, bought.commission) == (Side.BUY, D("2.10"), D("1.32"))
    assert (sold.side, sold.price, sold.executed_at) == (
        Side.SELL,
        D("3.25"),
        utc(2024, 8, 20, 20, 0),
    )
    # (3.25 - 2.10) x 2 x 100 - 2.64 = 227.36, the Amounts' sum 648.68 - 421.32.
    gross = (sold.price - bought.price) * 2 * 100
    assert gross - bought.commission - sold.commission == D("648.68") - D("421.32")
