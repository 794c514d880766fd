"""Bulk tagging: one transaction, through the repositories (versions, stamps, audit)."""

from __future__ import annotations

import uuid

import pytest

from journal_desktop.domain.records import InvalidRecord, Tag
from journal_desktop.storage.tagging import add_tag, remove_tag, tag_names
from journal_desktop.storage.vault import Vault
from tests.storage.trade_factory import TradeSet, add_trades


@pytest.fixture
def data(vault: Vault) -> TradeSet:
    return add_trades(vault, 20)


def audit_count(vault: Vault) -> int:
    return int(vault.db.scalar("SELECT count(*) FROM audit_log"))


def test_adding_a_new_tag_creates_it_and_tags_exactly_those_trades(
    vault: Vault, data: TradeSet
) -> None:
    chosen = [data.trades[i].id for i in (1, 4, 9)]
    before = audit_count(vault)
    result = add_tag(vault, chosen, "  Revenge   trade ")
    assert result.created_tag and result.tag is not None
    assert result.tag.name == "Revenge trade"
    assert (result.changed, result.unchanged, result.missing) == (3, 0, 0)
    for trade in data.trades:
        stored = vault.trades.require(trade.id)
        if trade.id in chosen:
            assert stored.tag_ids == (result.tag.id,)
            assert stored.version == trade.version + 1
            assert "tag_ids" in stored.stamps
        else:
            assert stored.tag_ids == () and stored.version == trade.version
    # One audit entry for the tag and one per changed trade; the chain still verifies.
    assert audit_count(vault) == before + 4
    assert vault.audit.verify().ok


def test_an_existing_tag_is_reused_whatever_its_case_and_tagged_trades_are_left_alone(
    vault: Vault, data: TradeSet
) -> None:
    tag = vault.tags.add(Tag(name="A+ Setup"))
    add_tag(vault, [data.trades[0].id], "a+ setup")
    before = audit_count(vault)
    result = add_tag(vault, [data.trades[0].id, data.trades[1].id, uuid.uuid4()], "A+ SETUP")
    assert result.tag is not None and result.tag.id == tag.id and not result.created_tag
    assert (result.changed, result.unchanged, result.missing) == (1, 1, 1)
    assert audit_count(vault) == before + 1
    assert vault.tags.count() == 1
    assert vault.trades.require(data.trades[0].id).tag_ids == (tag.id,)


def test_removing_a_tag_from_some_trades_keeps_it_elsewhere(vault: Vault, data: TradeSet) -> None:
    other = vault.tags.add(Tag(name="Other"))
    everyone = [t.id for t in data.trades[:5]]
    add_tag(vault, everyone, "Scalp")
    add_tag(vault, everyone[:2], "Other")
    result = remove_tag(vault, [*everyone[:3], data.trades[10].id], "scalp")
    assert (result.changed, result.unchanged, result.missing) == (3, 1, 0)
    scalp = vault.tags.by_name("Scalp")
    assert scalp is not None
    assert vault.trades.require(everyone[0]).tag_ids == (other.id,)
    assert vault.trades.require(everyone[3]).tag_ids == (scalp.id,)
    assert tag_names(vault) == ["Other", "Scalp"]
    nothing = remove_tag(vault, everyone, "no such tag")
    assert nothing.tag is None and nothing.changed == 0


def test_a_failure_half_way_changes_nothing(
    vault: Vault, data: TradeSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = vault.trades.update
    calls = []

    def failing(trade):  # type: ignore[no-untyped-def]
        calls.append(trade.id)
        if len(calls) == 3:
            raise RuntimeError("disk went away")
        return original(trade)

    monkeypatch.setattr(vault.trades, "update", failing)
    before = audit_count(vault)
    with pytest.raises(RuntimeError):
        add_tag(vault, [t.id for t in data.trades[:5]], "Half")
    monkeypatch.undo()
    assert vault.tags.by_name("Half") is None
    assert all(vault.trades.require(t.id).tag_ids == () for t in data.trades)
    assert audit_count(vault) == before


def test_an_empty_name_is_refused(vault: Vault, data: TradeSet) -> None:
    with pytest.raises(InvalidRecord):
        add_tag(vault, [data.trades[0].id], "   ")


def test_progress_is_reported_and_raising_from_it_cancels_everything(
    vault: Vault, data: TradeSet
) -> None:
    seen: list[tuple[int, int]] = []
    add_tag(
        vault, [t.id for t in data.trades[:4]], "Seen", progress=lambda d, n: seen.append((d, n))
    )
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]

    def stop(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        remove_tag(vault, [t.id for t in data.trades[:4]], "Seen", progress=stop)
    assert all(vault.trades.require(t.id).tag_ids for t in data.trades[:4])
