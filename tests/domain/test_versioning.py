"""How a record's version and per-field stamps change: stamp_new, stamp_update, tombstone."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal_desktop.domain import (
    Hlc,
    JournalEntry,
    Mood,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
    record_fields,
    stamp_new,
    stamp_update,
    tombstone,
)

FIRST = Hlc(1_700_000_000_000, 0, "a1")
SECOND = Hlc(1_700_000_000_500, 0, "a1")
THIRD = Hlc(1_700_000_001_000, 3, "b2")


def open_trade() -> Trade:
    return Trade(
        account_id=uuid.uuid4(),
        instrument_id=uuid.uuid4(),
        direction=TradeDirection.SHORT,
        status=TradeStatus.OPEN,
        quantity=Decimal(5),
        entry_price=Decimal("4120.25"),
        opened_at=datetime(2024, 5, 6, 13, 31, tzinfo=UTC),
        notes="faded the gap",
        setup="gap fade",
        mistakes=("sized up",),
    )


def test_record_fields_are_the_data_fields_only() -> None:
    fields = record_fields(Tag(name="x"))
    assert fields == ("name", "color")
    assert not {"id", "version", "deleted", "stamps"} & set(record_fields(open_trade()))


def test_stamp_new_stamps_every_field_and_starts_at_version_one() -> None:
    trade = open_trade()
    stored = stamp_new(trade, FIRST)
    assert stored.version == 1
    assert stored.deleted is False
    assert stored.id == trade.id
    assert dict(stored.stamps) == dict.fromkeys(record_fields(trade), str(FIRST))
    assert dataclasses.replace(stored, version=0, stamps={}) == trade


def test_update_stamps_only_the_changed_fields() -> None:
    stored = stamp_new(open_trade(), FIRST)
    edited = dataclasses.replace(stored, notes="faded the gap; held too long", rating=2)
    result, changed = stamp_update(stored, edited, SECOND)
    assert set(changed) == {"notes", "rating"}
    assert result.version == 2
    assert result.notes == "faded the gap; held too long"
    assert result.rating == 2
    for name, stamp in result.stamps.items():
        assert stamp == (str(SECOND) if name in changed else str(FIRST)), name


def test_a_second_update_keeps_the_earlier_field_stamps() -> None:
    first = stamp_new(open_trade(), FIRST)
    second, _ = stamp_update(first, dataclasses.replace(first, notes="one"), SECOND)
    third, changed = stamp_update(second, dataclasses.replace(second, setup="two"), THIRD)
    assert changed == ("setup",)
    assert third.version == 3
    assert third.stamps["notes"] == str(SECOND)
    assert third.stamps["setup"] == str(THIRD)
    assert third.stamps["quantity"] == str(FIRST)


def test_an_unchanged_update_keeps_the_version_and_stamps() -> None:
    stored = stamp_new(open_trade(), FIRST)
    result, changed = stamp_update(stored, dataclasses.replace(stored), SECOND)
    assert changed == ()
    assert result is stored
    assert result.version == 1


def test_equal_decimal_with_other_trailing_zeros_is_not_a_change() -> None:
    stored = stamp_new(open_trade(), FIRST)
    same = dataclasses.replace(stored, entry_price=Decimal("4120.2500"))
    _, changed = stamp_update(stored, same, SECOND)
    assert changed == ()


def test_update_must_keep_the_id() -> None:
    stored = stamp_new(Tag(name="x"), FIRST)
    other = dataclasses.replace(stored, id=uuid.uuid4(), name="y")
    with pytest.raises(ValueError, match="id"):
        stamp_update(stored, other, SECOND)


def test_tombstone_purges_private_text_and_stamps_the_delete() -> None:
    stored = stamp_new(
        JournalEntry(
            day=date(2024, 5, 6), plan="only A+ setups", review="revenge trade", mood=Mood.BAD
        ),
        FIRST,
    )
    dead = tombstone(stored, SECOND, purge={"plan": "", "review": "", "mood": None})
    assert dead.deleted is True
    assert dead.version == stored.version + 1
    assert dead.id == stored.id
    assert (dead.plan, dead.review, dead.mood) == ("", "", None)
    assert dead.day == stored.day  # not purged
    assert dead.stamps["plan"] == dead.stamps["review"] == dead.stamps["mood"] == str(SECOND)
    assert dead.stamps["deleted"] == str(SECOND)
    assert dead.stamps["day"] == str(FIRST)


def test_tombstone_without_purge_keeps_the_values() -> None:
    stored = stamp_new(Tag(name="breakout", color="#00ff00"), FIRST)
    dead = tombstone(stored, SECOND, purge={})
    assert (dead.name, dead.color, dead.deleted) == ("breakout", "#00ff00", True)
    assert dead.stamps["name"] == str(FIRST)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "plan": st.text(max_size=20),
            "review": st.text(max_size=20),
            "mood": st.none() | st.sampled_from(Mood),
        },
    )
)
def test_changed_fields_are_exactly_those_that_differ(changes: dict[str, object]) -> None:
    stored = stamp_new(JournalEntry(day=date(2024, 1, 2), plan="p", review="r"), FIRST)
    result, changed = stamp_update(stored, dataclasses.replace(stored, **changes), SECOND)  # type: ignore[arg-type]
    differing = {name for name, value in changes.items() if getattr(stored, name) != value}
    assert set(changed) == differing
    assert result.version == (2 if differing else 1)
    assert {n for n, s in result.stamps.items() if s == str(SECOND)} == differing
