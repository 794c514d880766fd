"""Argon2id hashes of auth secrets, as PHC strings, verified in constant time.

Uses cryptography's Argon2id (no extra dependency). The encoded string carries its own cost,
so raising the cost later keeps old hashes verifiable.
"""

from __future__ import annotations

import base64
import hmac
import secrets

from journal_desktop.argon2 import derive_argon2id
from journal_desktop.server.settings import PasswordHashing

HASH_BYTES = 32
SALT_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _derive(secret: bytes, salt: bytes, m: int, t: int, p: int, length: int) -> bytes:
    return derive_argon2id(secret, salt, memory_kib=m, iterations=t, lanes=p, length=length)


def hash_secret(secret: bytes, cost: PasswordHashing) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(secret, salt, cost.memory_kib, cost.iterations, cost.lanes, HASH_BYTES)
    return (
        f"$argon2id$v=19$m={cost.memory_kib},t={cost.iterations},p={cost.lanes}"
        f"${_b64(salt)}${_b64(digest)}"
    )


def verify_secret(secret: bytes, encoded: str) -> bool:
    """True if `secret` matches; a malformed hash is a mismatch, never an exception."""
    try:
        _, algorithm, version, params, salt_text, digest_text = encoded.split("$")
        if algorithm != "argon2id" or version != "v=19":
            return False
        values = dict(part.split("=", 1) for part in params.split(","))
        m, t, p = int(values["m"]), int(values["t"]), int(values["p"])
        salt, expected = _unb64(salt_text), _unb64(digest_text)
        actual = _derive(secret, salt, m, t, p, len(expected))
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(actual, expected)
