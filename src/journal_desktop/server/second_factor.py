"""TOTP (RFC 6238, via pyotp) and recovery codes: checking and consuming a second factor.

A TOTP code is accepted for the current 30-second step or one step either side (clock drift),
and only for a step later than the last one accepted for the account. Consuming a step is one
conditional UPDATE (`last_step < step`), so two processes racing with the same code cannot both
win. Recovery codes are 80 random bits, stored as HMACs keyed by the server secret, and deleted
when used. Every function here runs inside the caller's write transaction.

The TOTP secret is sealed at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
server secret, with the account id as associated data, so a copy of the database alone cannot
generate codes, and a sealed secret moved to another account's row does not open. The sealed
form (nonce, ciphertext of the 20 raw secret bytes, tag; standard base64) is 64 characters and
fits the column the plain 32-character base32 secret used to; rows from before are sealed when
a server starts (`seal_plaintext_secrets`), and read as they are until then.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
from enum import Enum

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, Engine, delete, select, update

from journal_desktop.server.db import recovery_codes, totp, write_transaction

log = logging.getLogger(__name__)

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


_SEAL_INFO = b"journal-server totp-secret v1"
_NONCE_BYTES = 12
#: pyotp's default: 32 base32 characters, 20 random bytes.
_PLAIN_CHARS = 32
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def sealing_key(server_secret: bytes) -> bytes:
    """The key TOTP secrets are sealed with (HKDF-SHA256 of the server secret)."""
    return HKDF(hashes.SHA256(), 32, salt=None, info=_SEAL_INFO).derive(server_secret)


def _aad(account_id: str) -> bytes:
    return b"totp-secret\x00" + account_id.encode("utf-8")


def seal(key: bytes, account_id: str, secret: str) -> str:
    """The stored form of a base32 `secret` for `account_id`."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, base64.b32decode(secret), _aad(account_id))
    return base64.b64encode(nonce + sealed).decode("ascii")


def is_plain(stored: str) -> bool:
    """A secret stored before sealing existed (32 base32 characters)."""
    return len(stored) == _PLAIN_CHARS and set(stored) <= _BASE32


def unseal(key: bytes, account_id: str, stored: str) -> str | None:
    """The base32 secret, or None if it does not open (wrong key or account: fail closed)."""
    if is_plain(stored):
        return stored
    try:
        data = base64.b64decode(stored, validate=True)
        raw = AESGCM(key).decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], _aad(account_id))
    except (binascii.Error, ValueError, InvalidTag):
        log.error("the TOTP secret of an account does not open: was the server secret changed?")
        return None
    return base64.b32encode(raw).decode("ascii")


def seal_plaintext_secrets(engine: Engine, key: bytes) -> int:
    """Seal every TOTP secret still stored in plain text; returns how many were."""
    with write_transaction(engine) as conn:
        rows = conn.execute(select(totp.c.account_id, totp.c.secret)).all()
        plain = [r for r in rows if is_plain(r.secret)]
        for row in plain:
            conn.execute(
                update(totp)
                .where(totp.c.account_id == row.account_id, totp.c.secret == row.secret)
                .values(secret=seal(key, row.account_id, row.secret))
            )
    return len(plain)


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


def is_enabled(conn: Connection, account_id: str) -> bool:
    """True if the account has TOTP turned on (not merely set up)."""
    enabled = conn.execute(
        select(totp.c.enabled).where(totp.c.account_id == account_id, totp.c.enabled.is_(True))
    ).first()
    return enabled is not None


def consume_totp(conn: Connection, key: bytes, account_id: str, code: str, now: int) -> bool:
    """Accept `code` once: true only if it matches and its step was not used before."""
    row = conn.execute(
        select(totp.c.secret, totp.c.last_step).where(totp.c.account_id == account_id)
    ).first()
    if row is None:
        return False
    secret = unseal(key, account_id, row.secret)
    if secret is None:
        return False
    step = matching_step(secret, code, now, row.last_step)
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


class Verdict(Enum):
    """The second factor of a request whose auth secret was right."""

    PASSED = "passed"  # no second factor on, or a right TOTP code
    RECOVERED = "recovered"  # a right recovery code (now used up)
    REQUIRED = "required"  # TOTP is on and no code came
    WRONG = "wrong"  # a code came and it was wrong (or reused)


def check(
    conn: Connection,
    *,
    key: bytes,
    server_secret: bytes,
    account_id: str,
    totp_code: str | None,
    recovery_code: str | None,
    now: int,
) -> Verdict:
    """Check, and consume, the second factor a request brought, if the account has one on."""
    if not is_enabled(conn, account_id):
        return Verdict.PASSED
    if totp_code is not None:
        ok = consume_totp(conn, key, account_id, totp_code, now)
        return Verdict.PASSED if ok else Verdict.WRONG
    if recovery_code is not None:
        ok = consume_recovery_code(conn, server_secret, account_id, recovery_code)
        return Verdict.RECOVERED if ok else Verdict.WRONG
    return Verdict.REQUIRED
