"""The local audit log: an append-only, hash-chained record of every material change.

Each entry's hash covers its own content and the previous entry's hash, so editing, removing
or reordering any entry breaks the chain from that point on, and `verify` says where.
It is written in the same transaction as the change it describes: a change and its audit
entry are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from journal_desktop.storage.database import Database

GENESIS_HASH = "0" * 64


def entry_hash(
    seq: int,
    at: str,
    device: str,
    action: str,
    record_type: str,
    record_id: str,
    previous: str | None,
    new: str | None,
    prev_hash: str,
) -> str:
    material = json.dumps(
        [seq, at, device, action, record_type, record_id, previous, new, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    device: str
    action: str
    record_type: str
    record_id: str
    previous: dict[str, Any] | None
    new: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class AuditVerification:
    entries: int
    problem: str | None = None
    first_bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class AuditLog:
    def __init__(self, db: Database, device: str) -> None:
        self._db = db
        self._device = device

    def _current_head(self) -> tuple[int, str]:
        # Read inside the writing transaction every time: a cached head would outlive a
        # rolled-back transaction and the next entry would link to one that was never stored.
        row = self._db.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))

    def append(
        self,
        action: str,
        record_type: str,
        record_id: str,
        previous: dict[str, Any] | None,
        new: dict[str, Any] | None,
    ) -> None:
        self.append_many([(action, record_type, record_id, previous, new)])

    def append_many(
        self,
        entries: list[tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]],
    ) -> None:
        if not self._db.in_transaction:
            raise RuntimeError("audit entries are written inside the change's transaction")
        seq, prev_hash = self._current_head()
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rows = []
        for action, record_type, record_id, previous, new in entries:
            seq += 1
            previous_text = None if previous is None else canonical_json(previous)
            new_text = None if new is None else canonical_json(new)
            digest = entry_hash(
                seq,
                at,
                self._device,
                action,
                record_type,
                record_id,
                previous_text,
                new_text,
                prev_hash,
            )
            rows.append(
                (
                    seq,
                    at,
                    self._device,
                    action,
                    record_type,
                    record_id,
                    previous_text,
                    new_text,
                    prev_hash,
                    digest,
                )
            )
            prev_hash = digest
        self._db.execute_many(
            "INSERT INTO audit_log (seq, at, device, action, record_type, record_id, "
            "previous, new, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def entries(self, *, limit: int | None = None, newest_first: bool = True) -> list[AuditEntry]:
        order = "DESC" if newest_first else "ASC"
        sql = (
            "SELECT seq, at, device, action, record_type, record_id, previous, new "
            f"FROM audit_log ORDER BY seq {order}"
        )
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [
            AuditEntry(
                seq=int(r[0]),
                at=str(r[1]),
                device=str(r[2]),
                action=str(r[3]),
                record_type=str(r[4]),
                record_id=str(r[5]),
                previous=None if r[6] is None else json.loads(r[6]),
                new=None if r[7] is None else json.loads(r[7]),
            )
            for r in self._db.query(sql, params)
        ]

    def verify(self) -> AuditVerification:
        """Walk the chain in storage order; report the first entry that does not fit."""
        expected_seq = 1
        prev_hash = GENESIS_HASH
        count = 0
        rows = self._db.query(
            "SELECT seq, at, device, action, record_type, record_id, previous, new, "
            "prev_hash, hash FROM audit_log ORDER BY rowid"
        )
        for row in rows:
            seq = int(row[0])
            count += 1
            if seq != expected_seq:
                kind = "missing or reordered" if seq > expected_seq else "reordered or duplicated"
                return AuditVerification(
                    count, f"entry {expected_seq} is {kind} (found entry {seq} in its place)", seq
                )
            if not hmac.compare_digest(str(row[8]), prev_hash):
                return AuditVerification(
                    count, f"entry {seq} does not follow entry {seq - 1} (chain broken)", seq
                )
            digest = entry_hash(
                seq,
                at=str(row[1]),
                device=str(row[2]),
                action=str(row[3]),
                record_type=str(row[4]),
                record_id=str(row[5]),
                previous=None if row[6] is None else str(row[6]),
                new=None if row[7] is None else str(row[7]),
                prev_hash=str(row[8]),
            )
            if not hmac.compare_digest(digest, str(row[9])):
                return AuditVerification(
                    count, f"entry {seq} was altered after it was written", seq
                )
            prev_hash = digest
            expected_seq += 1
        return AuditVerification(count)
