"""TOTP (RFC 6238, via pyotp) and recovery codes: checking and consuming a second factor.

A TOTP code is accepted for the current 30-second step or one step either side (clock drift),
and only for a step later than the last one accepted for the account. Consuming a step is one
conditional UPDATE (`last_step < step`), so two processes racing with the same code cannot both
win. Recovery codes are 80 random bits, stored as HMACs keyed by the server secret, and deleted
when used. Every function here runs inside the caller's write transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from sqlalchemy import Connection, delete, select, update

from journal_desktop.server.db import recovery_codes, totp

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def new_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Trading Journal")


def matching_step(secret: str, code: str, now: int, last_step: int) -> int | None:
    """The step `code` belongs to (within the drift window, after `last_step`), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    generator = pyotp.TOTP(secret)
    current = now // STEP_SECONDS
    found: int | None = None
    # Check every candidate (no early exit), comparing in constant time.
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = generator.generate_otp(step)
        if hmac.compare_digest(expected, code) and step > last_step and found is None:
            found = step
    return found


def enabled_secret(conn: Connection, account_id: str) -> tuple[str, int] | None:
    """(secret, last accepted step) if the account has TOTP turned on."""
    row = conn.execute(
        select(totp.c.secret, totp.c.last_step).where(
            totp.c.account_id == account_id, totp.c.enabled.is_(True)
        )
    ).first()
    return (row.secret, row.last_step) if row else None


def consume_totp(conn: Connection, account_id: str, code: str, now: int) -> bool:
    """Accept `code` once: true only if it matches and its step was not used before."""
    row = conn.execute(
        select(totp.c.secret, totp.c.last_step).where(totp.c.account_id == account_id)
    ).first()
    if row is None:
        return False
    step = matching_step(row.secret, code, now, row.last_step)
    if step is None:
        return False
    result = conn.execute(
        update(totp)
        .where(totp.c.account_id == account_id, totp.c.last_step < step)
        .values(last_step=step)
    )
    return result.rowcount == 1


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.upper() if c not in "- ")


def recovery_hash(server_secret: bytes, account_id: str, code: str) -> bytes:
    message = f"recovery\x00{account_id}\x00{normalise_recovery_code(code)}".encode()
    return hmac.new(server_secret, message, hashlib.sha256).digest()


def new_recovery_codes(conn: Connection, server_secret: bytes, account_id: str) -> list[str]:
    """Replace the account's recovery codes with ten fresh ones; only their hashes are kept."""
    conn.execute(delete(recovery_codes).where(recovery_codes.c.account_id == account_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    conn.execute(
        recovery_codes.insert(),
        [
            {"account_id": account_id, "code_hash": recovery_hash(server_secret, account_id, c)}
            for c in codes
        ],
    )
    return codes


def consume_recovery_code(
    conn: Connection, server_secret: bytes, account_id: str, code: str
) -> bool:
    """Use up `code`: true once, false ever after (and for any code never issued)."""
    result = conn.execute(
        delete(recovery_codes).where(
            recovery_codes.c.account_id == account_id,
            recovery_codes.c.code_hash == recovery_hash(server_secret, account_id, code),
        )
    )
    return result.rowcount == 1


def remove(conn: Connection, account_id: str) -> None:
    """Turn two-factor sign-in off: the secret and every recovery code go."""
    conn.execute(delete(recovery_codes).where(recovery_codes.c.account_id == account_id))
    conn.execute(delete(totp).where(totp.c.account_id == account_id))
