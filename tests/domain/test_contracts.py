"""The contract table and symbol recognition: a wrong multiplier makes every P&L figure wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.contracts import (
    POINT_VALUES,
    UnknownContract,
    default_multiplier,
    futures_root,
    point_value,
)
from journal_desktop.domain.imported import InstrumentSpec
from journal_desktop.domain.records import AssetClass

#: The point values the issue requires, as the exchanges publish them.
REQUIRED = {
    "ES": "50",
    "MES": "5",
    "NQ": "20",
    "MNQ": "2",
    "YM": "5",
    "MYM": "0.5",
    "RTY": "50",
    "M2K": "5",
    "CL": "1000",
    "MCL": "100",
    "GC": "100",
    "MGC": "10",
    "SI": "5000",
    "ZB": "1000",
    "ZN": "1000",
    "6E": "125000",
}


@pytest.mark.parametrize(("root", "value"), sorted(REQUIRED.items()))
def test_the_required_point_values(root: str, value: str) -> None:
    assert POINT_VALUES[root] == Decimal(value)


@pytest.mark.parametrize(
    ("root", "value"),
    [
        ("ZF", "1000"),
        ("ZT", "2000"),
        ("ZC", "50"),
        ("ZS", "50"),
        ("ZW", "50"),
        ("NG", "10000"),
        ("HG", "25000"),
        ("6J", "12500000"),
        ("6B", "62500"),
        ("6A", "100000"),
        ("6C", "100000"),
        ("MBT", "0.1"),
        ("BTC", "5"),
        ("MET", "0.1"),
        ("ETH", "50"),
        ("VX", "1000"),
    ],
)
def test_other_common_point_values(root: str, value: str) -> None:
    assert POINT_VALUES[root] == Decimal(value)


def test_every_point_value_is_an_exact_positive_decimal() -> None:
    for root, value in POINT_VALUES.items():
        assert isinstance(value, Decimal), root
        assert value > 0, root


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        POINT_VALUES["ES"] = Decimal(1)  # type: ignore[index]


@pytest.mark.parametrize(
    "symbol",
    [
        "MESH6",  # Tradovate, NinjaTrader, IBKR local symbol
        "MESH26",  # TradeStation
        "/MESH26",  # thinkorswim
        "/MESH26:XCME",  # thinkorswim with the exchange
        "MES 03-26",  # NinjaTrader instrument name
        "MES 03-2026",
        "MES MAR26",
        "MES MAR 26",
        "MES 20MAR26",  # IBKR description
        "MES 202603",  # contract month
        "MESH2026",
        "MES",
        "/MES",
        "@MES",  # TradeStation continuous
        " mesh6 ",
    ],
)
def test_futures_root_reads_the_usual_spellings(symbol: str) -> None:
    assert futures_root(symbol) == "MES"


@pytest.mark.parametrize(
    ("symbol", "root"),
    [
        ("ESZ5", "ES"),  # not MES, not E7
        ("ESH26", "ES"),
        ("@ES", "ES"),
        ("NQM6", "NQ"),
        ("MNQM6", "MNQ"),  # MNQ, not NQ
        ("M2KU5", "M2K"),
        ("RTYU5", "RTY"),
        ("6EH6", "6E"),
        ("M6EH6", "M6E"),  # micro euro, not 6E
        ("SIK6", "SI"),
        ("SILK6", "SIL"),  # micro silver, not SI
        ("MGCQ5", "MGC"),
        ("GCQ5", "GC"),
        ("ZNZ5", "ZN"),  # Z is both a root letter and the December code
        ("ZCZ25", "ZC"),
        ("VXM6", "VX"),  # June VIX, not a malformed mini VIX
        ("VXMM6", "VXM"),
        ("METZ5", "MET"),
        ("ETHZ5", "ETH"),
    ],
)
def test_futures_root_prefers_the_longest_root_followed_by_a_real_expiry(
    symbol: str, root: str
) -> None:
    assert futures_root(symbol) == root


@pytest.mark.parametrize(
    "symbol",
    [
        "AAPL",
        "ESTA",  # a stock ticker that starts like ES
        "MESA6",  # A is not a month code
        "MESH",  # no year
        "MESH206",  # a three-digit year
        "MESH6X",
        "MES FOO",
        "MES 13",
        "QQQ 240621C00450000",
        "",
        "/",
    ],
)
def test_futures_root_refuses_what_is_not_a_known_future(symbol: str) -> None:
    assert futures_root(symbol) is None


def test_point_value_looks_up_the_root() -> None:
    assert point_value("MESH6") == Decimal(5)
    assert point_value("/MYMZ25") == Decimal("0.5")
    assert point_value("6J 06-26") == Decimal(12500000)
    assert point_value("XYZH6") is None


def spec(asset_class: AssetClass, symbol: str, **changes: object) -> InstrumentSpec:
    return InstrumentSpec(symbol=symbol, asset_class=asset_class, **changes)  # type: ignore[arg-type]


def test_the_files_own_multiplier_wins() -> None:
    assert default_multiplier(spec(AssetClass.OPTION, "SPY", multiplier=Decimal(10))) == 10
    assert default_multiplier(spec(AssetClass.FUTURE, "MESH6", multiplier=Decimal(50))) == 50
    assert default_multiplier(spec(AssetClass.FUTURE, "XYZH6", multiplier=Decimal(7))) == 7


@pytest.mark.parametrize("bad", [Decimal(0), Decimal(-5), Decimal("NaN")])
def test_a_multiplier_that_is_not_positive_is_refused(bad: Decimal) -> None:
    with pytest.raises(ValueError, match="SPY"):
        default_multiplier(spec(AssetClass.OPTION, "SPY", multiplier=bad))


def test_options_default_to_100() -> None:
    assert default_multiplier(spec(AssetClass.OPTION, "SPY 240621C00450000")) == Decimal(100)


def test_futures_default_to_the_table() -> None:
    assert default_multiplier(spec(AssetClass.FUTURE, "MNQM6")) == Decimal(2)
    assert default_multiplier(spec(AssetClass.FUTURE, "CL 08-26")) == Decimal(1000)


def test_a_future_whose_symbol_is_unreadable_falls_back_to_its_underlying() -> None:
    described = spec(AssetClass.FUTURE, "MICRO S&P JUN26", underlying="MES")
    assert default_multiplier(described) == Decimal(5)


@pytest.mark.parametrize("asset_class", [AssetClass.STOCK, AssetClass.FOREX, AssetClass.CRYPTO])
def test_stock_forex_and_crypto_default_to_1(asset_class: AssetClass) -> None:
    # ES is also a stock ticker (Eversource): only a future takes the contract table.
    assert default_multiplier(spec(asset_class, "ES")) == Decimal(1)


def test_an_unknown_future_asks_for_its_multiplier() -> None:
    with pytest.raises(UnknownContract, match="give the multiplier") as raised:
        default_multiplier(spec(AssetClass.FUTURE, "XYZH6"))
    assert raised.value.symbol == "XYZH6"
    assert "XYZH6" in str(raised.value)
    assert isinstance(raised.value, ValueError)
