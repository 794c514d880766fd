"""The trade list query: filters, full-text search, whitelisted sorts and pages, on a real vault."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest

from journal_desktop.domain.records import Tag, TradeDirection, TradeStatus
from journal_desktop.storage.trade_list import (
    DateField,
    Outcome,
    SortKey,
    TradeListFilter,
    TradeListQuery,
    TradeSort,
    fts_prefix_query,
)
from journal_desktop.storage.vault import Vault
from tests.storage.trade_factory import START, TradeSet, add_trades, net_of

COUNT = 300
NOTES = {
    7: "Waited for the zebra pattern to confirm.",
    120: "Chased the entry; no plan at all.",
    121: "A calm, planned entry.",
}


@pytest.fixture
def data(vault: Vault) -> TradeSet:
    return add_trades(vault, COUNT, NOTES)


def numbers(data: TradeSet, query: TradeListQuery) -> list[int]:
    index = {t.id: i for i, t in enumerate(data.trades)}
    return [index[row.id] for row in query.page(0, query.count())]


def test_default_order_is_newest_open_first_and_pages_tile_the_list(
    vault: Vault, data: TradeSet
) -> None:
    query = TradeListQuery(vault.db)
    assert query.count() == COUNT
    assert numbers(data, query) == list(reversed(range(COUNT)))
    tiled = [row.id for offset in range(0, COUNT, 40) for row in query.page(offset, 40)]
    assert tiled == [t.id for t in reversed(data.trades)]
    assert len(query.page(COUNT - 5, 40)) == 5
    assert query.page(COUNT + 10, 40) == []
    with pytest.raises(ValueError):
        query.page(-1, 10)


def test_a_row_carries_the_display_values(vault: Vault, data: TradeSet) -> None:
    tag = vault.tags.add(Tag(name="a+ setup"))
    other = vault.tags.add(Tag(name="Momentum"))
    trade = data.trades[7]
    vault.trades.update(dataclasses.replace(trade, tag_ids=(other.id, tag.id)))
    query = TradeListQuery(vault.db, TradeListFilter(search="zebra"))
    [row] = query.page(0, 10)
    assert row.id == trade.id
    assert (row.account, row.symbol) == ("Swing", "NVDA")
    assert row.direction is TradeDirection.SHORT
    assert row.net_pnl == net_of(7)
    assert row.r_multiple is None  # odd trades have no initial risk
    assert row.tags == "a+ setup, Momentum"
    assert row.has_notes
    assert row.opened_at == START + timedelta(minutes=30 * 7)
    r_row = next(r for r in TradeListQuery(vault.db).page(0, COUNT) if r.id == data.trades[2].id)
    assert r_row.r_multiple == (net_of(2) / 100).quantize(Decimal("0.01"))


@pytest.mark.parametrize("descending", [True, False])
def test_sorting_by_net_pnl(vault: Vault, data: TradeSet, descending: bool) -> None:
    query = TradeListQuery(vault.db, sort=TradeSort(SortKey.NET, descending))
    nets = [row.net_pnl for row in query.page(0, COUNT)]
    assert nets == sorted(nets, reverse=descending)
    assert nets[0] == (max if descending else min)(t.net_pnl for t in data.trades)


def test_every_sort_key_orders_by_its_value(vault: Vault, data: TradeSet) -> None:
    values = {
        SortKey.OPENED: lambda r: r.opened_at,
        SortKey.ACCOUNT: lambda r: r.account,
        SortKey.SYMBOL: lambda r: r.symbol,
        SortKey.QUANTITY: lambda r: r.quantity,
        SortKey.ENTRY: lambda r: r.entry_price,
        SortKey.SIDE: lambda r: r.direction.value,
        SortKey.STATUS: lambda r: r.status.value,
        SortKey.NOTES: lambda r: r.has_notes,
    }
    for key in SortKey:
        rows = TradeListQuery(vault.db, sort=TradeSort(key, False)).page(0, COUNT)
        assert len(rows) == COUNT, key
        if key in values:
            seen = [values[key](r) for r in rows]
            assert seen == sorted(seen), key


def test_missing_values_sort_last_both_ways(vault: Vault, data: TradeSet) -> None:
    for descending in (False, True):
        rows = TradeListQuery(vault.db, sort=TradeSort(SortKey.R, descending)).page(0, COUNT)
        rs = [r.r_multiple for r in rows]
        with_r = [r for r in rs if r is not None]
        assert rs[: len(with_r)] == sorted(with_r, reverse=descending)
        assert all(r is None for r in rs[len(with_r) :])
        closes = [
            r.closed_at
            for r in TradeListQuery(vault.db, sort=TradeSort(SortKey.CLOSED, descending)).page(
                0, COUNT
            )
        ]
        assert closes[-1] is None and closes[0] is not None


def test_sort_keys_outside_the_whitelist_never_reach_sql(vault: Vault, data: TradeSet) -> None:
    with pytest.raises(KeyError):
        TradeListQuery(vault.db, sort=TradeSort("net_pnl_e8; DROP TABLE trades", True)).page(0, 1)  # type: ignore[arg-type]
    assert TradeListQuery(vault.db).count() == COUNT


def test_filters_narrow_the_list(vault: Vault, data: TradeSet) -> None:
    def count(**kwargs: object) -> int:
        return TradeListQuery(vault.db, TradeListFilter(**kwargs)).count()  # type: ignore[arg-type]

    main = data.accounts[0].id
    assert count(account_ids=frozenset({main})) == COUNT // 2
    assert count(symbol="sf") == COUNT // 4  # MSFT, anywhere in the symbol, any case
    assert count(symbol="SF", symbol_prefix=True) == 0
    assert count(symbol="es", symbol_prefix=True) == COUNT // 4
    assert count(symbol="%") == 0  # LIKE wildcards are literal
    assert count(direction=TradeDirection.LONG) == COUNT // 2
    assert count(status=TradeStatus.OPEN) == COUNT // 50
    closed = [t for t in data.trades if t.status is TradeStatus.CLOSED]
    assert count(outcome=Outcome.WIN) == sum(t.net_pnl > 0 for t in closed)
    assert count(outcome=Outcome.LOSS) == sum(t.net_pnl < 0 for t in closed)
    assert count(direction=TradeDirection.LONG, account_ids=frozenset({main})) == COUNT // 2
    assert count(direction=TradeDirection.SHORT, account_ids=frozenset({main})) == 0


def test_date_ranges_on_close_open_or_either(vault: Vault, data: TradeSet) -> None:
    day = date(2024, 1, 3)
    in_day = [t for t in data.trades if t.opened_at.date() == day]
    closed_in_day = [t for t in data.trades if t.closed_at and t.closed_at.date() == day]
    open_in_day = [t for t in in_day if t.status is TradeStatus.OPEN]

    def query(field: DateField) -> set[object]:
        flt = TradeListFilter(date_from=day, date_to=day, date_field=field, tz=UTC)
        return {r.id for r in TradeListQuery(vault.db, flt).page(0, COUNT)}

    assert query(DateField.OPENED) == {t.id for t in in_day}
    assert query(DateField.CLOSED) == {t.id for t in closed_in_day}
    assert query(DateField.ACTIVITY) == {t.id for t in closed_in_day + open_in_day}
    assert open_in_day  # trade 49 opens that day and is still open
    with pytest.raises(ValueError):
        TradeListFilter(date_from=day, date_to=day - timedelta(days=1))


def test_tag_filter(vault: Vault, data: TradeSet) -> None:
    tag = vault.tags.add(Tag(name="review"))
    for i in (3, 4, 5):
        trade = data.trades[i]
        vault.trades.update(dataclasses.replace(trade, tag_ids=(tag.id,)))
    rows = TradeListQuery(vault.db, TradeListFilter(tag_id=tag.id)).page(0, COUNT)
    assert {r.id for r in rows} == {data.trades[i].id for i in (3, 4, 5)}


def test_full_text_search_over_notes_and_setup(vault: Vault, data: TradeSet) -> None:
    def found(text: str) -> set[int]:
        index = {t.id: i for i, t in enumerate(data.trades)}
        query = TradeListQuery(vault.db, TradeListFilter(search=text))
        return {index[r.id] for r in query.page(0, COUNT)}

    assert found("zebra") == {7}
    assert found("zeb") == {7}  # the last word also matches as a prefix, as the trader types
    assert found("calm entry") == {121}  # every word must match
    assert found("chased calm") == set()
    assert found("entry plan") == {120, 121}  # "plan" also finds "planned"
    assert found("ENTRY") == {120, 121}
    assert found("nothing-like-this") == set()
    assert len(found("pullback")) == COUNT // 3  # the setup is searched too
    for hostile in ('"', "AND OR NOT", "(", "*", "zebra\x00", "NEAR(a b)", "'; DROP TABLE"):
        found(hostile)  # no FTS syntax error escapes
    assert fts_prefix_query("") == '""'


def test_deleted_trades_are_not_listed(vault: Vault, data: TradeSet) -> None:
    gone = data.trades[COUNT - 1]
    vault.trades.delete(gone.id)
    for flt in (TradeListFilter(), TradeListFilter(direction=TradeDirection.SHORT)):
        for key in (SortKey.OPENED, SortKey.CLOSED, SortKey.NET):
            query = TradeListQuery(vault.db, flt, TradeSort(key))
            listed = {r.id for r in query.page(0, COUNT)}
            assert gone.id not in listed
            assert query.count() == len(listed)
    assert TradeListQuery(vault.db).count() == COUNT - 1


def test_the_index_only_order_equals_the_general_one(vault: Vault, data: TradeSet) -> None:
    vault.trades.delete(data.trades[10].id)
    everything = TradeListFilter(
        date_from=date(2020, 1, 1), date_to=date(2030, 1, 1), date_field=DateField.OPENED
    )
    for descending in (True, False):
        fast = TradeListQuery(vault.db, sort=TradeSort(SortKey.OPENED, descending))
        general = TradeListQuery(vault.db, everything, TradeSort(SortKey.OPENED, descending))
        assert fast.unfiltered and not general.unfiltered
        assert list(fast.order()) == list(general.order())


def test_summary_is_exact(vault: Vault, data: TradeSet) -> None:
    summary = TradeListQuery(vault.db, TradeListFilter(direction=TradeDirection.LONG)).summary()
    longs = [t for t in data.trades if t.direction is TradeDirection.LONG]
    assert summary.count == len(longs)
    assert summary.net_pnl == sum(t.net_pnl for t in longs)


def test_position_of_a_trade(vault: Vault, data: TradeSet) -> None:
    query = TradeListQuery(vault.db, sort=TradeSort(SortKey.NET, True))
    best = max(data.trades, key=lambda t: t.net_pnl)
    assert query.position_of(best.id) == 0
    assert query.position_of(data.trades[0].id) is not None
    assert query.position_of(uuid.uuid4()) is None


def test_ids_at_positions_of_the_sorted_list(vault: Vault, data: TradeSet) -> None:
    query = TradeListQuery(vault.db, sort=TradeSort(SortKey.NET, False))
    rows = query.page(0, COUNT)
    assert query.ids_at([5, 0, 299, 400]) == [rows[5].id, rows[0].id, rows[299].id]


def test_a_raw_page_decodes_to_the_same_rows(vault: Vault, data: TradeSet) -> None:
    query = TradeListQuery(vault.db, sort=TradeSort(SortKey.TAGS, False))
    raw = query.raw_page(100, 50)
    assert [raw.decode(i) for i in range(len(raw))] == query.page(100, 50)
    assert len(query.raw_page(COUNT, 10)) == 0
