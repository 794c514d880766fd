"""GET /v1/security-events: the caller's own login history and security events.

Scoped by the authenticated account only; events about an email without an account (stored
under a keyed hash) belong to no one and are never served.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import audit
from journal_desktop.server.http import query
from journal_desktop.server.sessions import authenticate
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import EVENTS_LIMIT, SecurityEvent


def _events(state: ServerState, account_id: str, limit: int) -> list[SecurityEvent]:
    with state.engine.begin() as conn:
        rows = audit.events_of(conn, account_id, limit)
    return [SecurityEvent(r.number, r.at, r.event, r.address, r.device_name) for r in rows]


async def security_events(request: Request) -> Response:
    caller = await authenticate(request)
    limit = EVENTS_LIMIT.read(query(request.query_params, frozenset({"limit"})))
    found = await run_in_threadpool(_events, state_of(request), caller.account_id, limit)
    return JSONResponse({"events": [e.to_json() for e in found]})
