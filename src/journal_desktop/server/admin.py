"""What the operator does to accounts (`journal-server admin ...`), each step audited.

- list: id, email, created, last sign-in, item count, stored bytes, suspended since.
- suspend: sign-in and every token of the account answer 403 `account_suspended` from then on;
  its sessions are ended (they never come back, not even after unsuspend).
- unsuspend: sign-in works again; the ended sessions are removed.
- delete: everything stored for the account goes; its audit trail stays and records it.

Each change runs in one write transaction with its audit entry, under the account's row lock
(the lock sign-in and pushes take), so a sign-in racing a suspension either finishes first
(and its session is ended with the others) or sees the suspension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, or_, select, update

from journal_desktop.server import audit, throttle
from journal_desktop.server.db import (
    accounts,
    blobs,
    idempotency,
    items,
    manifests,
    recovery_codes,
    security_events,
    sessions,
    totp,
    write_transaction,
)
from journal_desktop.sync.protocol import normalise_email

#: Where an operator's action comes from, in the audit log's address field.
ADMIN_ADDRESS = "admin-cli"


class AccountNotFound(LookupError):
    pass


@dataclass(frozen=True)
class AccountSummary:
    id: str
    email: str
    created_at: int
    last_sign_in: int | None
    items: int
    stored_bytes: int
    suspended_at: int | None


def list_accounts(conn: Connection) -> list[AccountSummary]:
    counts = (
        select(items.c.account_id, func.count().label("n")).group_by(items.c.account_id).subquery()
    )
    sign_ins = (
        select(security_events.c.account_id, func.max(security_events.c.at).label("at"))
        .where(security_events.c.event == audit.SIGN_IN)
        .group_by(security_events.c.account_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            accounts.c.id,
            accounts.c.email,
            accounts.c.created_at,
            sign_ins.c.at,
            func.coalesce(counts.c.n, 0),
            accounts.c.stored_bytes,
            accounts.c.suspended_at,
        )
        .select_from(
            accounts.outerjoin(counts, counts.c.account_id == accounts.c.id).outerjoin(
                sign_ins, sign_ins.c.account_id == accounts.c.id
            )
        )
        .order_by(accounts.c.created_at, accounts.c.email)
    ).all()
    return [AccountSummary(*row) for row in rows]


def _locked_account(conn: Connection, ref: str) -> Any:
    """The account named by id or email, with its row lock; AccountNotFound otherwise."""
    row = conn.execute(
        select(accounts.c.id, accounts.c.email, accounts.c.suspended_at)
        .where(or_(accounts.c.id == ref, accounts.c.email == normalise_email(ref)))
        .with_for_update()
    ).first()
    if row is None:
        raise AccountNotFound(ref)
    return row


def _record(conn: Connection, key: bytes, now: int, event: str, account: str, who: str) -> None:
    audit.record(
        conn,
        key,
        at=now,
        event=event,
        address=ADMIN_ADDRESS,
        device_name=f"operator {who}",
        account_id=account,
    )


def suspend(engine: Engine, audit_key: bytes, ref: str, now: int, operator: str) -> tuple[str, int]:
    """Suspend the account; returns (email, sessions ended). Suspending twice is a no-op."""
    with write_transaction(engine) as conn:
        account = _locked_account(conn, ref)
        if account.suspended_at is not None:
            return account.email, 0
        conn.execute(update(accounts).where(accounts.c.id == account.id).values(suspended_at=now))
        # Ended, not deleted: until unsuspend their tokens still find the account and get the
        # clear 403 account_suspended, rather than a bare 401 that invites signing in again.
        ended = conn.execute(
            update(sessions)
            .where(sessions.c.account_id == account.id, sessions.c.expires_at > now)
            .values(expires_at=now)
        ).rowcount
        _record(conn, audit_key, now, audit.ACCOUNT_SUSPENDED, account.id, operator)
    return account.email, ended


def unsuspend(engine: Engine, audit_key: bytes, ref: str, now: int, operator: str) -> str | None:
    """Lift a suspension; returns the email, or None if the account was not suspended."""
    with write_transaction(engine) as conn:
        account = _locked_account(conn, ref)
        if account.suspended_at is None:
            return None
        conn.execute(update(accounts).where(accounts.c.id == account.id).values(suspended_at=None))
        conn.execute(delete(sessions).where(sessions.c.account_id == account.id))
        _record(conn, audit_key, now, audit.ACCOUNT_UNSUSPENDED, account.id, operator)
    return str(account.email)


def erase_account(conn: Connection, account_id: str) -> None:
    """Delete everything stored for the account (not its audit trail), inside `conn`'s
    transaction. Explicit, account-scoped deletes: correct even where foreign keys do not
    cascade."""
    for table in (blobs, items, manifests, idempotency, recovery_codes, totp, sessions):
        conn.execute(delete(table).where(table.c.account_id == account_id))
    conn.execute(delete(accounts).where(accounts.c.id == account_id))


def delete_account(
    engine: Engine, secret: bytes, audit_key: bytes, ref: str, now: int, operator: str
) -> str:
    """Delete the account and all it stored; returns its email."""
    with write_transaction(engine) as conn:
        account = _locked_account(conn, ref)
        erase_account(conn, account.id)
        throttle.clear_email(conn, throttle.key_for(secret, throttle.EMAIL, account.email))
        _record(conn, audit_key, now, audit.ACCOUNT_DELETED_BY_OPERATOR, account.id, operator)
    return str(account.email)
