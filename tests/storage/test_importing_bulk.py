"""The import's bulk path on the real SQLCipher vault: what it stores equals what the record
path stores (rows, trades, fingerprints), it audits each batch once, keeps what the trader
wrote when new fills re-match a stored position, and a cancelled import changes nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from journal_desktop.domain.hlc import Hlc
from journal_desktop.domain.imported import ImportedExecution, InstrumentSpec
from journal_desktop.domain.matching import match_all
from journal_desktop.domain.records import (
    AssetClass,
    AttachmentOwner,
    Fill,
    Side,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.domain.versioning import stamp_new
from journal_desktop.importers import parse_file
from journal_desktop.storage import Vault, codec
from journal_desktop.storage.importing import (
    PROGRESS_EVERY,
    ImportSummary,
    Progress,
    _fingerprint,
    import_parsed,
    undo_import,
)
from journal_desktop.storage.repositories.records import (
    DecimalTexts,
    IdTexts,
    e8_units,
    utc_text,
)

HEADER = "Date,Time,Symbol,Quantity,Price,Side,Commission,TransFee\n"


def _file(rows: int, *, symbols: tuple[str, ...] = ("AAPL", "MSFT", "ES")) -> bytes:
    start = datetime(2026, 3, 2, 9, 30)
    lines = [HEADER]
    for n in range(rows):
        when = start + timedelta(seconds=13 * n)
        symbol = symbols[(n // 2) % len(symbols)]
        side = "Buy" if n % 2 == 0 else "Sell"
        lines.append(
            f"{when:%m/%d/%Y},{when:%H:%M:%S},{symbol},{1 + n % 3},{100 + n % 7}.{n % 100:02d},"
            f"{side},1.00,0.013\n"
        )
    return "".join(lines).encode()


def _import(
    vault: Vault,
    data: bytes,
    name: str = "f.csv",
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    parsed = parse_file(data, name, format_name="generic")
    return import_parsed(
        vault, parsed, data, name, timezone="America/New_York", dry_run=dry_run, progress=progress
    )


def test_stored_rows_decode_and_equal_what_the_record_path_would_store(vault: Vault) -> None:
    summary = _import(vault, _file(600))
    assert summary.new_executions == 600
    executions = vault.executions.list_all()
    assert len(executions) == 600
    for execution in executions:
        row = vault.db.query_one(f"{vault.executions._select} WHERE id = ?", (str(execution.id),))
        assert row is not None
        assert vault.executions.encode(execution) == list(row)  # version 1, stamps as stamp_new
    multipliers = {i.id: i.multiplier for i in vault.instruments.list_all()}
    expected = match_all(executions, multipliers)
    stored = sorted(vault.trades.list_all(), key=lambda t: (t.opened_at, str(t.id)))
    assert len(stored) == summary.trades_open + summary.trades_closed
    assert [dataclasses.replace(t, version=0, stamps={}) for t in stored] == sorted(
        expected, key=lambda t: (t.opened_at, str(t.id))
    )
    for trade in stored:
        row = vault.db.query_one(
            "SELECT gross_pnl_e8, fees_e8, net_pnl_e8 FROM trades WHERE id = ?", (str(trade.id),)
        )
        assert row == (
            codec.to_e8(trade.gross_pnl),
            codec.to_e8(trade.fees),
            codec.to_e8(trade.net_pnl),
        )


def test_the_fast_trade_encoding_is_the_repository_encoding(vault: Vault) -> None:
    opened = datetime(2026, 3, 2, 14, 30, 0, 123456, tzinfo=UTC)
    base = Trade(
        account_id=uuid.uuid4(),
        instrument_id=uuid.uuid4(),
        direction=TradeDirection.SHORT,
        status=TradeStatus.CLOSED,
        quantity=Decimal("1.50"),
        entry_price=Decimal("4100.25"),
        exit_price=Decimal("4090"),
        opened_at=opened,
        closed_at=opened + timedelta(minutes=3),
        gross_pnl=Decimal("15.375"),
        fees=Decimal("0.123456789"),  # beyond 8 places: the e8 column rounds
        net_pnl=Decimal("15.251543211"),
        fills=(Fill(uuid.uuid4(), Decimal("1.5")), Fill(uuid.uuid4(), Decimal("1.50"))),
        notes='Said "no"\n',
        tag_ids=(uuid.uuid4(),),
        setup="ORB",
        mistakes=("late", "größe"),
        rating=3,
        initial_risk=Decimal("20.0"),
        stop_price=Decimal("4110"),
    )
    open_trade = dataclasses.replace(
        base, status=TradeStatus.OPEN, exit_price=None, closed_at=None, fills=(), tag_ids=()
    )
    tiny = dataclasses.replace(base, gross_pnl=Decimal("-0E-12"), net_pnl=Decimal("1E+3"))
    stamps, stamp = vault.trades.batch_stamps()
    for trade in (base, open_trade, tiny):
        stamped = stamp_new(trade, _parse_stamp(stamp))
        assert list(vault.trades.encode_new(trade, stamps, stamp, DecimalTexts())) == (
            vault.trades.encode(stamped)
        )
        ids = IdTexts()
        for fill in trade.fills:
            ids.remember(fill.execution_id, str(fill.execution_id))
        assert list(vault.trades.encode_new(trade, stamps, stamp, DecimalTexts(), ids)) == (
            vault.trades.encode(stamped)
        )


def _parse_stamp(text: str) -> Hlc:
    return Hlc.parse(text)


@pytest.mark.parametrize(
    "value",
    ["0", "-0.00", "12.5", "1E+3", "0.000000015", "0.123456785", "92233720368.54775807", "-1E-20"],
)
def test_e8_units_and_utc_text_are_the_codec_values(value: str) -> None:
    assert e8_units(Decimal(value)) == codec.to_e8(Decimal(value))
    when = datetime(2026, 3, 2, 14, 30, 5, 7, tzinfo=UTC)
    assert utc_text(when) == codec.enc_utc(when)
    assert utc_text(datetime(999, 1, 2, tzinfo=UTC)) == codec.enc_utc(
        datetime(999, 1, 2, tzinfo=UTC)
    )


def test_fingerprints_keep_their_json_form() -> None:
    item = ImportedExecution(
        account="A",
        instrument=InstrumentSpec("AAPL", AssetClass.STOCK),
        side=Side.BUY,
        quantity=Decimal("100"),
        price=Decimal("10.5"),
        executed_at=datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
    )
    key = (
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        "2026-03-02T14:30:00.000000Z",
        "buy",
        "100",
        "10.5",
    )
    material = json.dumps(["fill", *key, 3])
    assert _fingerprint(item, key, 3) == hashlib.sha256(material.encode()).hexdigest()
    with_id = dataclasses.replace(item, broker_execution_id='id "1"')
    material = json.dumps(["broker-id", key[0], 'id "1"'])
    assert _fingerprint(with_id, key, 0) == hashlib.sha256(material.encode()).hexdigest()


def test_one_audit_entry_per_batch_that_says_what_it_added(vault: Vault) -> None:
    before = len(vault.audit.entries())
    summary = _import(vault, _file(300))
    entries = vault.audit.entries(newest_first=False)[before:]
    (batch_entry,) = [e for e in entries if e.action == "import"]
    assert batch_entry.record_id == str(summary.batch_id)
    assert batch_entry.new is not None
    assert batch_entry.new["executions_added"] == 300
    assert batch_entry.new["trades_added"] == summary.trades_open + summary.trades_closed
    assert summary.batch_id is not None
    ids = [str(e.id) for e in vault.executions.in_batch(summary.batch_id)]
    digest = hashlib.sha256("".join(f"{i}\n" for i in ids).encode()).hexdigest()
    assert batch_entry.new["execution_ids_sha256"] == digest
    assert len(entries) < 20  # the batch, its accounts and instruments: not one per record
    assert vault.audit.verify().ok


def test_reimport_adds_nothing_and_undo_removes_the_batch(vault: Vault) -> None:
    data = _file(120)
    first = _import(vault, data)
    again = _import(vault, data)
    assert (again.new_executions, again.duplicates, again.batch_id) == (0, 120, None)
    assert vault.counts().executions == 120
    assert first.batch_id is not None
    undo_import(vault, first.batch_id)
    assert vault.counts().executions == 0 and vault.counts().trades == 0
    assert vault.audit.verify().ok


def test_the_duplicate_check_finds_every_stored_fill_past_a_query_of_fingerprints(
    vault: Vault,
) -> None:
    """Fingerprints are looked up a few thousand per query: an overlapping export longer than
    two queries adds only its new fills."""
    first = _import(vault, _file(4_100))
    assert first.new_executions == 4_100
    overlapping = _import(vault, _file(4_600), "later.csv")
    assert (overlapping.new_executions, overlapping.duplicates) == (500, 4_100)
    assert vault.counts().executions == 4_600


def test_new_fills_in_a_stored_position_keep_notes_tags_and_screenshots(vault: Vault) -> None:
    opening = HEADER + "03/02/2026,09:31:00,AAPL,100,10,Buy,1,0\n"
    _import(vault, opening.encode(), "a.csv")
    (trade,) = vault.trades.list_all()
    tag = vault.tags.add(Tag(name="breakout"))
    vault.trades.update(dataclasses.replace(trade, notes="held it", tag_ids=(tag.id,), rating=4))
    shot = vault.attachments.attach(
        AttachmentOwner.TRADE, trade.id, "chart.png", "image/png", b"png"
    )
    closing = opening + "03/02/2026,09:45:00,AAPL,100,12,Sell,1,0\n"
    summary = _import(vault, closing.encode(), "b.csv")
    assert (summary.new_executions, summary.trades_closed) == (1, 1)
    (closed,) = vault.trades.list_all()
    assert closed.id == trade.id and closed.status is TradeStatus.CLOSED
    assert (closed.notes, closed.tag_ids, closed.rating) == ("held it", (tag.id,), 4)
    assert closed.net_pnl == Decimal("198")
    assert [a.id for a in vault.attachments.for_owner(AttachmentOwner.TRADE, trade.id)] == [shot.id]
    assert vault.audit.verify().ok


def test_a_progress_callback_that_raises_cancels_the_whole_import(vault: Vault) -> None:
    data = _file(3 * PROGRESS_EVERY)
    counts = vault.counts()
    imports = vault.imports.newest_first()
    calls: list[tuple[int, int]] = []

    class Cancelled(Exception):
        pass

    def cancel_midway(done: int, total: int) -> None:
        calls.append((done, total))
        if done > total // 2:  # in the middle of storing the executions
            raise Cancelled

    with pytest.raises(Cancelled):
        _import(vault, data, progress=cancel_midway)
    assert calls and calls[-1][0] > calls[-1][1] // 2
    assert vault.counts() == counts
    assert vault.imports.newest_first() == imports
    assert vault.audit.verify().ok
    summary = _import(vault, data)  # nothing half-stored blocks a later import
    assert summary.new_executions == 3 * PROGRESS_EVERY


def test_progress_grows_to_its_total(vault: Vault) -> None:
    calls: list[tuple[int, int]] = []
    _import(vault, _file(5000), progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 5000 // PROGRESS_EVERY
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert calls[-1][0] == calls[-1][1] == calls[0][1]


def test_a_dry_run_with_progress_stores_nothing(vault: Vault) -> None:
    counts = vault.counts()
    summary = _import(vault, _file(50), dry_run=True, progress=lambda done, total: None)
    assert summary.new_executions == 50 and summary.batch_id is None
    assert vault.counts() == counts


def test_the_duplicate_check_searches_the_fingerprint_index(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each lookup must be an index search, not a scan of every stored execution."""
    _import(vault, _file(20))
    stored = [e.fingerprint for e in vault.executions.list_all()]
    queries: list[tuple[str, object]] = []
    real_query = vault.db.query

    def recording(sql: str, params: object = ()) -> list[tuple[object, ...]]:
        queries.append((sql, params))
        return real_query(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(vault.db, "query", recording)
    assert vault.executions.existing_fingerprints([*stored[:5], "0" * 64]) == set(stored[:5])
    assert vault.executions.existing_fingerprints([]) == set()
    ((sql, params),) = queries
    plan = real_query(f"EXPLAIN QUERY PLAN {sql}", params)  # type: ignore[arg-type]
    assert any("executions_by_fingerprint" in str(row[-1]) for row in plan)
    assert not any(str(row[-1]).startswith("SCAN executions") for row in plan)


def test_a_progress_callback_that_raises_at_the_very_end_still_cancels(vault: Vault) -> None:
    counts = vault.counts()

    def cancel_at_the_end(done: int, total: int) -> None:
        if done == total:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _import(vault, _file(30), progress=cancel_at_the_end)
    assert vault.counts() == counts
    assert vault.imports.newest_first() == []


def test_release_gradually_empties_every_container() -> None:
    from journal_desktop.storage.importing import release_gradually

    big = list(range(10_007))
    table = {n: str(n) for n in range(5_003)}
    containers: list[list[object] | dict[object, object]] = [big, table, []]  # type: ignore[list-item]
    release_gradually(containers)
    assert containers == [] and big == [] and table == {}
