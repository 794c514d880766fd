"""How one server process is configured, and the server secret that keys its HMACs.

A frozen dataclass so a running app never sees its settings change; the clock is a field so
tests can move time (session expiry, idle timeout) instead of sleeping.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from journal_desktop.server.throttle import Limits
from journal_desktop.sync import protocol

SECRET_FILE = "server-secret"  # noqa: S105 (a file name, not a secret)
SECRET_BYTES = 32
DEFAULT_BODY_TIMEOUT = 30.0


@dataclass(frozen=True)
class PasswordHashing:
    """Server-side Argon2id cost for hashing auth secrets (not the client KDF floor)."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None
    max_body_bytes: int = protocol.MAX_BODY_BYTES
    #: Most bytes of ciphertext (items plus blobs) one account may store; beyond it, 413.
    quota_bytes: int = protocol.DEFAULT_QUOTA_BYTES
    max_blob_bytes: int = protocol.MAX_BLOB_BYTES
    #: A pull page stops before its ciphertext passes this (it holds at least one item).
    max_page_bytes: int = protocol.MAX_BODY_BYTES
    #: A request body must be all in this many seconds after the headers, or 408 (uvicorn
    #: itself waits for a body forever). 30 s carries the largest body (16 MiB) at 4.5 Mbit/s.
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    #: A push's answer is kept under its idempotency key this long (seconds): a client retries
    #: within minutes; a replay after it is a new push (its writes then meet the versions the
    #: first one stored and come back as conflicts, never applied twice).
    answer_retention: float = 7 * 24 * 3600
    #: A session ends this long after sign-in, and after this long unused (seconds).
    session_lifetime: float = 30 * 24 * 3600
    session_idle_timeout: float = 7 * 24 * 3600
    password_hashing: PasswordHashing = field(default_factory=PasswordHashing)
    #: Trust X-Forwarded-For/-Proto from the reverse proxy in front (and only then).
    behind_proxy: bool = False
    #: Served over TLS directly: send HSTS.
    tls: bool = False
    #: Failed sign-in limits per email and per client address (see `throttle`).
    throttle: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.time

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'server.db'}"


def load_or_create_secret(data_dir: Path) -> bytes:
    """The server secret (owner-only file in the data dir), created on the first start.

    It keys the fake salts for unknown emails, the audit chain, the sign-in throttle counters
    and the recovery-code hashes. Every process sharing one database must use the same file:
    with another secret the audit log no longer verifies, counters split and recovery codes
    stop matching. Back it up with the database; losing it loses those (not the data).
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / SECRET_FILE
    if not path.exists():
        _create_secret(path)
    return read_secret(data_dir)


def _create_secret(path: Path) -> None:
    """Write a new secret whole, then link it into place: never a half-written file.

    Processes starting together (`serve --workers`) may race here; the link fails for all but
    the first, and every one of them then reads the same, complete secret.
    """
    fd, temporary = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(SECRET_BYTES))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def read_secret(data_dir: Path) -> bytes:
    """The existing server secret; never creates one (tools that only check, like audit verify)."""
    path = data_dir / SECRET_FILE
    secret = path.read_bytes()
    if len(secret) != SECRET_BYTES:
        raise RuntimeError(f"{path} is damaged (expected {SECRET_BYTES} bytes)")
    return secret
