"""Importing a broker file into the vault, all or nothing, and undoing an import.

The pipeline (the caller parses with `journal_desktop.importers`, so storage never depends on
broker formats): resolve accounts and instruments -> drop executions already
stored (broker ids, else fingerprints) -> store the new ones with their batch and the original
file -> re-match every touched position into trades, keeping what the trader wrote on them.
It all runs in one transaction: a failure anywhere leaves the vault exactly as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from journal_desktop.domain.contracts import UnknownContract, default_multiplier
from journal_desktop.domain.imported import ImportedExecution, InstrumentSpec, ParsedFile
from journal_desktop.domain.matching import MatchingMethod, match_position
from journal_desktop.domain.records import (
    Account,
    AttachmentOwner,
    ImportBatch,
    Instrument,
    Side,
    Trade,
    TradeStatus,
)
from journal_desktop.storage.errors import VaultError
from journal_desktop.storage.repositories.records import DecimalTexts, IdTexts, utc_text
from journal_desktop.storage.trade_grouping import grouped_trades
from journal_desktop.storage.vault import Vault

MATCHING_METHOD_SETTING = "matching.method"

#: What the trader writes on a trade; matching never changes these, and keeps them by trade id.
ANNOTATION_FIELDS = (
    "notes",
    "tag_ids",
    "setup",
    "mistakes",
    "rating",
    "initial_risk",
    "stop_price",
)


class ImportRejected(VaultError):
    """The file cannot be imported; says where and why. Nothing was stored."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Nothing was imported: {detail}.")


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back after counting everything."""


@dataclass
class ImportSummary:
    filename: str
    format_name: str
    executions_in_file: int = 0
    new_executions: int = 0
    duplicates: int = 0
    accounts_created: list[str] = field(default_factory=list)
    instruments_created: list[str] = field(default_factory=list)
    trades_open: int = 0
    trades_closed: int = 0
    batch_id: uuid.UUID | None = None
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)


def matching_method(vault: Vault) -> MatchingMethod:
    value = vault.settings.get(MATCHING_METHOD_SETTING) or MatchingMethod.FIFO.value
    try:
        return MatchingMethod(value)
    except ValueError:
        return MatchingMethod.FIFO


#: Progress reports come every this many rows, and at each phase's boundaries.
PROGRESS_EVERY = 2_000

#: `progress(done, total)`: called now and then during an import; raising from it cancels the
#: import (its transaction is rolled back and the vault is left as it was).
Progress = Callable[[int, int], None]


def import_parsed(
    vault: Vault,
    parsed: ParsedFile,
    data: bytes,
    filename: str,
    *,
    timezone: str,
    account: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Store one parsed broker file; returns what was (or, with dry_run, would be) added.

    `data` is the original file, kept encrypted with the batch; `timezone` is the zone the
    file was read in, recorded with the batch. `progress`, when given, is called with
    (steps done, steps in all) every `PROGRESS_EVERY` rows and between phases; an exception
    it raises ends the import with nothing stored.
    """
    if not parsed.executions:
        raise ImportRejected(f"{filename}: the file holds no executions")
    summary = ImportSummary(filename=filename, format_name=parsed.format_name, dry_run=dry_run)
    summary.executions_in_file = len(parsed.executions)
    summary.warnings.extend(parsed.warnings)
    report = _Reporter(progress, 3 * len(parsed.executions))
    scratch: list[list[Any] | dict[Any, Any]] = []
    try:
        with vault.transaction():
            _store(vault, parsed, data, filename, timezone, account, summary, report, scratch)
            report.finish()  # inside: raising even here leaves the vault as it was
            if dry_run:
                raise _DryRun()
    except _DryRun:
        summary.batch_id = None
    finally:
        release_gradually(scratch)
    return summary


def release_gradually(containers: list[list[Any] | dict[Any, Any]]) -> None:
    """Free an import's big working lists a slice at a time.

    Dropping a list of 100,000 records frees millions of objects in one C call that holds
    the GIL throughout (100-150 ms here), which freezes the desktop app's window although
    the import runs on a worker thread. Slices of a few thousand free in well under a
    millisecond each, and the interpreter can switch threads between them.
    """
    while containers:
        container = containers.pop()
        if isinstance(container, dict):
            while container:
                for _ in range(min(len(container), _RELEASE_SLICE)):
                    container.popitem()
        else:
            while container:
                del container[-_RELEASE_SLICE:]


#: How many entries `release_gradually` frees at a time (well under a millisecond's work).
_RELEASE_SLICE = 2_000


class _Reporter:
    """Calls the caller's progress function at most every PROGRESS_EVERY steps."""

    __slots__ = ("_callback", "_next", "total")

    def __init__(self, callback: Progress | None, total: int) -> None:
        self._callback = callback
        self.total = total
        self._next = 0

    def __call__(self, done: int, *, force: bool = False) -> None:
        if self._callback is not None and (force or done >= self._next):
            self._next = done + PROGRESS_EVERY
            self._callback(min(done, self.total), self.total)

    def finish(self) -> None:
        self(self.total, force=True)


class _Fresh(NamedTuple):
    """A new execution as matching reads it (the fields of `Execution` it needs)."""

    id: uuid.UUID
    account_id: uuid.UUID
    instrument_id: uuid.UUID
    side: Side
    quantity: Decimal
    price: Decimal
    executed_at: datetime
    commission: Decimal
    fees: Decimal
    deleted: bool = False


def _store(
    vault: Vault,
    parsed: ParsedFile,
    data: bytes,
    filename: str,
    timezone: str,
    account_override: str | None,
    summary: ImportSummary,
    report: _Reporter,
    scratch: list[list[Any] | dict[Any, Any]],
) -> None:
    """`scratch` collects the big working containers, for the caller to release gradually."""
    resolver = _Resolver(vault, summary)
    texts = DecimalTexts()
    ids = IdTexts()
    occurrences: dict[tuple[str, ...], int] = {}
    candidates: list[tuple[str, ImportedExecution, Account, Instrument, tuple[str, ...]]] = []
    scratch += [occurrences, candidates]
    for position, item in enumerate(parsed.executions):
        if position % PROGRESS_EVERY == 0:
            report(position)
        account = resolver.account(account_override or item.account or "Default")
        instrument = resolver.instrument(item.instrument, filename, item.line)
        key = (
            ids(account.id),
            ids(instrument.id),
            utc_text(item.executed_at),
            item.side.value,
            texts(item.quantity),
            texts(item.price),
        )
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        candidates.append((_fingerprint(item, key, occurrence), item, account, instrument, key))
    report(len(candidates), force=True)
    seen = vault.executions.existing_fingerprints([c[0] for c in candidates])
    fresh = [c for c in candidates if c[0] not in seen] if seen else candidates
    scratch.append(fresh)
    summary.duplicates = len(candidates) - len(fresh)
    summary.new_executions = len(fresh)
    if not fresh:
        return
    batch = vault.imports.add_with_file(
        ImportBatch(
            filename=filename.rsplit("/", 1)[-1][:255] or "import",
            format_name=parsed.format_name,
            timezone=timezone,
            imported_at=datetime.now(UTC),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            execution_count=len(fresh),
            duplicate_count=summary.duplicates,
        ),
        data,
    )
    summary.batch_id = batch.id
    # Positions the vault already holds are re-matched from storage as before, so the trades
    # there keep their notes, tags and attachments; the rest are matched from memory.
    positions = {(c[4][0], c[4][1]): (c[2].id, c[3].id) for c in fresh}
    stored_positions = {key for key, ids_ in positions.items() if _position_exists(vault, *ids_)}
    execution_ids: list[str] = []
    by_position = _store_executions(vault, fresh, batch.id, texts, ids, report, execution_ids)
    scratch += [execution_ids, *by_position.values()]
    trades = _TradeCounts()
    done = 2 * len(candidates)
    new_trades: list[Trade] = []
    scratch.append(new_trades)
    method = matching_method(vault)
    for place, executions in by_position.items():
        report(done)
        done += len(executions)
        account_id, instrument_id = positions[place]
        if place in stored_positions:
            trades.add(rematch(vault, [(account_id, instrument_id)]))
        else:
            multiplier = resolver.multiplier(instrument_id)
            new_trades.extend(match_position(executions, multiplier=multiplier, method=method))
    report(done, force=True)
    trade_ids = _store_new_trades(vault, new_trades, texts, ids)
    trades.add(new_trades)
    summary.trades_open = trades.open
    summary.trades_closed = trades.closed
    vault.audit.append(
        "import",
        "import_batch",
        str(batch.id),
        None,
        {
            "filename": batch.filename,
            "format": batch.format_name,
            "sha256": batch.sha256,
            "executions_added": len(fresh),
            "duplicates_skipped": summary.duplicates,
            "execution_ids_sha256": _ids_digest(execution_ids),
            "trades_added": len(trade_ids),
            "trade_ids_sha256": _ids_digest(trade_ids),
            "positions_rematched": len(stored_positions),
            "accounts_created": summary.accounts_created,
            "instruments_created": summary.instruments_created,
        },
    )


def _ids_digest(ids: Iterable[object]) -> str:
    """SHA-256 of the ids (one per line, in the order stored): what the batch's audit entry
    commits to, so the records it summarises can be checked against it later."""
    digest = hashlib.sha256()
    for record_id in ids:
        digest.update(f"{record_id}\n".encode())
    return digest.hexdigest()


def _position_exists(vault: Vault, account_id: uuid.UUID, instrument_id: uuid.UUID) -> bool:
    """Whether the vault holds live executions or trades of this position."""
    params = (str(account_id), str(instrument_id))
    return bool(
        vault.db.query_one(
            "SELECT 1 FROM executions WHERE deleted = 0 AND account_id = ? AND instrument_id = ? "
            "UNION ALL "
            "SELECT 1 FROM trades WHERE deleted = 0 AND account_id = ? AND instrument_id = ? "
            "LIMIT 1",
            params + params,
        )
    )


def _store_executions(
    vault: Vault,
    fresh: Sequence[tuple[str, ImportedExecution, Account, Instrument, tuple[str, ...]]],
    batch_id: uuid.UUID,
    texts: DecimalTexts,
    id_texts: IdTexts,
    report: _Reporter,
    ids: list[str],
) -> dict[tuple[str, str], list[_Fresh]]:
    """Insert the new executions (rows built directly, one stamp for all) and return them,
    in file order, grouped by position (account and instrument id texts); `ids` gets their
    ids in the order stored."""
    stamps, stamp = vault.executions.batch_stamps()
    batch_text = str(batch_id)
    by_position: dict[tuple[str, str], list[_Fresh]] = {}
    offset = len(fresh)
    for start in range(0, len(fresh), PROGRESS_EVERY):
        report(offset + start)
        rows = []
        for fingerprint, item, account, instrument, key in fresh[start : start + PROGRESS_EVERY]:
            execution_id = uuid.uuid4()
            id_text = str(execution_id)
            id_texts.remember(execution_id, id_text)
            ids.append(id_text)
            commission = item.commission
            fees = item.fees
            rows.append(
                (
                    id_text,
                    1,
                    0,
                    stamps,
                    stamp,
                    key[0],
                    key[1],
                    key[3],
                    key[4],
                    key[5],
                    key[2],
                    texts(commission),
                    texts(fees),
                    item.broker_execution_id,
                    batch_text,
                    fingerprint,
                )
            )
            position = (key[0], key[1])
            group = by_position.get(position)
            if group is None:
                group = by_position[position] = []
            group.append(
                _Fresh(
                    execution_id,
                    account.id,
                    instrument.id,
                    item.side,
                    item.quantity,
                    item.price,
                    item.executed_at,
                    commission,
                    fees,
                )
            )
        vault.executions.insert_encoded(rows)
    return by_position


def _store_new_trades(
    vault: Vault, trades: Sequence[Trade], texts: DecimalTexts, ids: IdTexts
) -> list[str]:
    """Insert the trades of positions new to the vault; returns their ids.

    They go in by open time (a stable sort: ties keep their matching order, as `match_all`
    orders them), not position by position: the close and open time indexes then grow at
    their ends instead of at a random page for every row, which measured about a tenth off
    the inserts of 50,000 trades.
    """
    stamps, stamp = vault.trades.batch_stamps()
    in_time_order = sorted(trades, key=_opened_at)
    rows = [vault.trades.encode_new(trade, stamps, stamp, texts, ids) for trade in in_time_order]
    vault.trades.insert_encoded(rows)
    trade_ids = [row[0] for row in rows]
    release_gradually([rows])
    return trade_ids


def _opened_at(trade: Trade) -> datetime:
    return trade.opened_at


class _TradeCounts:
    def __init__(self) -> None:
        self.open = 0
        self.closed = 0

    def add(self, trades: Iterable[Trade]) -> None:
        for trade in trades:
            if trade.status is TradeStatus.OPEN:
                self.open += 1
            else:
                self.closed += 1


def _fingerprint(item: ImportedExecution, key: tuple[str, ...], occurrence: int) -> str:
    """Broker id when the file has one; otherwise the fill's facts and which identical fill
    of this file it is, so two genuinely identical fills are both kept, once each.

    The material is the JSON text of `["fill", *key, occurrence]` (or of `["broker-id",
    account, id]`); every part of a fill's key is ASCII without quotes or backslashes (ids,
    UTC time text, side, canonical decimals), so its JSON is written directly.
    """
    if item.broker_execution_id:
        material = json.dumps(["broker-id", key[0], item.broker_execution_id])
    else:
        material = (
            f'["fill", "{key[0]}", "{key[1]}", "{key[2]}", "{key[3]}", "{key[4]}", '
            f'"{key[5]}", {occurrence}]'
        )
    return hashlib.sha256(material.encode()).hexdigest()


class _Resolver:
    """Finds or creates the accounts and instruments a file names, once per import."""

    def __init__(self, vault: Vault, summary: ImportSummary) -> None:
        self._vault = vault
        self._summary = summary
        self._accounts: dict[str, Account] = {}
        self._instruments: dict[InstrumentSpec, Instrument] = {}
        self._by_identity: dict[int, Instrument] = {}
        self._specs: list[InstrumentSpec] = []
        self._multipliers: dict[uuid.UUID, Decimal] = {}

    def multiplier(self, instrument_id: uuid.UUID) -> Decimal:
        return self._multipliers[instrument_id]

    def account(self, name: str) -> Account:
        known = self._accounts.get(name)
        if known is None:
            found = self._vault.accounts.by_name(name)
            if found is None:
                found = self._vault.accounts.add(Account(name=name, broker_account_id=name))
                self._summary.accounts_created.append(name)
            known = self._accounts[name] = found
        return known

    def instrument(self, spec: InstrumentSpec, filename: str, line: int) -> Instrument:
        # Importers share one spec object between the rows of one instrument (and the parsed
        # file keeps every spec alive throughout), so its identity finds it without hashing
        # the spec's eight fields on every row.
        found = self._by_identity.get(id(spec))
        if found is None:
            found = self._instruments.get(spec)
            if found is None:
                found = self._instruments[spec] = self._find_or_create(spec, filename, line)
                self._multipliers[found.id] = found.multiplier
            self._by_identity[id(spec)] = found
            self._specs.append(spec)  # kept alive, so its id is never reused meanwhile
        return found

    def _find_or_create(self, spec: InstrumentSpec, filename: str, line: int) -> Instrument:
        for candidate in self._vault.instruments.by_symbol(spec.symbol):
            if (
                candidate.asset_class is spec.asset_class
                and candidate.expiry == spec.expiry
                and candidate.strike == spec.strike
                and candidate.option_right == spec.option_right
                and candidate.currency == spec.currency
            ):
                return candidate
        try:
            multiplier = default_multiplier(spec)
        except UnknownContract as error:
            raise ImportRejected(f"{filename}, line {line}: {error}") from None
        created = self._vault.instruments.add(spec.instrument(multiplier))
        self._summary.instruments_created.append(spec.symbol)
        return created


def rematch(vault: Vault, positions: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> list[Trade]:
    """Rebuild the trades of these positions from their executions; returns the live trades.

    Trades keep their ids (derived from the opening execution), and with them the trader's
    notes, tags and ratings. A trade that no longer exists after re-matching hands its notes
    to the new trade that took over its opening execution, so no writing is silently lost.
    """
    method = matching_method(vault)
    result: list[Trade] = []
    with vault.transaction():
        for account_id, instrument_id in sorted(positions, key=lambda p: (str(p[0]), str(p[1]))):
            instrument = vault.instruments.require(instrument_id)
            executions = vault.executions.for_position(account_id, instrument_id)
            matched = match_position(executions, multiplier=instrument.multiplier, method=method)
            # The trader's splits and merges of this position (see storage.trade_grouping).
            matched = grouped_trades(
                vault, matched, executions, multiplier=instrument.multiplier, method=method
            )
            existing = {t.id: t for t in vault.trades.for_position(account_id, instrument_id)}
            result.extend(_reconcile(vault, matched, existing))
    return result


def _reconcile(
    vault: Vault, matched: Sequence[Trade], existing: dict[uuid.UUID, Trade]
) -> list[Trade]:
    kept: list[Trade] = []
    new: list[Trade] = []
    matched_ids = {t.id for t in matched}
    orphans = [t for t in existing.values() if t.id not in matched_ids]
    for trade in matched:
        previous = existing.get(trade.id)
        if previous is None:
            new.append(_inherit(trade, orphans))
            continue
        annotations = {name: getattr(previous, name) for name in ANNOTATION_FIELDS}
        updated = dataclasses.replace(
            trade, version=previous.version, stamps=previous.stamps, **annotations
        )
        kept.append(vault.trades.update(updated))
    # A trade whose id was deleted before (its opening fill once closed another position)
    # continues that tombstone's history instead of colliding with it.
    revived = [vault.trades.revive(t) for t in new if _is_tombstone(vault, t.id)]
    fresh = [t for t in new if t.id not in {r.id for r in revived}]
    stored_new = [*revived, *(vault.trades.add_many(fresh) if fresh else [])]
    for orphan in orphans:
        heir = next((t for t in (*kept, *stored_new) if _shares_fill(t, orphan)), None)
        if heir is not None:
            _move_attachments(vault, orphan.id, heir.id)
        vault.trades.delete(orphan.id)
    return [*kept, *stored_new]


def _is_tombstone(vault: Vault, trade_id: uuid.UUID) -> bool:
    stored = vault.trades.get(trade_id, include_deleted=True)
    return stored is not None and stored.deleted


def _inherit(trade: Trade, orphans: Sequence[Trade]) -> Trade:
    """A new trade takes the annotations of a vanished trade that shared its fills."""
    for orphan in orphans:
        if _shares_fill(trade, orphan) and any(getattr(orphan, name) for name in ANNOTATION_FIELDS):
            return dataclasses.replace(
                trade, **{name: getattr(orphan, name) for name in ANNOTATION_FIELDS}
            )
    return trade


def _shares_fill(a: Trade, b: Trade) -> bool:
    return bool({f.execution_id for f in a.fills} & {f.execution_id for f in b.fills})


def _move_attachments(vault: Vault, from_trade: uuid.UUID, to_trade: uuid.UUID) -> None:
    for attachment in vault.attachments.for_owner(AttachmentOwner.TRADE, from_trade):
        vault.attachments.update(dataclasses.replace(attachment, owner_id=to_trade))


@dataclass(frozen=True)
class UndoSummary:
    batch_id: uuid.UUID
    filename: str
    executions_removed: int
    trades_remaining: int


def undo_import(vault: Vault, batch_id: uuid.UUID) -> UndoSummary:
    """Remove one import's executions (as tombstones), its file, and re-match what remains."""
    with vault.transaction():
        batch = vault.imports.require(batch_id)
        executions = vault.executions.in_batch(batch_id)
        positions = {(e.account_id, e.instrument_id) for e in executions}
        for execution in executions:
            vault.executions.delete(execution.id)
        remaining = rematch(vault, positions)
        vault.imports.delete(batch_id)
    return UndoSummary(batch.id, batch.filename, len(executions), len(remaining))
