"""What the running app holds: settings, the engine and the secrets made at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.requests import Request

from journal_desktop.server import audit, second_factor
from journal_desktop.server.settings import Settings


@dataclass(frozen=True)
class ServerState:
    settings: Settings
    engine: Engine
    #: Keys the fake prelogin salts; read from the data dir's owner-only secret file.
    secret: bytes
    #: A hash of a random secret, verified for unknown emails so sign-in timing is the same.
    dummy_hash: str

    @property
    def audit_key(self) -> bytes:
        return audit.audit_key(self.secret)

    @property
    def totp_key(self) -> bytes:
        """Seals TOTP secrets at rest (see `second_factor`)."""
        return second_factor.sealing_key(self.secret)

    def email_key(self, email: str) -> bytes:
        return audit.email_key(self.secret, email)

    def now(self) -> int:
        return int(self.settings.clock())


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.server
    return state
