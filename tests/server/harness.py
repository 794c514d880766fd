"""Shared test set-up: an in-process server with a movable clock, and request builders.

Starlette 1.x warns at import when its TestClient runs on httpx rather than httpx2; the project
depends on httpx (the sync client's transport), so that one import warning is silenced here.
"""

from __future__ import annotations

import base64
import itertools
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from journal_desktop.server.app import create_app
from journal_desktop.server.settings import PasswordHashing, Settings
from journal_desktop.sync.client import SyncClient
from journal_desktop.sync.protocol import DEFAULT_KDF, LoginRequest, RegisterRequest, Write

#: Cheap server-side hashing for tests only; the client KDF floor in the protocol is untouched.
CHEAP_HASHING = PasswordHashing(memory_kib=64, iterations=1, lanes=1)
BASE_URL = "http://127.0.0.1"

__all__ = ["TestClient"]


@dataclass
class Clock:
    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def settings_for(data_dir: Path, clock: Clock | None = None, **overrides: object) -> Settings:
    return Settings(
        data_dir=data_dir,
        password_hashing=CHEAP_HASHING,
        clock=clock or Clock(),
        **overrides,  # type: ignore[arg-type]
    )


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=BASE_URL) as http:
        yield http


def secret_for(email: str) -> bytes:
    return (email.lower().encode() * 32)[:32]


def register_request(email: str, wrapped: dict[str, object] | None = None) -> RegisterRequest:
    return RegisterRequest(
        email=email,
        auth_secret=secret_for(email),
        kdf=DEFAULT_KDF,
        salt=b"s" * 16,
        wrapped_keys=dict(wrapped or {"master": "d3JhcHBlZA=="}),
    )


def login_request(email: str, device: str = "laptop", secret: bytes | None = None) -> LoginRequest:
    return LoginRequest(email=email, auth_secret=secret or secret_for(email), device_name=device)


@dataclass
class Server:
    http: TestClient
    clock: Clock
    _keys: Iterator[int] = field(default_factory=itertools.count)

    def client(self, token: str | None = None) -> SyncClient:
        return SyncClient(self.http, BASE_URL, token)

    def signed_in(self, email: str, device: str = "laptop") -> SyncClient:
        """A client for `email`, registering the account on first use."""
        client = self.client()
        if self.http.get("/v1/prelogin", params={"email": email}).json()["salt"] != b64(b"s" * 16):
            client.register(register_request(email))
        client.login(login_request(email, device))
        return client

    def key(self) -> str:
        return f"key-{next(self._keys)}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write(item_id: str, base: int = 0, version: int | None = None, data: bytes = b"x") -> Write:
    return Write(
        id=item_id,
        type="trade",
        base_version=base,
        version=version if version is not None else base + 1,
        deleted=False,
        ciphertext=data,
    )
