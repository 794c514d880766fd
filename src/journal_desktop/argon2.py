"""Argon2id for every part of the package, one derivation at a time per process.

cryptography (48, on OpenSSL's thread pool) hangs for good when two threads derive with
more than one lane at once: on the server two concurrent sign-ins froze both requests, and a
burst of them left every later sign-in a 500 (MemoryError). The desktop app derives on its
one vault worker, but a backup, an unlock and a key change must never meet in two threads
either, so the server's password hashes and the vault's key wrapping both derive here. One
at a time costs no throughput (one derivation already runs its lanes on several cores) and
bounds the memory a burst can take.
"""

from __future__ import annotations

import threading

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

_ONE_AT_A_TIME = threading.RLock()


def derive_argon2id(
    secret: bytes, salt: bytes, *, memory_kib: int, iterations: int, lanes: int, length: int
) -> bytes:
    kdf = Argon2id(
        salt=salt, length=length, iterations=iterations, lanes=lanes, memory_cost=memory_kib
    )
    with _ONE_AT_A_TIME:
        return kdf.derive(secret)
