"""MetaTrader 5 reports saved as CSV the way traders save them, with invented figures.

samples/metatrader5-whole-report.csv is the whole Trade History Report as one CSV, the layout
quoted in a public journal's MT5 tests (reference only): title lines, `Account:` with the
login and currency, then `Positions,,,,`, `Orders,,,,`, `Deals,,,,` and `Results,,,,`
sections one under another, numbers with a space as thousands separator (` 10 000.00`), a
totals row under the deals. With thirty positions and sixty orders above it, the Deals header
is on line 101.

A report made by a terminal in French is the English report with its captions and titles
translated: a public MT5 report parser notes, from a broker's French export, `Symbole`,
`Ordres`, `Transactions` (the Deals title) and `Compte:`, and that the deal types (`buy`,
`sell`) stay untranslated in every language. The test translates the English fixture's
captions that way (the other French words are illustrative: the importer reads by position).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal

from journal_desktop.domain.records import Side
from journal_desktop.importers import detect_format
from tests.importers.support import fixture_text, parse_text, utc

FMT = "metatrader5"
WHOLE = "metatrader5-whole-report.csv"
D = Decimal


def test_the_whole_report_as_csv_with_deals_far_down() -> None:
    text = fixture_text(WHOLE)
    assert detect_format(text, WHOLE).name == FMT
    parsed = parse_text(text, WHOLE)
    assert len(parsed.executions) == 60
    first, second = parsed.executions[:2]
    assert (first.account, first.side, first.price, first.executed_at) == (
        "20260101",
        Side.BUY,
        D("1.10000"),
        utc(2026, 1, 5, 9, 0),
    )
    assert (second.side, second.price, second.commission, second.broker_execution_id) == (
        Side.SELL,
        D("1.10100"),
        D("0.35"),
        "401",
    )
    assert first.instrument.multiplier == D(100000)
    # Thirty round trips of 0.10 lot, 10 pips each: 30 x 0.0010 x 10,000 = 300.00 (Results).
    gross = sum(
        (e.price if e.side is Side.SELL else -e.price) * e.quantity * e.instrument.multiplier
        for e in parsed.executions
    )
    assert gross == D("300.00")
    assert sum(e.commission for e in parsed.executions) == D("21.00")


FRENCH = {
    "Account:": "Compte:",
    "Orders": "Ordres",
    "Deals": "Transactions",
    "Time": "Heure",
    "Deal": "Transaction",
    "Symbol": "Symbole",
    "Price": "Prix",
    "Order": "Ordre",
    "Fee": "Frais",
    "Balance": "Solde",
    "Comment": "Commentaire",
    "Results": "R\u00e9sultats",
}


def test_a_report_in_french_reads_as_the_english_one() -> None:
    english = fixture_text("metatrader5-report.html")
    french = re.sub(
        r"<b>([A-Za-z:]+)</b>", lambda m: f"<b>{FRENCH.get(m[1], m[1])}</b>", english
    ).replace(">Account:<", ">Compte:<")
    assert "<b>Deal</b>" not in french and "<b>Symbole</b>" in french
    assert detect_format(french, "ReportHistory.html").name == FMT
    got = parse_text(french, "ReportHistory.html")
    want = parse_text(english, "ReportHistory.html")
    assert got.executions == want.executions
    assert got.executions[0].account == "12345678"


def test_the_whole_report_as_a_french_csv_with_semicolons_and_decimal_commas() -> None:
    english = fixture_text(WHOLE)
    want = parse_text(english, WHOLE).executions
    lines = []
    for line in english.split("\n"):
        cells = next(csv.reader([line])) if line else []
        cells = [
            c.strip().replace(".", ",") if re.fullmatch(r"-?[\d ]+\.\d+", c.strip()) else c
            for c in cells
        ]
        lines.append(";".join(cells))
    french = "\n".join(lines)
    for english_word, french_word in FRENCH.items():
        french = re.sub(
            rf"(^|;){re.escape(english_word)}(;|$)",
            rf"\g<1>{french_word}\2",
            french,
            flags=re.MULTILINE,
        )
    french = french.replace("Account:", "Compte:")
    assert "Heure;Transaction;Symbole;Type;Direction" in french and "0,10" in french
    assert detect_format(french, "ReportHistory.csv").name == FMT
    got = parse_text(french, "ReportHistory.csv").executions
    assert [(e.side, e.quantity, e.price, e.commission, e.line) for e in got] == [
        (e.side, e.quantity, e.price, e.commission, e.line) for e in want
    ]
    assert got[0].account == "20260101"


def test_a_french_deals_csv_whose_first_deal_has_no_comment() -> None:
    text = (
        "Heure;Transaction;Symbole;Type;Direction;Volume;Prix;Ordre;Commission;Frais;Swap;"
        "Profit;Solde;Commentaire\n"
        "2026.01.05 09:00:00;400;EURUSD;buy;in;0,10;1,10000;200;-0,35;0,00;0,00;0,00;999,65;\n"
        "2026.01.05 09:05:00;401;EURUSD;sell;out;0,10;1,10100;300;-0,35;0,00;0,00;10,00;"
        "1 009,30;[tp 1,10100]\n"
    )
    parsed = parse_text(text, "Transactions.csv")
    assert parsed.format_name == FMT
    got = [(e.side, e.quantity, e.price, e.commission, e.line) for e in parsed.executions]
    assert got == [
        (Side.BUY, D("0.10"), D("1.10000"), D("0.35"), 2),
        (Side.SELL, D("0.10"), D("1.10100"), D("0.35"), 3),
    ]
    # 0.00100 x 0.10 lot x 100,000 = 10.00, the report's Profit.
    assert (got[1][2] - got[0][2]) * D("0.10") * 100000 == D("10.00")
