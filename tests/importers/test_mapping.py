"""Column mappings: the JSON round trip the vault stores, and parsing any CSV by one."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.mapping import ColumnMapping, MappingError, parse_with_mapping
from tests.importers.support import utc

NEW_YORK = ZoneInfo("America/New_York")

#: A broker-style export: BOT/SLD sides, date and time apart, costs in two columns.
BROKER = ColumnMapping(
    name="My broker",
    date="Trade Date",
    time="Exec Time",
    symbol="Ticker",
    quantity="Shares",
    price="Fill Px",
    side="Action",
    date_formats=("%Y%m%d %H:%M:%S",),
    side_words={"BOT": Side.BUY, "SLD": Side.SELL},
    commission="Comm",
    fees=("SEC Fee", "Exch Fee"),
    account="Acct",
    execution_id="Exec ID",
    asset_class="Type",
)
BROKER_CSV = """Statement for account 42
Run 2026-03-03

Acct,Trade Date,Exec Time,Ticker,Type,Action,Shares,Fill Px,Comm,SEC Fee,Exch Fee,Exec ID
A-1,20260302,09:30:01,spy,ETF,BOT,"1,200",512.10,-1.00,0.00,(0.30),x1
A-1,20260302,15:59:59,SPY,ETF,SLD,"1,200",513.35,-1.00,0.05,-0.30,x2
"""


def test_json_round_trip() -> None:
    text = BROKER.to_json()
    assert json.loads(text)["version"] == 1
    assert json.loads(text)["side_words"] == {"bot": "buy", "sld": "sell"}
    again = ColumnMapping.from_json(text)
    assert again == BROKER
    assert again.to_json() == text
    signed = ColumnMapping("s", "When", "Sym", "Qty", "Px", signed_quantity=True)
    assert ColumnMapping.from_json(signed.to_json()) == signed


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: "not json", "not JSON"),
        (lambda d: json.dumps([d]), "not a JSON object"),
        (lambda d: json.dumps({**d, "version": 2}), "version 1"),
        (lambda d: json.dumps({**d, "colour": "red"}), "unknown keys: colour"),
        (lambda d: json.dumps({**d, "fees": "SEC Fee"}), "list of strings"),
        (lambda d: json.dumps({**d, "side_words": {"BOT": "long"}}), "not valid"),
        (lambda d: json.dumps({**d, "signed_quantity": "yes"}), "true or false"),
        (lambda d: json.dumps({**d, "decimal_comma": 1}), "decimal_comma"),
        (lambda d: json.dumps({**d, "price": None}), "price must be a string"),
        (lambda d: json.dumps({**d, "default_asset_class": "bond"}), "not valid"),
        (lambda d: json.dumps({**d, "delimiter": "#"}), "delimiter"),
    ],
)
def test_a_bad_saved_mapping_is_refused(change: object, words: str) -> None:
    data = json.loads(BROKER.to_json())
    assert callable(change)
    with pytest.raises(MappingError, match=words):
        ColumnMapping.from_json(change(data))


def test_an_incomplete_mapping_is_refused() -> None:
    with pytest.raises(MappingError, match="side column"):
        ColumnMapping("m", "Date", "Symbol", "Qty", "Price")
    with pytest.raises(MappingError, match="symbol"):
        ColumnMapping("m", "Date", " ", "Qty", "Price", side="Side")
    with pytest.raises(MappingError, match="strptime"):
        ColumnMapping("m", "Date", "Sym", "Qty", "Price", side="Side", date_formats=("YYYY",))
    with pytest.raises(MappingError, match="name"):
        ColumnMapping("", "Date", "Sym", "Qty", "Price", side="Side")


def test_parsing_a_broker_export() -> None:
    parsed = parse_with_mapping(BROKER_CSV, "broker.csv", NEW_YORK, "", BROKER)
    assert parsed.format_name == "mapping:My broker"
    buy, sell = parsed.executions
    assert (buy.account, buy.instrument.symbol, buy.instrument.asset_class) == (
        "A-1",
        "SPY",
        AssetClass.STOCK,
    )
    assert (buy.side, buy.quantity, buy.price) == (Side.BUY, 1200, Decimal("512.10"))
    assert buy.executed_at == utc(2026, 3, 2, 14, 30, 1)
    assert (buy.commission, buy.fees) == (Decimal("1.00"), Decimal("0.30"))
    assert (sell.side, sell.fees, sell.broker_execution_id) == (Side.SELL, Decimal("0.35"), "x2")
    assert (buy.line, sell.line) == (5, 6)


def test_signed_quantities_a_combined_datetime_and_decimal_commas() -> None:
    mapping = ColumnMapping(
        "eu",
        date="Zeit",
        symbol="Wert",
        quantity="Stück",
        price="Kurs",
        signed_quantity=True,
        date_formats=("%d.%m.%Y %H:%M:%S",),
        delimiter=";",
        default_asset_class=AssetClass.FUTURE,
    )
    text = (
        "Zeit;Wert;Stück;Kurs\n"
        "02.03.2026 09:00:00;FDAX;-2;22.150,5\n"
        "02.03.2026 09:05:00;FDAX;2;22.100\n"
    )
    sell, buy = parse_with_mapping(
        text, "eu.csv", ZoneInfo("Europe/Berlin"), "Konto", mapping
    ).executions
    assert (sell.side, sell.quantity, sell.price) == (Side.SELL, 2, Decimal("22150.5"))
    assert buy.price == Decimal(22100)  # "22.100" in a decimal-comma file is twenty-two thousand
    assert sell.executed_at == utc(2026, 3, 2, 8, 0)
    assert (sell.account, sell.instrument.asset_class) == ("Konto", AssetClass.FUTURE)


def test_decimal_comma_can_be_stated() -> None:
    mapping = ColumnMapping(
        "tab", "Date", "Sym", "Qty", "Px", side="Side", decimal_comma=True, delimiter="\t"
    )
    text = "Date\tSym\tQty\tPx\tSide\n2026-03-02 10:00:00\tABC\t1\t1,234\tBuy\n"
    (execution,) = parse_with_mapping(text, "t.tsv", UTC, "", mapping).executions
    assert execution.price == Decimal("1.234")
    inferred = replace(mapping, decimal_comma=None)
    (guess,) = parse_with_mapping(text, "t.tsv", UTC, "", inferred).executions
    assert guess.price == Decimal(1234)  # alone, "1,234" reads as a thousands separator


def error_of(text: str, mapping: ColumnMapping = BROKER) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_with_mapping(text, "bad.csv", NEW_YORK, "", mapping)
    assert caught.value.file == "bad.csv"
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        (",SLD,", ",HOLD,", "Action", "not a side this mapping knows (bot, sld)"),
        ('"1,200",513', '"-1,200",513', "Shares", "must not be negative"),
        ("513.35", "5l3.35", "Fill Px", "not a number"),
        ("15:59:59", "16:61:00", "Trade Date", "not a date"),
        (",ETF,SLD", ",Bond,SLD", "Type", "not an asset class"),
        ('"1,200",513', "0,513", "Shares", "zero"),
    ],
)
def test_bad_values_name_line_and_column(old: str, new: str, column: str, words: str) -> None:
    lines = BROKER_CSV.splitlines()
    lines[5] = lines[5].replace(old, new)
    error = error_of("\n".join(lines))
    assert (error.line, error.column) == (6, column)
    assert words in error.reason


def test_missing_columns_and_empty_files() -> None:
    missing = error_of("Acct,Trade Date,Ticker\nA,20260302,SPY\n")
    assert (missing.line, missing.column) == (1, "Shares")
    no_fee = error_of(BROKER_CSV.replace(",Exch Fee,", ",Other,"))
    assert (no_fee.line, no_fee.column) == (4, "Exch Fee")
    assert "empty" in error_of("").reason
    header_only = BROKER_CSV.splitlines()[3]
    assert "no executions" in error_of(header_only + "\n").reason
