"""The shared machinery of record repositories: versioned writes with audit entries.

Repositories are the only code that holds SQL. Each write (create, update, delete) runs in a
transaction, raises the record's version, stamps the changed fields with the device's hybrid
logical clock, and appends an audit entry with the previous and new values.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from journal_desktop.domain.hlc import HybridLogicalClock
from journal_desktop.domain.records import META_FIELDS, Record
from journal_desktop.domain.versioning import stamp_new, stamp_update, tombstone
from journal_desktop.storage.audit import AuditLog
from journal_desktop.storage.codec import Column, decode_stamps, encode_stamps
from journal_desktop.storage.database import Database, Row
from journal_desktop.storage.errors import RecordNotFound, VaultError

R = TypeVar("R", bound=Record)

_META_COLUMNS = ("id", "version", "deleted", "stamps", "updated_hlc")


class ConcurrentChange(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"This {what} was changed elsewhere since it was read; reload it and apply the "
            "change again."
        )


#: Where the newest stamp this device issued is kept (see StorageContext.remember_clock).
CLOCK_SETTING = "internal.hlc_last"


class StorageContext:
    """What every repository needs: the database, the device's clock and the audit log."""

    def __init__(self, db: Database, clock: HybridLogicalClock, audit: AuditLog) -> None:
        self.db = db
        self.clock = clock
        self.audit = audit

    def remember_clock(self) -> None:
        """Store the newest stamp with the change that used it, in the same transaction.

        After a crash and a wall clock that went backwards, the next stamp still sorts after
        every stamp already stored, so last-writer-wins never prefers an older edit.
        """
        self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (CLOCK_SETTING, str(self.clock.last)),
        )


class RecordRepository(Generic[R]):
    """Stores one record type in one table. Subclasses name the table, class and columns."""

    table: str
    record_type: str
    human_name: str
    record_class: type[R]
    columns: tuple[Column, ...]
    #: Fields wiped (to these values) when a record is deleted, so its text does not linger.
    purge_on_delete: ClassVar[dict[str, object]] = {}

    def __init__(self, context: StorageContext) -> None:
        self._ctx = context
        self._column_names = (
            _META_COLUMNS + tuple(c.field for c in self.columns) + tuple(self.derived_columns())
        )
        selected = ", ".join(_META_COLUMNS + tuple(c.field for c in self.columns))
        self._select = f"SELECT {selected} FROM {self.table}"
        placeholders = ", ".join("?" for _ in self._column_names)
        self._insert = (
            f"INSERT INTO {self.table} ({', '.join(self._column_names)}) VALUES ({placeholders})"
        )
        assignments = ", ".join(f"{name} = ?" for name in self._column_names[1:])
        self._update = f"UPDATE {self.table} SET {assignments} WHERE id = ? AND version = ?"

    @property
    def db(self) -> Database:
        return self._ctx.db

    # -- encoding ---------------------------------------------------------------------------

    def derived_columns(self) -> Sequence[str]:
        """Extra columns computed from the record (e.g. integer money for SQL sums)."""
        return ()

    def derived_values(self, record: R) -> Sequence[Any]:
        return ()

    def encode(self, record: R) -> list[Any]:
        updated = max(record.stamps.values(), default="")
        values: list[Any] = [
            str(record.id),
            record.version,
            1 if record.deleted else 0,
            encode_stamps(record.stamps),
            updated,
        ]
        values.extend(c.encode(getattr(record, c.field)) for c in self.columns)
        values.extend(self.derived_values(record))
        return values

    def decode(self, row: Row) -> R:
        fields = {c.field: c.decode(row[i + 5]) for i, c in enumerate(self.columns)}
        return self.record_class(
            id=uuid.UUID(row[0]),
            version=int(row[1]),
            deleted=bool(row[2]),
            stamps=decode_stamps(row[3]),
            **fields,
        )

    def audit_values(self, record: R, fields: Iterable[str] | None = None) -> dict[str, Any]:
        """The record's values as stored (exact text), for the audit log."""
        chosen = set(fields) if fields is not None else None
        values: dict[str, Any] = {"version": record.version, "deleted": record.deleted}
        for column in self.columns:
            if chosen is None or column.field in chosen:
                values[column.field] = column.encode(getattr(record, column.field))
        return values

    # -- reading ----------------------------------------------------------------------------

    def get(self, record_id: uuid.UUID, *, include_deleted: bool = False) -> R | None:
        row = self.db.query_one(f"{self._select} WHERE id = ?", (str(record_id),))
        if row is None:
            return None
        record = self.decode(row)
        if record.deleted and not include_deleted:
            return None
        return record

    def require(self, record_id: uuid.UUID) -> R:
        record = self.get(record_id)
        if record is None:
            raise RecordNotFound(f"{self.human_name} with id {record_id}")
        return record

    def list_all(self, *, include_deleted: bool = False, order_by: str = "rowid") -> list[R]:
        where = "" if include_deleted else " WHERE deleted = 0"
        return [self.decode(r) for r in self.db.query(f"{self._select}{where} ORDER BY {order_by}")]

    def _select_where(self, where: str, params: Sequence[Any], order_by: str = "rowid") -> list[R]:
        rows = self.db.query(f"{self._select} WHERE {where} ORDER BY {order_by}", params)
        return [self.decode(r) for r in rows]

    def count(self) -> int:
        return int(self.db.scalar(f"SELECT count(*) FROM {self.table} WHERE deleted = 0"))

    # -- writing ----------------------------------------------------------------------------

    def add(self, record: R) -> R:
        return self.add_many([record])[0]

    def add_many(self, records: Sequence[R]) -> list[R]:
        """Create records in one transaction (all or none), each with its audit entry."""
        stored = [self._prepare_new(r) for r in records]
        with self.db.transaction():
            for record in stored:
                self.check_unique(record)
            self.db.execute_many(self._insert, [self.encode(r) for r in stored])
            self._ctx.audit.append_many(
                [
                    ("create", self.record_type, str(r.id), None, self.audit_values(r))
                    for r in stored
                ]
            )
            self._after_write(stored)
            self._ctx.remember_clock()
        return stored

    def batch_stamps(self) -> tuple[str, str]:
        """(stamps column, updated_hlc) for new records written together by a bulk path: every
        field stamped with one stamp, as `stamp_new` would stamp each record."""
        stamp = str(self._ctx.clock.now())
        fields = [
            f.name for f in dataclasses.fields(self.record_class) if f.name not in META_FIELDS
        ]
        return encode_stamps(dict.fromkeys(fields, stamp)), stamp

    def insert_encoded(self, rows: Sequence[Sequence[Any]]) -> None:
        """Store new records already encoded (`encode` order, version 1, `batch_stamps`).

        For bulk paths only (an import of 100,000 fills): it must run inside the caller's
        transaction, and writes no audit entry per record: the caller audits the batch as a
        whole, in the same transaction. Repositories with side tables (`_after_write`) must
        not use it.
        """
        if not self.db.in_transaction:
            raise RuntimeError("bulk inserts run inside the caller's transaction")
        if rows:
            self.db.execute_many(self._insert, rows)
            self._ctx.remember_clock()

    def _prepare_new(self, record: R) -> R:
        if record.version != 0:
            raise ValueError("a new record must not have a version yet; use update()")
        return stamp_new(record, self._ctx.clock.now())

    def update(self, record: R) -> R:
        """Store a changed record. `record.version` must be the version it was read at."""
        with self.db.transaction():
            previous = self.get(record.id)
            if previous is None:
                raise RecordNotFound(f"{self.human_name} with id {record.id}")
            if previous.version != record.version:
                raise ConcurrentChange(self.human_name)
            stored, changed = stamp_update(previous, record, self._ctx.clock.now())
            if not changed:
                return previous
            self.check_unique(stored)
            self._write_update(previous, stored)
            self._ctx.audit.append(
                "update",
                self.record_type,
                str(record.id),
                self.audit_values(previous, changed),
                self.audit_values(stored, changed),
            )
            self._after_write([stored])
            self._ctx.remember_clock()
        return stored

    def revive(self, record: R) -> R:
        """Store `record` under the id of a deleted record, as that record's next version.

        Trade ids are derived from their opening execution, so re-matching can bring back an
        id whose trade was deleted earlier. Adding it again would collide with the tombstone;
        continuing the tombstone's history keeps one record per id, which sync relies on.
        """
        with self.db.transaction():
            previous = self.get(record.id, include_deleted=True)
            if previous is None or not previous.deleted:
                raise RecordNotFound(f"deleted {self.human_name} with id {record.id}")
            now = self._ctx.clock.now()
            candidate = dataclasses.replace(record, version=previous.version, deleted=False)
            stored, _ = stamp_update(previous, candidate, now)
            stored = dataclasses.replace(stored, stamps={**stored.stamps, "deleted": str(now)})
            self.check_unique(stored)
            self._write_update(previous, stored)
            self._ctx.audit.append(
                "restore",
                self.record_type,
                str(record.id),
                {"version": previous.version, "deleted": True},
                self.audit_values(stored),
            )
            self._after_write([stored])
            self._ctx.remember_clock()
        return stored

    def modify(self, record_id: uuid.UUID, change: Callable[[R], R]) -> R:
        """Read, change and store in one transaction, so no other write slips in between."""
        with self.db.transaction():
            return self.update(change(self.require(record_id)))

    def delete(self, record_id: uuid.UUID) -> R:
        """Replace the record by a tombstone (kept for sync), its private text wiped."""
        with self.db.transaction():
            previous = self.require(record_id)
            stored = tombstone(previous, self._ctx.clock.now(), purge=dict(self.purge_on_delete))
            self._write_update(previous, stored)
            self._ctx.audit.append(
                "delete",
                self.record_type,
                str(record_id),
                self.audit_values(previous),
                {"version": stored.version, "deleted": True},
            )
            self._after_delete(stored)
            self._ctx.remember_clock()
        return stored

    def _write_update(self, previous: R, stored: R) -> None:
        values = self.encode(stored)
        changed = self.db.execute(self._update, [*values[1:], str(stored.id), previous.version])
        if changed != 1:
            raise ConcurrentChange(self.human_name)

    def check_unique(self, record: R) -> None:
        """Raise DuplicateRecord, naming the clash, before the database refuses it less clearly."""

    def _after_write(self, records: Sequence[R]) -> None:
        """Hook for repositories that keep side tables in step."""

    def _after_delete(self, record: R) -> None:
        """Hook for repositories that must drop side data with a delete."""


def replace(record: R, **changes: Any) -> R:
    return dataclasses.replace(record, **changes)
