"""The per-account storage quota: bytes of ciphertext in items and blobs.

Callers hold the account's row lock (the same one pushes take for seq) and pass the change in
stored bytes; a change that would pass the quota is refused with 413 `quota_exceeded`, and one
that frees space is always allowed, so an account over its quota (say, after the operator
lowered it) can still delete its way back under.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from journal_desktop.server.db import accounts
from journal_desktop.server.http import ApiError, unauthorized


def lock_usage(conn: Connection, account_id: str) -> int:
    """The account's stored bytes, taking its row lock (serialises writers on PostgreSQL)."""
    stored = conn.execute(
        select(accounts.c.stored_bytes).where(accounts.c.id == account_id).with_for_update()
    ).scalar()
    if stored is None:  # the account went away under a live token: fail closed
        raise unauthorized()
    return int(stored)


def charged(stored: int, delta: int, quota: int) -> int:
    """The usage after adding `delta` bytes to `stored`, or 413 if that would pass `quota`."""
    if delta > 0 and stored + delta > quota:
        raise ApiError(
            413,
            "quota_exceeded",
            f"this account may store {quota} bytes; {stored} are in use",
        )
    return max(0, stored + delta)


def charge_locked(conn: Connection, account_id: str, stored: int, delta: int, quota: int) -> None:
    """Add `delta` bytes to the account's usage `stored` (what `lock_usage` gave the caller,
    who holds the lock), or raise 413 if that would pass `quota`. The caller takes the lock
    before reading what it changes, or a concurrent writer's change is read stale."""
    if delta == 0:
        return
    usage = charged(stored, delta, quota)
    conn.execute(update(accounts).where(accounts.c.id == account_id).values(stored_bytes=usage))
