"""TradeStation order exports laid out as real ones are, with invented figures.

Layouts seen in public material (reference only, nothing copied):

- the Order History export of TradeStation's current platforms, as a public TradeStation
  journal's CSV parser (TypeScript, papaparse; found by its "Make sure you're uploading a
  TradeStation Order History export" message) reads it: `Order ID, Symbol, Side, Type, Qty,
  Filled Qty, Limit Price, Stop Price, Avg Fill Price, Status, Open Time, Close Time, Duration,
  Commission Fee, Expiration Date`, times `MM/DD/YYYY HH:mm:ss`. That parser notes the captions
  changed from Title Case to Sentence case (`Quantity`, `Filled quantity`, `Avg fill price`,
  `Open time`, `Close time`, `Commission fee`). `Type` is the order type there (Market, Limit,
  Stop Market), `Side` the direction; the fill time is `Close Time`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import parse_text, utc

FMT = "tradestation"
D = Decimal

ORDER_HISTORY = (
    "Order ID,Symbol,Side,Type,Qty,Filled Qty,Limit Price,Stop Price,Avg Fill Price,Status,"
    "Open Time,Close Time,Duration,Commission Fee,Expiration Date\n"
    "812345671,MESM26,Buy,Market,2,2,,,5612.25,Filled,"
    "03/04/2026 09:31:02,03/04/2026 09:31:02,Day,1.24,\n"
    "812345690,MESM26,Sell,Limit,2,2,5618.50,,5618.50,Filled,"
    "03/04/2026 09:35:10,03/04/2026 09:47:33,Day,1.24,\n"
    "812345702,MESM26,Sell,Stop Market,2,0,,5600.00,,Canceled,"
    "03/04/2026 09:35:10,03/04/2026 09:47:33,Day,0,\n"
)
SENTENCE_CASE = {
    "Qty,Filled Qty": "Quantity,Filled quantity",
    "Limit Price,Stop Price,Avg Fill Price": "Limit price,Stop price,Avg fill price",
    "Open Time,Close Time": "Open time,Close time",
    "Commission Fee,Expiration Date": "Commission fee,Expiration date",
}


def _sentence_case(text: str) -> str:
    for old, new in SENTENCE_CASE.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("text", [ORDER_HISTORY, _sentence_case(ORDER_HISTORY)])
def test_the_order_history_export_is_detected_and_read_at_close_time(text: str) -> None:
    parsed = parse_text(text, "OrderHistory.csv")
    assert parsed.format_name == FMT
    got = [
        (e.broker_execution_id, e.side, e.quantity, e.price, e.executed_at, e.commission, e.line)
        for e in parsed.executions
    ]
    # Times are EST (UTC-5) on 4 March; the cancelled stop filled nothing and is skipped.
    assert got == [
        ("812345671", Side.BUY, D(2), D("5612.25"), utc(2026, 3, 4, 14, 31, 2), D("1.24"), 2),
        ("812345690", Side.SELL, D(2), D("5618.50"), utc(2026, 3, 4, 14, 47, 33), D("1.24"), 3),
    ]
    assert {e.instrument.asset_class for e in parsed.executions} == {AssetClass.FUTURE}
    # MES is $5 a point: 6.25 points x 2 contracts = $62.50 gross, $2.48 commission.
    buy, sell = parsed.executions
    assert (sell.price - buy.price) * 2 * 5 == D("62.50")
    assert buy.commission + sell.commission == D("2.48")
