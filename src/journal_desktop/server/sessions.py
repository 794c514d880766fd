"""Bearer-token authentication and the device list (list, revoke, sign out).

Tokens are 32 random bytes; only their SHA-256 is stored, so the database alone signs no one
in. Authentication is fail-closed: a missing, unknown, expired or idle session is 401, and a
dead session is deleted when it is found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import audit
from journal_desktop.server.db import read_connection, read_one, sessions, write_transaction
from journal_desktop.server.http import ApiError, client_address, unauthorized
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import SESSION_ID, SessionInfo

#: last_seen_at is rewritten at most this often (seconds), to keep reads mostly read-only.
LAST_SEEN_GRANULARITY = 60


@dataclass(frozen=True)
class Caller:
    """The authenticated account and session; every query below is scoped by `account_id`."""

    account_id: str
    session_id: str
    #: Where the request came from and the session's device, for the audit log.
    address: str = ""
    device_name: str = ""


def account_suspended() -> ApiError:
    """The operator suspended the account: no sign-in, no token works until unsuspended."""
    return ApiError(403, "account_suspended")


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


#: The session of a token hash, with its account's suspension (fixed SQL, see `single_read`).
_SESSION_SQL = (
    "SELECT sessions.id, sessions.account_id, sessions.expires_at, sessions.last_seen_at, "
    "sessions.address, sessions.device_name, accounts.suspended_at "
    "FROM sessions JOIN accounts ON accounts.id = sessions.account_id "
    "WHERE sessions.token_hash = ?"
)


@dataclass(frozen=True)
class _Session:
    id: str
    account_id: str
    expires_at: int
    last_seen_at: int
    address: str
    device_name: str
    suspended_at: int | None


def _session(conn: Connection, token: str) -> _Session | None:
    """The session the token opens, if any: one read on the driver's cursor, since every
    authenticated request makes it."""
    row = read_one(conn, _SESSION_SQL, (token_hash(token),))
    return None if row is None else _Session(*row)


def _authenticate(
    state: ServerState, token: str, address: str, conn: Connection | None = None
) -> Caller:
    """The caller, read through `conn` (a `read_connection`) or a connection of its own."""
    now = state.now()
    settings = state.settings
    if conn is None:
        with read_connection(state.engine) as own:
            row = _session(own, token)
    else:
        row = _session(conn, token)
    if row is None:
        raise unauthorized()
    if row.suspended_at is not None:  # before expiry: suspension ended the session early
        raise account_suspended()
    # Writes go in their own short transactions: a read transaction that later writes can
    # lose its snapshot to a concurrent writer (SQLITE_BUSY_SNAPSHOT) instead of waiting.
    if now >= row.expires_at or now >= row.last_seen_at + settings.session_idle_timeout:
        with write_transaction(state.engine) as conn:
            conn.execute(delete(sessions).where(sessions.c.id == row.id))
        raise unauthorized()
    if now - row.last_seen_at >= LAST_SEEN_GRANULARITY or row.address != address:
        with write_transaction(state.engine) as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.id == row.id)
                .values(last_seen_at=now, address=address)
            )
    return Caller(
        account_id=row.account_id,
        session_id=row.id,
        address=address,
        device_name=row.device_name,
    )


@dataclass(frozen=True)
class Bearer:
    """A request's bearer token and address, not yet checked against the sessions."""

    token: str = field(repr=False)  # never in a log line or a traceback's locals
    address: str = ""

    def authenticate(self, state: ServerState, conn: Connection | None = None) -> Caller:
        """The caller, or 401/403 (blocking: run it in a worker thread); read through `conn`,
        a `read_connection` the caller goes on to use, if given."""
        return _authenticate(state, self.token, self.address, conn)


def bearer(request: Request) -> Bearer:
    """The request's bearer token (401 at once if there is none), to check in a worker thread
    together with the work it opens, one thread hop for both."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 128:
        raise unauthorized()
    address = client_address(request, state_of(request).settings.behind_proxy)
    return Bearer(token.strip(), address)


async def authenticate(request: Request) -> Caller:
    caller = await run_in_threadpool(bearer(request).authenticate, state_of(request))
    return caller


def _list(state: ServerState, caller: Caller) -> list[SessionInfo]:
    with state.engine.begin() as conn:
        rows = conn.execute(
            select(sessions)
            .where(sessions.c.account_id == caller.account_id)
            .order_by(sessions.c.created_at, sessions.c.id)
        ).all()
    return [
        SessionInfo(
            session_id=r.id,
            device_name=r.device_name,
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
            address=r.address,
            current=r.id == caller.session_id,
        )
        for r in rows
    ]


async def list_sessions(request: Request) -> Response:
    caller = await authenticate(request)
    found = await run_in_threadpool(_list, state_of(request), caller)
    return JSONResponse({"sessions": [s.to_json() for s in found]})


def _record(conn: Connection, state: ServerState, caller: Caller, event: str) -> None:
    """Audit `event` for the caller's account, from the caller's device and address."""
    audit.record(
        conn,
        state.audit_key,
        at=state.now(),
        event=event,
        address=caller.address,
        device_name=caller.device_name,
        account_id=caller.account_id,
    )


def _revoke(state: ServerState, caller: Caller, session_id: str) -> int:
    with write_transaction(state.engine) as conn:
        result = conn.execute(
            delete(sessions).where(
                sessions.c.account_id == caller.account_id, sessions.c.id == session_id
            )
        )
        if result.rowcount:
            current = session_id == caller.session_id
            _record(conn, state, caller, audit.LOGOUT if current else audit.SESSION_REVOKED)
    return result.rowcount


async def revoke_session(request: Request) -> Response:
    caller = await authenticate(request)
    session_id = SESSION_ID.read(request.path_params["session_id"], "path.session_id", False)
    if session_id == "current":
        session_id = caller.session_id
    removed = await run_in_threadpool(_revoke, state_of(request), caller, session_id)
    if not removed:
        raise ApiError(404, "not_found")
    return Response(status_code=204)


def _revoke_others(state: ServerState, caller: Caller) -> int:
    with write_transaction(state.engine) as conn:
        result = conn.execute(
            delete(sessions).where(
                sessions.c.account_id == caller.account_id, sessions.c.id != caller.session_id
            )
        )
        _record(conn, state, caller, audit.OTHER_SESSIONS_REVOKED)
    return result.rowcount


async def revoke_other_sessions(request: Request) -> Response:
    caller = await authenticate(request)
    removed = await run_in_threadpool(_revoke_others, state_of(request), caller)
    return JSONResponse({"revoked": removed})
