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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from journal_desktop.domain.contracts import UnknownContract, default_multiplier
from journal_desktop.domain.decimals import canonical_decimal
from journal_desktop.domain.imported import ImportedExecution, InstrumentSpec, ParsedFile
from journal_desktop.domain.matching import MatchingMethod, match_position
from journal_desktop.domain.records import (
    Account,
    AttachmentOwner,
    Execution,
    ImportBatch,
    Instrument,
    Trade,
)
from journal_desktop.storage import codec
from journal_desktop.storage.errors import VaultError
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


def import_parsed(
    vault: Vault,
    parsed: ParsedFile,
    data: bytes,
    filename: str,
    *,
    timezone: str,
    account: str | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Store one parsed broker file; returns what was (or, with dry_run, would be) added.

    `data` is the original file, kept encrypted with the batch; `timezone` is the zone the
    file was read in, recorded with the batch.
    """
    if not parsed.executions:
        raise ImportRejected(f"{filename}: the file holds no executions")
    summary = ImportSummary(filename=filename, format_name=parsed.format_name, dry_run=dry_run)
    summary.executions_in_file = len(parsed.executions)
    summary.warnings.extend(parsed.warnings)
    try:
        with vault.transaction():
            _store(vault, parsed, data, filename, timezone, account, summary)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        summary.batch_id = None
    return summary


def _store(
    vault: Vault,
    parsed: ParsedFile,
    data: bytes,
    filename: str,
    timezone: str,
    account_override: str | None,
    summary: ImportSummary,
) -> None:
    resolver = _Resolver(vault, summary)
    occurrences: Counter[tuple[object, ...]] = Counter()
    candidates: list[tuple[str, ImportedExecution, uuid.UUID, Instrument]] = []
    for item in parsed.executions:
        account = resolver.account(account_override or item.account or "Default")
        instrument = resolver.instrument(item.instrument, filename, item.line)
        key = _fill_key(account.id, instrument, item)
        occurrence = occurrences[key]
        occurrences[key] += 1
        candidates.append(
            (_fingerprint(account.id, item, key, occurrence), item, account.id, instrument)
        )
    seen = vault.executions.existing_fingerprints([c[0] for c in candidates])
    fresh = [c for c in candidates if c[0] not in seen]
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
    vault.executions.add_many(
        [
            Execution(
                account_id=account_id,
                instrument_id=instrument.id,
                side=item.side,
                quantity=item.quantity,
                price=item.price,
                executed_at=item.executed_at,
                commission=item.commission,
                fees=item.fees,
                broker_execution_id=item.broker_execution_id,
                import_batch_id=batch.id,
                fingerprint=fingerprint,
            )
            for fingerprint, item, account_id, instrument in fresh
        ]
    )
    positions = {(account_id, instrument.id) for _, _, account_id, instrument in fresh}
    for trade in rematch(vault, positions):
        if trade.status.value == "open":
            summary.trades_open += 1
        else:
            summary.trades_closed += 1


def _fill_key(
    account_id: uuid.UUID, instrument: Instrument, item: ImportedExecution
) -> tuple[object, ...]:
    return (
        str(account_id),
        str(instrument.id),
        codec.enc_utc(item.executed_at),
        item.side.value,
        canonical_decimal(item.quantity),
        canonical_decimal(item.price),
    )


def _fingerprint(
    account_id: uuid.UUID, item: ImportedExecution, key: tuple[object, ...], occurrence: int
) -> str:
    """Broker id when the file has one; otherwise the fill's facts and which identical fill
    of this file it is, so two genuinely identical fills are both kept, once each."""
    if item.broker_execution_id:
        material: list[object] = ["broker-id", str(account_id), item.broker_execution_id]
    else:
        material = ["fill", *key, occurrence]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


class _Resolver:
    """Finds or creates the accounts and instruments a file names, once per import."""

    def __init__(self, vault: Vault, summary: ImportSummary) -> None:
        self._vault = vault
        self._summary = summary
        self._accounts: dict[str, Account] = {}
        self._instruments: dict[InstrumentSpec, Instrument] = {}

    def account(self, name: str) -> Account:
        if name not in self._accounts:
            found = self._vault.accounts.by_name(name)
            if found is None:
                found = self._vault.accounts.add(Account(name=name, broker_account_id=name))
                self._summary.accounts_created.append(name)
            self._accounts[name] = found
        return self._accounts[name]

    def instrument(self, spec: InstrumentSpec, filename: str, line: int) -> Instrument:
        if spec not in self._instruments:
            self._instruments[spec] = self._find_or_create(spec, filename, line)
        return self._instruments[spec]

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
        created = self._vault.instruments.add(
            Instrument(
                symbol=spec.symbol,
                asset_class=spec.asset_class,
                currency=spec.currency,
                multiplier=multiplier,
                underlying=spec.underlying,
                expiry=spec.expiry,
                strike=spec.strike,
                option_right=spec.option_right,
            )
        )
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
    stored_new = vault.trades.add_many(new) if new else []
    for orphan in orphans:
        heir = next((t for t in (*kept, *stored_new) if _shares_fill(t, orphan)), None)
        if heir is not None:
            _move_attachments(vault, orphan.id, heir.id)
        vault.trades.delete(orphan.id)
    return [*kept, *stored_new]


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
