"""The append-only, hash-chained security audit log, and its verification.

Each entry's hash is an HMAC (keyed by the server secret) over the previous entry's hash and
the entry's own fields, id included. So an edited entry no longer matches its hash, a removed
or reordered one breaks the link to its neighbour, a cut tail no longer matches the stored
head, and nobody holding only the database can forge a consistent chain.

`record` must be called inside the write transaction of the change it describes, so the event
and the change commit (or roll back) together. It locks the head row first, which serialises
appends across server processes (PostgreSQL: row lock; SQLite: the writer lock).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from journal_desktop.server.db import audit_head, security_events

#: The `prev_hash` of the first entry.
GENESIS = b"\x00" * 32
_HEAD_ID = 1

# The events the server records; a closed set, so a typo cannot invent a new kind.
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_IN_THROTTLED = "sign_in_throttled"
ACCOUNT_CREATED = "account_created"
SESSION_REVOKED = "session_revoked"
OTHER_SESSIONS_REVOKED = "other_sessions_revoked"
LOGOUT = "logout"
TOTP_ENABLED = "totp_enabled"
TOTP_DISABLED = "totp_disabled"
RECOVERY_CODE_USED = "recovery_code_used"
CREDENTIALS_CHANGED = "credentials_changed"
ACCOUNT_DELETED = "account_deleted"
#: A wrong current auth secret given to change credentials or delete the account.
REAUTH_FAILED = "reauth_failed"
#: The operator's actions (`journal-server admin`), and a right secret refused while suspended.
ACCOUNT_SUSPENDED = "account_suspended"
ACCOUNT_UNSUSPENDED = "account_unsuspended"
ACCOUNT_DELETED_BY_OPERATOR = "account_deleted_by_operator"
SIGN_IN_SUSPENDED = "sign_in_suspended"
EVENTS = frozenset(
    {
        SIGN_IN,
        SIGN_IN_FAILED,
        SIGN_IN_THROTTLED,
        ACCOUNT_CREATED,
        SESSION_REVOKED,
        OTHER_SESSIONS_REVOKED,
        LOGOUT,
        TOTP_ENABLED,
        TOTP_DISABLED,
        RECOVERY_CODE_USED,
        CREDENTIALS_CHANGED,
        ACCOUNT_DELETED,
        REAUTH_FAILED,
        ACCOUNT_SUSPENDED,
        ACCOUNT_UNSUSPENDED,
        ACCOUNT_DELETED_BY_OPERATOR,
        SIGN_IN_SUSPENDED,
    }
)


def audit_key(server_secret: bytes) -> bytes:
    """The chain's HMAC key, separate from every other use of the server secret."""
    return hmac.new(server_secret, b"audit-chain", hashlib.sha256).digest()


def email_key(server_secret: bytes, email: str) -> bytes:
    """A keyed hash of an email: comparable across events, not reversible without the secret."""
    message = b"audit-email\x00" + email.encode("utf-8")
    return hmac.new(server_secret, message, hashlib.sha256).digest()


@dataclass(frozen=True)
class Entry:
    id: int
    at: int
    account_id: str | None
    email_key: bytes | None
    event: str
    address: str
    device_name: str


def entry_hash(key: bytes, prev_hash: bytes, entry: Entry) -> bytes:
    fields: list[Any] = [
        entry.id,
        entry.at,
        entry.account_id,
        entry.email_key.hex() if entry.email_key is not None else None,
        entry.event,
        entry.address,
        entry.device_name,
    ]
    message = prev_hash + json.dumps(fields, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).digest()


def _locked_head(conn: Connection) -> Any:
    """The head row, locked; created on the first append (race-free: insert-or-ignore)."""
    query = select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == _HEAD_ID)
    head = conn.execute(query.with_for_update()).first()
    if head is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(audit_head)
            .values(id=_HEAD_ID, last_id=0, last_hash=GENESIS)
            .on_conflict_do_nothing(index_elements=[audit_head.c.id])
        )
        head = conn.execute(query.with_for_update()).one()
    return head


def record(
    conn: Connection,
    key: bytes,
    *,
    at: int,
    event: str,
    address: str,
    device_name: str = "",
    account_id: str | None = None,
    email_key: bytes | None = None,
) -> None:
    """Append one event inside the caller's (write) transaction."""
    if event not in EVENTS:
        raise ValueError(f"unknown security event {event!r}")
    head = _locked_head(conn)
    last_id, prev = head.last_id, head.last_hash
    entry = Entry(
        id=last_id + 1,
        at=at,
        account_id=account_id,
        email_key=None if account_id is not None else email_key,
        event=event,
        address=address[:64],
        device_name=device_name[:100],
    )
    digest = entry_hash(key, prev, entry)
    conn.execute(
        security_events.insert().values(
            id=entry.id,
            at=entry.at,
            account_id=entry.account_id,
            email_key=entry.email_key,
            event=entry.event,
            address=entry.address,
            device_name=entry.device_name,
            prev_hash=prev,
            hash=digest,
        )
    )
    conn.execute(
        update(audit_head)
        .where(audit_head.c.id == _HEAD_ID)
        .values(last_id=entry.id, last_hash=digest)
    )


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    problem: str | None = None


def _rows(conn: Connection, batch: int = 1000) -> Iterator[Any]:
    after = 0
    while True:
        rows = conn.execute(
            select(security_events)
            .where(security_events.c.id > after)
            .order_by(security_events.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def verify(conn: Connection, key: bytes) -> Verdict:
    """Walk the whole chain; the first broken link, edited entry or cut tail is reported."""
    prev, expected_id, checked = GENESIS, 1, 0
    for row in _rows(conn):
        if row.id != expected_id:
            return Verdict(False, checked, f"entry {expected_id} is missing (found {row.id})")
        if not hmac.compare_digest(row.prev_hash, prev):
            return Verdict(False, checked, f"entry {row.id} does not follow entry {row.id - 1}")
        entry = Entry(
            row.id, row.at, row.account_id, row.email_key, row.event, row.address, row.device_name
        )
        if not hmac.compare_digest(entry_hash(key, prev, entry), row.hash):
            return Verdict(False, checked, f"entry {row.id} was altered")
        prev, expected_id, checked = row.hash, row.id + 1, checked + 1
    head = conn.execute(select(audit_head).where(audit_head.c.id == _HEAD_ID)).first()
    head_id, head_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    if head_id != checked or not hmac.compare_digest(head_hash, prev):
        return Verdict(False, checked, f"the log ends at entry {checked}, its head says {head_id}")
    return Verdict(True, checked)


def events_of(conn: Connection, account_id: str, limit: int) -> list[Any]:
    """The account's own events, newest first, each with `number`: its place in the account's
    own history (1 for the first).

    The stored id counts the events of every account on the server; handing it out would let
    any user watch how often everyone else signs in, so the number served is per account.
    """
    own = (
        select(
            security_events.c.id,
            func.row_number().over(order_by=security_events.c.id).label("number"),
            security_events.c.at,
            security_events.c.event,
            security_events.c.address,
            security_events.c.device_name,
        )
        .where(security_events.c.account_id == account_id)
        .subquery()
    )
    return list(conn.execute(select(own).order_by(own.c.id.desc()).limit(limit)).all())
