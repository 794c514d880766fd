"""Throttling and temporary lockout of failed sign-ins, by email and by client address.

Each (scope, key) counts failures in a fixed window that opens with the first failure. Once the
count reaches the scope's limit, sign-ins for that email (or from that address) are refused with
429 and `Retry-After` until the window closes. An attempt is counted (`reserve`) before its
secret or code is checked, and given back (`release`) if it was no failure: so a flood of
guesses costs the server one short transaction each, not a hash, and guesses sent together
cannot all pass a check made before any of them was counted. Counters live in the database, so
every process sharing it enforces the same limits; an increment is one atomic upsert.

Each counter also knows how many of its counts are attempts still being checked (`pending`):
`settle` turns one into a failure for good, `release` gives it back. An attempt refused while
the settled failures alone are under the limit was refused only because others for the same
email (or from the same address) are in flight, and may all turn out right a moment later: its
Retry-After is a few seconds, not the rest of the window. The refusal itself is the same.

A success clears the email's counter only: clearing the address's too would let an attacker
with an account of their own reset the limit on the address they guess from.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import Connection, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from journal_desktop.server.db import login_failures
from journal_desktop.server.http import ApiError

EMAIL = "email"
ADDRESS = "address"
#: Registrations per client address (every one counts: each costs an Argon2id hash).
REGISTER = "register"
#: Retry-After (seconds) for an attempt refused only because others are still being checked.
IN_FLIGHT_RETRY_AFTER = 3


@dataclass(frozen=True)
class Limits:
    """How many failures each scope may have in `window` seconds before it is locked."""

    per_email: int = 5
    per_address: int = 20
    window: int = 15 * 60
    #: Registrations (not failures: every attempt) per client address in `window` seconds.
    #: A trading team behind one office address signs up together; a flood of them (each an
    #: Argon2id hash, 0.1 s or so) still cannot keep the hashing busy: 100 in 15 minutes is
    #: about 1% of it.
    registrations_per_address: int = 100

    def limit(self, scope: str) -> int:
        if scope == REGISTER:
            return self.registrations_per_address
        return self.per_email if scope == EMAIL else self.per_address


def key_for(server_secret: bytes, scope: str, value: str) -> bytes:
    message = f"throttle\x00{scope}\x00{value}".encode()
    return hmac.new(server_secret, message, hashlib.sha256).digest()


def record_failure(
    conn: Connection,
    limits: Limits,
    keys: dict[str, bytes],
    now: int,
    *,
    pending: bool = False,
) -> set[str]:
    """Count one failure in each scope (`pending`: an attempt not yet checked, see `reserve`);
    return the scopes this failure has just locked."""
    locked: set[str] = set()
    one = 1 if pending else 0
    for scope, key in keys.items():
        expired = login_failures.c.window_start + limits.window <= now
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(login_failures)
            .values(scope=scope, key=key, window_start=now, failures=1, pending=one)
            .on_conflict_do_update(
                index_elements=[login_failures.c.scope, login_failures.c.key],
                set_={
                    "failures": case((expired, 1), else_=login_failures.c.failures + 1),
                    "pending": case((expired, one), else_=login_failures.c.pending + one),
                    "window_start": case((expired, now), else_=login_failures.c.window_start),
                },
            )
        )
        conn.execute(statement)
        count = conn.execute(
            select(login_failures.c.failures).where(
                login_failures.c.scope == scope, login_failures.c.key == key
            )
        ).scalar_one()
        if count == limits.limit(scope):
            locked.add(scope)
    return locked


def reserve(conn: Connection, limits: Limits, keys: dict[str, bytes], now: int) -> set[str]:
    """Count this attempt as a failure in each scope before its secret is checked, or raise
    429 too_many_attempts (the caller's transaction then rolls the counts back) if a scope
    was already at its limit. Returns the scopes this attempt locks if it does fail.

    Checking first and counting after the Argon2id work let concurrent guesses all pass a
    check made before any of them was counted: 30 parallel wrong sign-ins for one email were
    30 guesses, not 5. Counted first, each attempt holds the counter's row (the write lock on
    SQLite) only for this short transaction, and the sixth sees the fifth's count. An attempt
    that turns out not to be a failure gives its count back with `release`.
    """
    locked = record_failure(conn, limits, keys, now, pending=True)
    refused = False
    wait = 0
    for scope, key in keys.items():
        row = conn.execute(
            select(
                login_failures.c.window_start, login_failures.c.failures, login_failures.c.pending
            ).where(login_failures.c.scope == scope, login_failures.c.key == key)
        ).one()
        if row.failures <= limits.limit(scope):
            continue
        refused = True
        window_left = max(1, row.window_start + limits.window - now)
        if row.failures - row.pending >= limits.limit(scope):  # locked by past failures
            wait = max(wait, window_left)
        else:  # only the attempts in flight fill the limit: they may all turn out right
            wait = max(wait, min(IN_FLIGHT_RETRY_AFTER, window_left))
    if refused:
        raise ApiError(429, "too_many_attempts", headers={"Retry-After": str(wait)})
    return locked


def release(conn: Connection, keys: dict[str, bytes]) -> None:
    """Give back the count `reserve` took, for an attempt that was no failure after all."""
    for scope, key in keys.items():
        conn.execute(
            update(login_failures)
            .where(
                login_failures.c.scope == scope,
                login_failures.c.key == key,
                login_failures.c.failures > 0,
            )
            .values(
                failures=login_failures.c.failures - 1,
                pending=case((login_failures.c.pending > 0, login_failures.c.pending - 1), else_=0),
            )
        )


def settle(conn: Connection, keys: dict[str, bytes]) -> None:
    """The attempt `reserve` counted was a failure: its count stays, no longer in flight."""
    for scope, key in keys.items():
        conn.execute(
            update(login_failures)
            .where(
                login_failures.c.scope == scope,
                login_failures.c.key == key,
                login_failures.c.pending > 0,
            )
            .values(pending=login_failures.c.pending - 1)
        )


def count_registration(conn: Connection, limits: Limits, key: bytes, now: int) -> None:
    """Count a registration from the address `key` names, or raise 429 if the address has
    had its limit in this window. Every attempt counts, whatever its outcome."""
    keys = {REGISTER: key}
    reserve(conn, limits, keys, now)
    settle(conn, keys)


def clear_email(conn: Connection, key: bytes) -> None:
    conn.execute(
        delete(login_failures).where(login_failures.c.scope == EMAIL, login_failures.c.key == key)
    )


def prune(conn: Connection, limits: Limits, now: int) -> None:
    """Drop counters whose window has closed (they would reset on the next failure anyway)."""
    conn.execute(delete(login_failures).where(login_failures.c.window_start + limits.window <= now))
