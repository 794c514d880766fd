"""Wrapping a 32-byte key under a passphrase: Argon2id, then AES-256-GCM.

Used for the passphrase-mode key file and for backups. The KDF parameters travel with the
wrapped key and are bound into it as associated data, and a floor is enforced on reading, so
an attacker who edits the file can neither weaken the KDF nor swap parameters unnoticed.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from journal_desktop.argon2 import derive_argon2id

#: Never derive with less than this, whatever a file says (64 MiB, 3 passes).
MIN_MEMORY_KIB = 64 * 1024
MIN_ITERATIONS = 3
#: Refuse absurd values that would only serve to hang or exhaust the machine.
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 64
MAX_LANES = 64


class WrappingError(Exception):
    """Raised with a short reason; callers turn it into the right user-facing error."""


class UnwrapFailed(WrappingError):
    """The passphrase is wrong or the wrapped key was altered (GCM cannot tell which)."""


class ParametersTooWeak(WrappingError):
    pass


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    memory_kib: int = MIN_MEMORY_KIB
    iterations: int = MIN_ITERATIONS
    lanes: int = 4

    def check_floor(self) -> None:
        if self.memory_kib < MIN_MEMORY_KIB or self.iterations < MIN_ITERATIONS:
            raise ParametersTooWeak("below the Argon2id floor")
        if (
            self.memory_kib > MAX_MEMORY_KIB
            or self.iterations > MAX_ITERATIONS
            or not 1 <= self.lanes <= MAX_LANES
        ):
            raise ParametersTooWeak("outside the accepted Argon2id range")

    def as_dict(self) -> dict[str, int]:
        return {"memory_kib": self.memory_kib, "iterations": self.iterations, "lanes": self.lanes}


def derive_key(passphrase: str, salt: bytes, params: Argon2Parameters) -> bytes:
    params.check_floor()
    return derive_argon2id(
        passphrase.encode("utf-8"),
        salt,
        memory_kib=params.memory_kib,
        iterations=params.iterations,
        lanes=params.lanes,
        length=32,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise WrappingError("a field is not text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise WrappingError("a field is not base64") from None


def _associated_data(
    purpose: str, context: dict[str, str], params: Argon2Parameters, salt: bytes
) -> bytes:
    bound = {"purpose": purpose, "context": context, "kdf": params.as_dict(), "salt": _b64(salt)}
    return json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()


def wrap_key(
    key: bytes,
    passphrase: str,
    *,
    purpose: str,
    context: dict[str, str],
    params: Argon2Parameters | None = None,
) -> dict[str, Any]:
    """A JSON-ready document holding `key` wrapped under the passphrase.

    `purpose` and `context` (e.g. the vault id) are bound into the ciphertext: a wrapped key
    cannot be moved to another vault or used for another purpose.
    """
    params = params or Argon2Parameters()
    salt = os.urandom(16)
    nonce = os.urandom(12)
    kek = derive_key(passphrase, salt, params)
    wrapped = AESGCM(kek).encrypt(nonce, key, _associated_data(purpose, context, params, salt))
    return {
        "kdf": {"name": "argon2id", **params.as_dict(), "salt": _b64(salt)},
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
        "context": context,
    }


def read_parameters(document: dict[str, Any]) -> tuple[Argon2Parameters, bytes]:
    kdf = document.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
        raise WrappingError("unknown key-derivation function")
    try:
        params = Argon2Parameters(
            memory_kib=int(kdf["memory_kib"]),
            iterations=int(kdf["iterations"]),
            lanes=int(kdf["lanes"]),
        )
    except (KeyError, TypeError, ValueError):
        raise WrappingError("incomplete key-derivation settings") from None
    params.check_floor()
    salt = _unb64(kdf.get("salt"))
    if len(salt) < 16:
        raise ParametersTooWeak("salt too short")
    return params, salt


def unwrap_key(
    document: dict[str, Any], passphrase: str, *, purpose: str, context: dict[str, str]
) -> bytes:
    if document.get("cipher") != "aes-256-gcm":
        raise WrappingError("unknown cipher")
    params, salt = read_parameters(document)
    nonce = _unb64(document.get("nonce"))
    wrapped = _unb64(document.get("wrapped_key"))
    if len(nonce) != 12:
        raise WrappingError("bad nonce")
    kek = derive_key(passphrase, salt, params)
    try:
        key = AESGCM(kek).decrypt(nonce, wrapped, _associated_data(purpose, context, params, salt))
    except InvalidTag:
        raise UnwrapFailed("wrong passphrase or altered key") from None
    if len(key) != 32:
        raise WrappingError("wrapped key has the wrong length")
    return key
