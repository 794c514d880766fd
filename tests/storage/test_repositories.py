"""Repositories against a real SQLCipher vault: exact round trips, versions, stamps, deletes,
constraints, all-or-nothing batches, search and the SQL money sums."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal_desktop.domain import (
    Account,
    AssetClass,
    AttachmentOwner,
    Execution,
    Fill,
    Hlc,
    Instrument,
    InvalidRecord,
    JournalEntry,
    Mood,
    Record,
    Side,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
    canonical_decimal,
)
from journal_desktop.storage import KeyEnvironment, Vault
from journal_desktop.storage.errors import DuplicateRecord, RecordNotFound, VaultError
from journal_desktop.storage.repositories import ConcurrentChange
from tests.storage.conftest import TRADE_OPENED, Position, make_trade

TINY = Decimal("0.000000012345678901")
#: The largest magnitude parse_decimal admits, with the most digits it admits.
HUGE = Decimal("123456789012345678.1234567890123456789012")

R = TypeVar("R", bound=Record)

#: Settings for hypothesis tests that write into the test's one vault (fixtures are per test).
vault_examples = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def stored_tombstone(record: R | None) -> R:
    """A record read with include_deleted=True, which must be there and be a tombstone."""
    assert record is not None
    assert record.deleted
    return record


def audit_count(vault: Vault) -> int:
    return int(vault.db.scalar("SELECT count(*) FROM audit_log"))


def assert_same_decimals(read: object, written: object) -> None:
    """Every Decimal field equal in value and in canonical text (nothing went through float)."""
    assert dataclasses.is_dataclass(read)
    for field in dataclasses.fields(read):
        ours, theirs = getattr(read, field.name), getattr(written, field.name)
        if isinstance(theirs, Decimal):
            assert isinstance(ours, Decimal), field.name
            assert ours == theirs, field.name
            assert canonical_decimal(ours) == canonical_decimal(theirs), field.name


# -- round trips ---------------------------------------------------------------------------


def test_account_round_trip(vault: Vault) -> None:
    account = Account(
        name="Swing — Ünïcode ✓", broker="Interactive Brokers", broker_account_id="U1234567"
    )
    stored = vault.accounts.add(dataclasses.replace(account, currency="EUR"))
    assert stored.version == 1
    read = vault.accounts.get(stored.id)
    assert read == stored
    assert read == dataclasses.replace(account, currency="EUR", version=1, stamps=read.stamps)
    assert vault.accounts.by_name("Swing — Ünïcode ✓") == stored


def test_option_instrument_round_trip(vault: Vault) -> None:
    option = Instrument(
        symbol="AAPL  240621C00190000",
        asset_class=AssetClass.OPTION,
        currency="USD",
        multiplier=Decimal(100),
        underlying="AAPL",
        expiry=date(2024, 6, 21),
        strike=Decimal("192.5"),
        option_right="C",
    )
    stored = vault.instruments.add(option)
    read = vault.instruments.get(option.id)
    assert read == stored
    assert (read.expiry, read.strike, read.option_right) == (
        date(2024, 6, 21),
        Decimal("192.5"),
        "C",
    )
    assert read.asset_class is AssetClass.OPTION
    assert vault.instruments.by_symbol("AAPL  240621C00190000") == [stored]


def test_instrument_without_option_fields_round_trip(vault: Vault) -> None:
    stored = vault.instruments.add(Instrument(symbol="EURUSD", asset_class=AssetClass.FOREX))
    read = vault.instruments.get(stored.id)
    assert read == stored
    assert (read.expiry, read.strike, read.option_right) == (None, None, "")


def test_execution_round_trip_keeps_every_digit(vault: Vault, position: Position) -> None:
    execution = Execution(
        account_id=position.account.id,
        instrument_id=position.instrument.id,
        side=Side.SELL,
        quantity=Decimal("0.00012345"),
        price=HUGE,
        executed_at=datetime(2024, 3, 4, 14, 30, 1, 123456, tzinfo=UTC),
        commission=TINY,
        fees=Decimal("-0.35"),  # a rebate
        broker_execution_id="0000e0d5.65e5f0a1.01.01",
        import_batch_id=uuid.uuid4(),
    )
    stored = vault.executions.add(execution)
    read = vault.executions.get(execution.id)
    assert read == stored
    assert_same_decimals(read, execution)
    assert read.executed_at == execution.executed_at
    assert read.executed_at.microsecond == 123456
    assert vault.executions.for_position(position.account.id, position.instrument.id) == [stored]


def test_trade_round_trip_with_fills_tags_mistakes_and_risk(
    vault: Vault, position: Position
) -> None:
    tags = vault.tags.add_many([Tag(name="breakout"), Tag(name="A+", color="#00AA00")])
    fills = (Fill(uuid.uuid4(), Decimal("1.5")), Fill(uuid.uuid4(), TINY))
    trade = make_trade(
        position,
        direction=TradeDirection.SHORT,
        quantity=Decimal("1.500000012345678901"),
        entry_price=HUGE,
        exit_price=Decimal("0.1"),
        opened_at=datetime(2024, 3, 4, 14, 30, 0, 1, tzinfo=UTC),
        closed_at=datetime(2024, 3, 5, 20, 59, 59, 999999, tzinfo=UTC),
        gross_pnl=Decimal("-1234567.12345678"),
        fees=TINY,
        net_pnl=Decimal("92233720368.54775807"),  # the largest amount the SQL sums can hold
        fills=fills,
        notes='Faded the "gap"; 😬 sized up\nsecond line',
        tag_ids=tuple(t.id for t in tags),
        setup="gap fade",
        mistakes=("moved stop", 'chased "FOMO"', "ünïcode"),
        rating=4,
        initial_risk=Decimal("250.005"),
        stop_price=Decimal("5130.0000001"),
    )
    stored = vault.trades.add(trade)
    read = vault.trades.get(trade.id)
    assert read == stored
    assert read == dataclasses.replace(trade, version=1, stamps=read.stamps)
    assert_same_decimals(read, trade)
    assert read.fills == fills
    assert read.fills[1].quantity == TINY
    assert read.tag_ids == trade.tag_ids
    assert read.mistakes == trade.mistakes
    assert read.r_multiple == trade.r_multiple


def test_open_trade_round_trip(vault: Vault, position: Position) -> None:
    trade = make_trade(position, status=TradeStatus.OPEN, exit_price=None, closed_at=None)
    stored = vault.trades.add(trade)
    read = vault.trades.get(trade.id)
    assert read == stored
    assert (read.exit_price, read.closed_at, read.rating, read.initial_risk) == (
        None,
        None,
        None,
        None,
    )


def test_journal_entry_round_trip_with_mood(vault: Vault) -> None:
    entry = JournalEntry(
        day=date(2024, 3, 4),
        plan="# Plan\n- only A+ setups\n- max 3 trades",
        review="Followed the plan. **Good** day.",
        mood=Mood.GOOD,
    )
    stored = vault.journal.add(entry)
    read = vault.journal.get(entry.id)
    assert read == stored
    assert read.mood is Mood.GOOD
    assert vault.journal.for_day(date(2024, 3, 4)) == stored
    assert vault.journal.for_day(date(2024, 3, 5)) is None
    no_mood = vault.journal.add(JournalEntry(day=date(2024, 3, 5)))
    assert vault.journal.require(no_mood.id).mood is None


def test_tag_round_trip(vault: Vault) -> None:
    stored = vault.tags.add(Tag(name="Opening Range", color="#FF8800"))
    assert vault.tags.get(stored.id) == stored
    assert vault.tags.by_name("opening range") == stored


def test_attachment_round_trip_with_bytes(vault: Vault) -> None:
    data = bytes(range(256)) * 1000 + b"\x00"
    owner = uuid.uuid4()
    stored = vault.attachments.attach(AttachmentOwner.TRADE, owner, "chart.png", "image/png", data)
    assert vault.attachments.get(stored.id) == stored
    assert stored.size == len(data)
    assert vault.attachments.data(stored.id) == data
    assert vault.attachments.for_owner(AttachmentOwner.TRADE, owner) == [stored]
    assert vault.attachments.for_owner(AttachmentOwner.JOURNAL_ENTRY, owner) == []
    assert vault.attachments.total_bytes() == len(data)
    empty = vault.attachments.attach(
        AttachmentOwner.JOURNAL_ENTRY, owner, "empty.txt", "text/plain", b""
    )
    assert vault.attachments.data(empty.id) == b""


def test_values_survive_closing_and_reopening(
    vault: Vault, position: Position, key_env: KeyEnvironment
) -> None:
    trade = vault.trades.add(make_trade(position, entry_price=HUGE, fees=TINY, notes="kept"))
    entry = vault.journal.add(JournalEntry(day=date(2024, 1, 2), plan="p", mood=Mood.GREAT))
    vault.close()
    with Vault.open(vault.paths, key_env) as reopened:
        assert reopened.trades.get(trade.id) == trade
        assert reopened.journal.get(entry.id) == entry


@vault_examples
@given(
    quantity=st.decimals(
        min_value=Decimal("1e-18"), max_value=Decimal("999999999999999999"), places=18
    ),
    price=st.decimals(
        min_value=Decimal("-999999999999999999"),
        max_value=Decimal("999999999999999999"),
        places=18,
    ),
    money=st.decimals(
        min_value=Decimal("-92233720368"),
        max_value=Decimal("92233720368"),
        places=18,
    ),
)
def test_any_decimal_reads_back_exactly(
    vault: Vault, position: Position, quantity: Decimal, price: Decimal, money: Decimal
) -> None:
    trade = make_trade(
        position, quantity=quantity, entry_price=price, exit_price=-price, net_pnl=money
    )
    vault.trades.add(trade)
    read = vault.trades.get(trade.id)
    assert read is not None
    assert_same_decimals(read, trade)


# -- versions and per-field stamps ---------------------------------------------------------


def test_version_grows_by_one_per_change(vault: Vault, position: Position) -> None:
    trade = vault.trades.add(make_trade(position, notes="first"))
    assert trade.version == 1
    second = vault.trades.update(dataclasses.replace(trade, notes="second"))
    assert second.version == 2
    third = vault.trades.update(dataclasses.replace(second, rating=3, setup="ORB"))
    assert third.version == 3
    assert vault.trades.get(trade.id) == third
    deleted = vault.trades.delete(trade.id)
    assert deleted.version == 4
    assert stored_tombstone(vault.trades.get(trade.id, include_deleted=True)).version == 4


def test_an_update_that_changes_nothing_keeps_version_and_adds_no_audit(
    vault: Vault, position: Position
) -> None:
    trade = vault.trades.add(make_trade(position))
    before = audit_count(vault)
    same = vault.trades.update(dataclasses.replace(trade, entry_price=Decimal("5120.2500")))
    assert same == trade
    assert same.version == 1
    assert vault.trades.get(trade.id) == trade
    assert audit_count(vault) == before


def test_only_changed_fields_get_a_new_stamp(vault: Vault, position: Position) -> None:
    trade = vault.trades.add(make_trade(position, notes="first"))
    assert len(set(trade.stamps.values())) == 1  # a new record: every field stamped together
    updated = vault.trades.update(dataclasses.replace(trade, notes="second", rating=2))
    read = vault.trades.require(trade.id)
    assert read.stamps == updated.stamps
    new_stamp = read.stamps["notes"]
    assert read.stamps["rating"] == new_stamp
    assert Hlc.parse(new_stamp) > Hlc.parse(trade.stamps["notes"])
    assert Hlc.parse(new_stamp).node == vault.device_id
    for name, stamp in read.stamps.items():
        if name not in ("notes", "rating"):
            assert stamp == trade.stamps[name], name


def test_stamps_keep_rising_across_a_reopen(
    vault: Vault, position: Position, key_env: KeyEnvironment
) -> None:
    trade = vault.trades.add(make_trade(position))
    vault.close()
    with Vault.open(vault.paths, key_env) as reopened:
        updated = reopened.trades.update(dataclasses.replace(trade, notes="after reopen"))
    assert Hlc.parse(updated.stamps["notes"]) > Hlc.parse(trade.stamps["notes"])


# -- optimistic concurrency ----------------------------------------------------------------


def test_updating_a_stale_version_raises_concurrent_change(
    vault: Vault, position: Position
) -> None:
    read_by_a = vault.trades.add(make_trade(position, notes="original"))
    read_by_b = vault.trades.require(read_by_a.id)
    winner = vault.trades.update(dataclasses.replace(read_by_a, notes="edited by A"))
    audit_before = audit_count(vault)
    with pytest.raises(ConcurrentChange):
        vault.trades.update(dataclasses.replace(read_by_b, notes="edited by B"))
    assert vault.trades.get(read_by_a.id) == winner
    assert audit_count(vault) == audit_before


def test_updating_a_record_that_does_not_exist_raises(vault: Vault) -> None:
    with pytest.raises(RecordNotFound):
        vault.tags.update(Tag(name="never stored", version=1))


def test_modify_reads_and_writes_in_one_step(vault: Vault) -> None:
    tag = vault.tags.add(Tag(name="orb"))
    changed = vault.tags.modify(tag.id, lambda t: dataclasses.replace(t, color="#123456"))
    assert changed.version == 2
    assert vault.tags.require(tag.id).color == "#123456"


# -- deletes -------------------------------------------------------------------------------


def test_delete_leaves_a_tombstone_with_the_notes_purged(vault: Vault, position: Position) -> None:
    trade = vault.trades.add(
        make_trade(position, notes="private words", setup="secret setup", mistakes=("x",))
    )
    vault.trades.delete(trade.id)
    assert vault.trades.get(trade.id) is None
    assert vault.trades.count() == 0
    assert vault.trades.list_all() == []
    with pytest.raises(RecordNotFound):
        vault.trades.require(trade.id)
    tombstone = vault.trades.get(trade.id, include_deleted=True)
    assert tombstone is not None
    assert tombstone.deleted is True
    assert (tombstone.notes, tombstone.setup, tombstone.mistakes) == ("", "", ())
    assert tombstone.entry_price == trade.entry_price  # numbers stay for sync; words do not
    assert vault.trades.list_all(include_deleted=True) == [tombstone]
    assert "deleted" in tombstone.stamps
    row = vault.db.query_one("SELECT notes, setup FROM trades WHERE id = ?", (str(trade.id),))
    assert row == ("", "")


def test_a_deleted_record_cannot_be_updated_or_deleted_again(
    vault: Vault, position: Position
) -> None:
    trade = vault.trades.add(make_trade(position))
    tombstone = vault.trades.delete(trade.id)
    with pytest.raises(RecordNotFound):
        vault.trades.update(dataclasses.replace(tombstone, notes="back"))
    with pytest.raises(RecordNotFound):
        vault.trades.delete(trade.id)


def test_deleting_a_journal_entry_purges_plan_review_and_mood(vault: Vault) -> None:
    entry = vault.journal.add(
        JournalEntry(day=date(2024, 3, 4), plan="plan", review="review", mood=Mood.BAD)
    )
    vault.journal.delete(entry.id)
    assert vault.journal.for_day(date(2024, 3, 4)) is None
    tombstone = stored_tombstone(vault.journal.get(entry.id, include_deleted=True))
    assert (tombstone.plan, tombstone.review, tombstone.mood, tombstone.deleted) == (
        "",
        "",
        None,
        True,
    )
    assert tombstone.day == date(2024, 3, 4)


def test_deleting_an_attachment_removes_its_bytes(vault: Vault) -> None:
    attachment = vault.attachments.attach(
        AttachmentOwner.TRADE, uuid.uuid4(), "fill.png", "image/png", b"\x89PNG" + b"\x01" * 5000
    )
    vault.attachments.delete(attachment.id)
    assert vault.attachments.get(attachment.id) is None
    assert stored_tombstone(vault.attachments.get(attachment.id, include_deleted=True)).deleted
    with pytest.raises(RecordNotFound):
        vault.attachments.data(attachment.id)
    assert vault.db.scalar("SELECT count(*) FROM attachment_data") == 0
    assert vault.attachments.total_bytes() == 0


# -- uniqueness ----------------------------------------------------------------------------


def test_one_journal_entry_per_day(vault: Vault) -> None:
    first = vault.journal.add(JournalEntry(day=date(2024, 3, 4), plan="first"))
    before = audit_count(vault)
    with pytest.raises(DuplicateRecord, match="A journal entry for 2024-03-04 already exists"):
        vault.journal.add(JournalEntry(day=date(2024, 3, 4), plan="second"))
    assert vault.journal.count() == 1
    assert vault.journal.for_day(date(2024, 3, 4)) == first
    assert audit_count(vault) == before
    # Once the first is deleted, the day is free again.
    vault.journal.delete(first.id)
    again = vault.journal.add(JournalEntry(day=date(2024, 3, 4), plan="again"))
    assert vault.journal.for_day(date(2024, 3, 4)) == again
    assert vault.audit.verify().ok


@pytest.mark.parametrize("second", ["Breakout", "BREAKOUT", "breakout", "bReAkOuT"])
def test_tag_names_are_unique_ignoring_case(vault: Vault, second: str) -> None:
    first = vault.tags.add(Tag(name="Breakout"))
    before = audit_count(vault)
    with pytest.raises(DuplicateRecord, match="A tag named 'Breakout' already exists"):
        vault.tags.add(Tag(name=second))
    assert vault.tags.list_all() == [first]
    assert audit_count(vault) == before
    vault.tags.delete(first.id)
    assert vault.tags.add(Tag(name=second)).name == second


def test_renaming_a_tag_onto_another_name_is_refused(vault: Vault) -> None:
    vault.tags.add(Tag(name="Breakout"))
    other = vault.tags.add(Tag(name="Reversal"))
    with pytest.raises(DuplicateRecord, match="A tag named 'Breakout'"):
        vault.tags.update(dataclasses.replace(other, name="BREAKOUT"))
    assert vault.tags.get(other.id) == other


# -- batches -------------------------------------------------------------------------------


def test_add_many_is_all_or_nothing(vault: Vault, position: Position) -> None:
    stored = vault.trades.add(make_trade(position, notes="stored earlier"))
    before_audit = audit_count(vault)
    batch = [make_trade(position, notes=f"batch {n}") for n in range(5)]
    # One row points at an account that does not exist: the whole batch must be refused.
    batch[3] = make_trade(position, account_id=uuid.uuid4(), notes="bad row")
    with pytest.raises(VaultError):
        vault.trades.add_many(batch)
    assert vault.trades.list_all() == [stored]
    assert audit_count(vault) == before_audit
    assert vault.trades.search_notes("batch") == []
    # The vault goes on working, and the audit chain is intact.
    vault.trades.add_many([make_trade(position, notes=f"retry {n}") for n in range(5)])
    assert vault.trades.count() == 6
    assert vault.audit.verify().ok


def test_a_reimported_execution_is_refused_with_its_whole_batch(
    vault: Vault, position: Position
) -> None:
    def execution(broker_id: str) -> Execution:
        return Execution(
            account_id=position.account.id,
            instrument_id=position.instrument.id,
            side=Side.BUY,
            quantity=Decimal(1),
            price=Decimal("5000.25"),
            executed_at=TRADE_OPENED,
            broker_execution_id=broker_id,
        )

    vault.executions.add(execution("E1"))
    before = audit_count(vault)
    with pytest.raises(VaultError):
        vault.executions.add_many([execution("E2"), execution("E1"), execution("E3")])
    assert [e.broker_execution_id for e in vault.executions.list_all()] == ["E1"]
    assert audit_count(vault) == before


def test_add_refuses_a_record_that_already_has_a_version(vault: Vault) -> None:
    with pytest.raises(ValueError, match="version"):
        vault.tags.add_many([Tag(name="fine"), Tag(name="stored before", version=3)])
    assert vault.tags.count() == 0


# -- search --------------------------------------------------------------------------------

NOTES = 'Bought the "double bottom" at VWAP; NEAR(open) -- AND/OR NOT: stop* Überraschung'


def test_fts5_is_present_and_used(vault: Vault) -> None:
    assert vault.db.has_fts5()
    names = {r[0] for r in vault.db.query("SELECT name FROM sqlite_master")}
    assert {"trades_fts", "journal_fts"} <= names


@pytest.mark.parametrize(
    "query",
    [
        "double bottom",
        "DOUBLE",
        "vwap",
        '"double bottom"',
        '"double',
        "VWAP;",
        "NEAR(open)",
        "AND",
        "or not",
        "stop*",
        "überraschung",
        "bottom double",  # all words must match, in any order
        "gap fade",  # the setup is searched too
    ],
)
def test_trade_search_finds_notes_words(vault: Vault, position: Position, query: str) -> None:
    hit = vault.trades.add(make_trade(position, notes=NOTES, setup="gap fade"))
    vault.trades.add(make_trade(position, notes="nothing to see", setup="trend"))
    assert vault.trades.search_notes(query) == [hit]


@pytest.mark.parametrize(
    "query",
    ["missing", "double missing", '"', "'", "*", "(", ")", "-", ":", "^", "{a}", "a:b", "NOT"],
)
def test_trade_search_with_no_match_or_only_syntax_returns_nothing(
    vault: Vault, position: Position, query: str
) -> None:
    vault.trades.add(make_trade(position, notes="Bought the double bottom at VWAP"))
    assert vault.trades.search_notes(query) == []


def test_an_empty_search_returns_nothing(vault: Vault, position: Position) -> None:
    vault.trades.add(make_trade(position, notes="anything"))
    assert vault.trades.search_notes("") == []
    assert vault.trades.search_notes("   ") == []
    assert vault.journal.search("") == []


@vault_examples
@given(query=st.text(max_size=30))
def test_search_never_fails_on_any_text(vault: Vault, query: str) -> None:
    assert isinstance(vault.trades.search_notes(query), list)
    assert isinstance(vault.journal.search(query), list)


def test_search_follows_updates_and_deletes(vault: Vault, position: Position) -> None:
    trade = vault.trades.add(make_trade(position, notes="revenge trade"))
    assert vault.trades.search_notes("revenge") == [trade]
    updated = vault.trades.update(dataclasses.replace(trade, notes="patient entry"))
    assert vault.trades.search_notes("revenge") == []
    assert vault.trades.search_notes("patient") == [updated]
    vault.trades.delete(trade.id)
    assert vault.trades.search_notes("patient") == []


def test_journal_search_covers_plan_and_review(vault: Vault) -> None:
    monday = vault.journal.add(
        JournalEntry(day=date(2024, 3, 4), plan="Wait for the ORB", review="chased FOMO")
    )
    tuesday = vault.journal.add(
        JournalEntry(day=date(2024, 3, 5), plan="Only A+ setups", review='followed "the plan"')
    )
    assert vault.journal.search("orb") == [monday]
    assert vault.journal.search("fomo") == [monday]
    assert vault.journal.search('"the plan"') == [tuesday]
    assert vault.journal.search("A+") == [tuesday]
    assert vault.journal.search("the") == [monday, tuesday]
    vault.journal.delete(monday.id)
    assert vault.journal.search("fomo") == []


# -- queries -------------------------------------------------------------------------------


def test_with_tag_lists_live_trades_that_carry_the_tag(vault: Vault, position: Position) -> None:
    orb, fade, unused = vault.tags.add_many([Tag(name="orb"), Tag(name="fade"), Tag(name="x")])
    first = vault.trades.add(make_trade(position, tag_ids=(orb.id,)))
    second = vault.trades.add(
        make_trade(
            position, tag_ids=(fade.id, orb.id), opened_at=TRADE_OPENED + timedelta(minutes=1)
        )
    )
    only_fade = vault.trades.add(make_trade(position, tag_ids=(fade.id,)))
    vault.trades.add(make_trade(position))
    assert vault.trades.with_tag(orb.id) == [first, second]
    assert vault.trades.with_tag(fade.id) == [only_fade, second]
    assert vault.trades.with_tag(unused.id) == []
    vault.trades.delete(first.id)
    assert vault.trades.with_tag(orb.id) == [second]


def test_closed_between_is_start_inclusive_end_exclusive(vault: Vault, position: Position) -> None:
    start = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)

    def closing_at(moment: datetime) -> Trade:
        return vault.trades.add(
            make_trade(position, opened_at=start - timedelta(hours=1), closed_at=moment)
        )

    closing_at(start - timedelta(microseconds=1))
    at_start = closing_at(start)
    inside = closing_at(start + timedelta(minutes=30, microseconds=7))
    closing_at(start + timedelta(hours=1))
    vault.trades.add(make_trade(position, status=TradeStatus.OPEN, exit_price=None, closed_at=None))
    deleted = closing_at(start + timedelta(minutes=5))
    vault.trades.delete(deleted.id)

    end = start + timedelta(hours=1)
    assert vault.trades.closed_between(start, end) == [at_start, inside]
    # The same instants written in another time zone select the same trades.
    plus_two = timezone(timedelta(hours=2))
    assert vault.trades.closed_between(start.astimezone(plus_two), end.astimezone(plus_two)) == [
        at_start,
        inside,
    ]


# -- exact money sums ----------------------------------------------------------------------

money_e8 = st.decimals(min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=8)


@vault_examples
@given(amounts=st.lists(st.tuples(money_e8, money_e8), min_size=1, max_size=20))
def test_net_pnl_e8_sums_equal_the_exact_decimal_sums(
    vault: Vault, position: Position, amounts: list[tuple[Decimal, Decimal]]
) -> None:
    def sums() -> tuple[int, int]:
        row = vault.db.query_one(
            "SELECT coalesce(sum(net_pnl_e8), 0), coalesce(sum(fees_e8), 0) "
            "FROM trades WHERE deleted = 0"
        )
        assert row is not None
        return int(row[0]), int(row[1])

    net_before, fees_before = sums()
    vault.trades.add_many([make_trade(position, net_pnl=net, fees=fees) for net, fees in amounts])
    net_after, fees_after = sums()
    assert Decimal(net_after - net_before) / 10**8 == sum(net for net, _ in amounts)
    assert Decimal(fees_after - fees_before) / 10**8 == sum(fees for _, fees in amounts)


def test_deleted_trades_leave_the_sums(vault: Vault, position: Position) -> None:
    keep = vault.trades.add(make_trade(position, net_pnl=Decimal("100.00000001")))
    gone = vault.trades.add(make_trade(position, net_pnl=Decimal("-55.5")))
    vault.trades.delete(gone.id)
    total = vault.db.scalar("SELECT sum(net_pnl_e8) FROM trades WHERE deleted = 0")
    assert Decimal(total) / 10**8 == keep.net_pnl


@pytest.mark.parametrize(
    "amount", ["92233720368.54775808", "-92233720368.54775809", "1e30", "-1e40"]
)
def test_money_beyond_the_exact_sum_range_is_refused_clearly(
    vault: Vault, position: Position, amount: str
) -> None:
    before = audit_count(vault)
    with pytest.raises(InvalidRecord, match="too large"):
        vault.trades.add(make_trade(position, gross_pnl=Decimal(amount)))
    assert vault.trades.count() == 0
    assert audit_count(vault) == before
