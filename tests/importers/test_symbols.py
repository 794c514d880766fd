"""Option, futures and currency-pair names as brokers print them (importers/symbols.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.records import AssetClass
from journal_desktop.importers.symbols import (
    forex_pair,
    is_compact_future,
    lot_instrument,
    month_number,
    option_contract,
    parse_occ,
    plain_decimal,
    third_friday,
)


@pytest.mark.parametrize(
    ("text", "occ"),
    [
        ("AAPL  260320C00200000", "AAPL  260320C00200000"),
        ("SPXW260327C06540000", "SPXW  260327C06540000"),
        ("AAPL 260320P187.5", "AAPL  260320P00187500"),
        ("aapl 260320c200", "AAPL  260320C00200000"),
        ("TSLA260620C400", "TSLA  260620C00400000"),
        (".SPY230120C400", "SPY   230120C00400000"),
        (".AAPL260320P187.5", "AAPL  260320P00187500"),
    ],
)
def test_occ_symbols_in_their_spellings(text: str, occ: str) -> None:
    contract = parse_occ(text)
    assert contract is not None
    assert contract.occ_symbol() == occ


@pytest.mark.parametrize(
    "text", ["AAPL", "AAPL 261320C200", "ESH26", "AAPL 260320X200", "", ".", "MESH26", "6EH6"]
)
def test_what_is_not_an_option(text: str) -> None:
    assert parse_occ(text) is None


def test_a_contract_from_its_parts_has_one_spelling_per_strike() -> None:
    a = option_contract("spy", date(2026, 3, 20), "put", Decimal("600.00"))
    b = option_contract("SPY", date(2026, 3, 20), "P", Decimal("600"))
    assert a == b
    spec = a.spec()
    assert (spec.symbol, spec.asset_class, spec.strike, spec.option_right, spec.underlying) == (
        "SPY   260320P00600000",
        AssetClass.OPTION,
        Decimal(600),
        "P",
        "SPY",
    )
    assert str(spec.strike) == "600"
    assert str(plain_decimal(Decimal("187.50"))) == "187.5"


@pytest.mark.parametrize(("right", "strike"), [("X", "1"), ("CALLS", "1"), ("C", "0"), ("P", "-5")])
def test_bad_rights_and_strikes_are_refused(right: str, strike: str) -> None:
    with pytest.raises(ValueError):
        option_contract("AAPL", date(2026, 3, 20), right, Decimal(strike))


def test_third_fridays_and_month_names() -> None:
    assert third_friday(2026, 3) == date(2026, 3, 20)
    assert third_friday(2026, 5) == date(2026, 5, 15)  # May 1st 2026 is a Friday
    assert (month_number("mar"), month_number("December"), month_number("XYZ")) == (3, 12, None)


@pytest.mark.parametrize(
    ("symbol", "future"),
    [("ESH26", True), ("/MESM6", True), ("@NQZ25", True), ("AAPL", False), ("ESH2026", False)],
)
def test_compact_futures_codes(symbol: str, future: bool) -> None:
    assert is_compact_future(symbol) is future


@pytest.mark.parametrize(
    ("symbol", "pair"),
    [
        ("EURUSD", ("EUR", "USD")),
        ("eurusd", ("EUR", "USD")),
        ("EUR/USD", ("EUR", "USD")),
        ("EURUSD.m", ("EUR", "USD")),
        ("GBPJPYpro", ("GBP", "JPY")),
        ("XAUUSD", None),
        ("US30", None),
        ("EURUSD_LONGSUFFIX", ("EUR", "USD")),
        ("EUREUR", None),
        ("EURUSDABCDE", None),
    ],
)
def test_currency_pairs(symbol: str, pair: tuple[str, str] | None) -> None:
    assert forex_pair(symbol) == pair


@pytest.mark.parametrize(
    ("symbol", "asset_class", "currency", "size", "known"),
    [
        ("EURUSD", AssetClass.FOREX, "USD", 100000, True),
        ("usdjpy", AssetClass.FOREX, "JPY", 100000, True),
        ("XAUUSD", AssetClass.FOREX, "USD", 100, True),
        ("XAGUSD", AssetClass.FOREX, "USD", 5000, True),
        ("BTCUSD", AssetClass.CRYPTO, "USD", 1, True),
        ("ETHUSDT", AssetClass.CRYPTO, "USDT", 1, True),
        ("GER40", AssetClass.STOCK, "EUR", 1, False),
    ],
)
def test_lot_contract_sizes(
    symbol: str, asset_class: AssetClass, currency: str, size: int, known: bool
) -> None:
    spec, found = lot_instrument(symbol, "EUR")
    assert (spec.symbol, spec.asset_class, spec.currency) == (symbol.upper(), asset_class, currency)
    assert (spec.multiplier, found) == (Decimal(size), known)
