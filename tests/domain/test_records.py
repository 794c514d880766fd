"""Records refuse values that cannot describe real trading data."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from journal_desktop.domain import (
    Account,
    AssetClass,
    Attachment,
    AttachmentOwner,
    Execution,
    Instrument,
    InvalidRecord,
    JournalEntry,
    Mood,
    Side,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)

OPENED = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
CLOSED = OPENED + timedelta(minutes=45)
DIGEST = "ab" * 32


def make_trade(**changes: Any) -> Trade:
    values: dict[str, Any] = {
        "account_id": uuid.uuid4(),
        "instrument_id": uuid.uuid4(),
        "direction": TradeDirection.LONG,
        "status": TradeStatus.CLOSED,
        "quantity": Decimal(100),
        "entry_price": Decimal("10.00"),
        "exit_price": Decimal("11.50"),
        "opened_at": OPENED,
        "closed_at": CLOSED,
        "gross_pnl": Decimal(150),
        "fees": Decimal("2"),
        "net_pnl": Decimal(148),
    }
    values.update(changes)
    return Trade(**values)


def make_execution(**changes: Any) -> Execution:
    values: dict[str, Any] = {
        "account_id": uuid.uuid4(),
        "instrument_id": uuid.uuid4(),
        "side": Side.BUY,
        "quantity": Decimal(10),
        "price": Decimal("101.25"),
        "executed_at": OPENED,
    }
    values.update(changes)
    return Execution(**values)


def make_attachment(**changes: Any) -> Attachment:
    values: dict[str, Any] = {
        "owner_type": AttachmentOwner.TRADE,
        "owner_id": uuid.uuid4(),
        "filename": "chart.png",
        "media_type": "image/png",
        "size": 1234,
        "sha256": DIGEST,
    }
    values.update(changes)
    return Attachment(**values)


def test_valid_records_are_accepted() -> None:
    make_trade()
    make_trade(status=TradeStatus.OPEN, exit_price=None, closed_at=None)
    make_execution()
    make_attachment()
    Account(name="Main")
    Tag(name="breakout", color="#1a2B3c")
    JournalEntry(day=date(2024, 3, 4), plan="wait for the open", mood=Mood.GOOD)
    Instrument(
        symbol="AAPL  240621C00190000",
        asset_class=AssetClass.OPTION,
        multiplier=Decimal(100),
        underlying="AAPL",
        expiry=date(2024, 6, 21),
        strike=Decimal("190"),
        option_right="C",
    )


@pytest.mark.parametrize("quantity", [Decimal(0), Decimal(-1), Decimal("-0.0001")])
def test_quantity_must_be_positive(quantity: Decimal) -> None:
    with pytest.raises(InvalidRecord, match="quantity"):
        make_execution(quantity=quantity)
    with pytest.raises(InvalidRecord, match="quantity"):
        make_trade(quantity=quantity)


@pytest.mark.parametrize("price", [101.25, 101, "101.25", Decimal("NaN"), Decimal("Infinity")])
def test_prices_must_be_finite_decimals(price: object) -> None:
    with pytest.raises(InvalidRecord, match="price"):
        make_execution(price=price)
    with pytest.raises(InvalidRecord, match="price"):
        make_trade(entry_price=price)
    with pytest.raises(InvalidRecord, match="price"):
        make_trade(exit_price=price)


@pytest.mark.parametrize(
    "field", ["commission", "fees"], ids=["execution commission", "execution fees"]
)
def test_execution_money_must_be_decimal(field: str) -> None:
    with pytest.raises(InvalidRecord):
        make_execution(**{field: 0.5})


@pytest.mark.parametrize("field", ["gross_pnl", "fees", "net_pnl", "initial_risk", "stop_price"])
def test_trade_money_must_be_decimal(field: str) -> None:
    with pytest.raises(InvalidRecord):
        make_trade(**{field: 1.5})


def test_instrument_amounts_must_be_decimal() -> None:
    with pytest.raises(InvalidRecord, match="strike"):
        Instrument(symbol="X", asset_class=AssetClass.OPTION, strike=190.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecord, match="multiplier"):
        Instrument(symbol="X", asset_class=AssetClass.OPTION, multiplier=Decimal(0))
    with pytest.raises(InvalidRecord, match="right"):
        Instrument(symbol="X", asset_class=AssetClass.OPTION, option_right="CALL")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 3, 4, 14, 30),  # naive: no timezone at all
        datetime(2024, 3, 4, 14, 30, tzinfo=timezone(timedelta(hours=2))),  # aware, not UTC
    ],
    ids=["naive", "offset +02:00"],
)
def test_times_must_be_utc(moment: datetime) -> None:
    with pytest.raises(InvalidRecord, match="UTC"):
        make_execution(executed_at=moment)
    with pytest.raises(InvalidRecord, match="UTC"):
        make_trade(opened_at=moment, closed_at=None, status=TradeStatus.OPEN)
    with pytest.raises(InvalidRecord, match="UTC"):
        make_trade(closed_at=moment.replace(year=2025))


def test_a_closed_trade_needs_an_exit() -> None:
    with pytest.raises(InvalidRecord, match="closed trade"):
        make_trade(exit_price=None)
    with pytest.raises(InvalidRecord, match="closed trade"):
        make_trade(closed_at=None)


def test_a_trade_cannot_close_before_it_opens() -> None:
    with pytest.raises(InvalidRecord, match="before it opens"):
        make_trade(closed_at=OPENED - timedelta(seconds=1))


@pytest.mark.parametrize("rating", [0, 1, 5])
def test_ratings_in_range_are_accepted(rating: int) -> None:
    assert make_trade(rating=rating).rating == rating


@pytest.mark.parametrize("rating", [-1, 6, 100])
def test_ratings_out_of_range_are_refused(rating: int) -> None:
    with pytest.raises(InvalidRecord, match="rating"):
        make_trade(rating=rating)


def test_the_same_tag_cannot_be_listed_twice() -> None:
    tag = uuid.uuid4()
    with pytest.raises(InvalidRecord, match="same tag twice"):
        make_trade(tag_ids=(tag, uuid.uuid4(), tag))


@pytest.mark.parametrize("risk", [Decimal(0), Decimal("-100")])
def test_initial_risk_must_be_positive(risk: Decimal) -> None:
    with pytest.raises(InvalidRecord, match="risk"):
        make_trade(initial_risk=risk)


@pytest.mark.parametrize(
    ("net_pnl", "risk", "expected"),
    [
        (Decimal(148), Decimal(100), Decimal("1.48")),
        (Decimal(-50), Decimal(100), Decimal("-0.5")),
        (Decimal(0), Decimal("33.33"), Decimal(0)),
        (Decimal(1), Decimal(3), Decimal(1) / Decimal(3)),
    ],
)
def test_r_multiple_of_a_closed_trade(net_pnl: Decimal, risk: Decimal, expected: Decimal) -> None:
    assert make_trade(net_pnl=net_pnl, initial_risk=risk).r_multiple == expected


def test_r_multiple_needs_a_risk_and_a_closed_trade() -> None:
    assert make_trade().r_multiple is None
    open_trade = make_trade(
        status=TradeStatus.OPEN, exit_price=None, closed_at=None, initial_risk=Decimal(100)
    )
    assert open_trade.r_multiple is None


@pytest.mark.parametrize(
    "filename", ["../secret.png", "shots/chart.png", "C:\\shots\\chart.png", "chart\x00.png"]
)
def test_attachment_filename_must_not_hold_a_path(filename: str) -> None:
    with pytest.raises(InvalidRecord, match="path"):
        make_attachment(filename=filename)


@pytest.mark.parametrize(
    "changes",
    [
        {"filename": ""},
        {"filename": "x" * 256},
        {"size": -1},
        {"size": 64 * 1024 * 1024 + 1},
        {"sha256": "ab" * 31},
        {"sha256": "zz" * 32},  # the right length, but not hex
    ],
    ids=["empty name", "long name", "negative size", "too large", "short digest", "non-hex"],
)
def test_attachment_metadata_is_checked(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidRecord):
        make_attachment(**changes)


@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "#12345G", "123456#"])
def test_tag_colour_must_be_rrggbb(color: str) -> None:
    with pytest.raises(InvalidRecord, match="colour"):
        Tag(name="x", color=color)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_tag_name_must_be_short_text(name: str) -> None:
    with pytest.raises(InvalidRecord):
        Tag(name=name)


@pytest.mark.parametrize("mood", [0, 6, -1, True])
def test_journal_mood_must_be_one_of_the_five(mood: int) -> None:
    with pytest.raises(InvalidRecord, match="mood"):
        JournalEntry(day=date(2024, 3, 4), mood=mood)  # type: ignore[arg-type]


def test_journal_day_must_be_a_date_not_a_time() -> None:
    with pytest.raises(InvalidRecord, match="day"):
        JournalEntry(day=datetime(2024, 3, 4, 9, 0, tzinfo=UTC))


def test_account_needs_a_name() -> None:
    with pytest.raises(InvalidRecord, match="name"):
        Account(name=" ")


def test_version_cannot_be_negative() -> None:
    with pytest.raises(InvalidRecord, match="version"):
        Tag(name="x", version=-1)


def test_records_are_immutable() -> None:
    trade = make_trade()
    with pytest.raises(dataclasses.FrozenInstanceError):
        trade.notes = "edited in place"  # type: ignore[misc]
