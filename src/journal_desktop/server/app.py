"""The Starlette app factory: routes, error bodies, security headers, start-up work.

Nothing happens at import time; `create_app(settings)` builds the app and its lifespan opens
the database, runs the migrations and loads (or creates) the server secret. Errors on the items
endpoints are answered in msgpack when the request's Accept asks for it, elsewhere in JSON.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from journal_desktop.server import (
    accounts,
    attachments,
    credentials,
    history,
    items,
    openapi,
    second_factor,
    sessions,
    signin,
    twofactor,
)
from journal_desktop.server.db import make_engine, migrate
from journal_desktop.server.http import ApiError, encoded, read_body, wants_msgpack
from journal_desktop.server.middleware import BodyTimeout, SecurityHeaders
from journal_desktop.server.passwords import hash_secret
from journal_desktop.server.settings import Settings, load_or_create_secret
from journal_desktop.server.state import ServerState
from journal_desktop.sync.protocol import ProtocolError


async def health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _in_msgpack(request: Request) -> bool:
    """Errors go back in msgpack only where the protocol speaks it, and only if asked."""
    return request.url.path in NEGOTIATED_PATHS and wants_msgpack(request)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response(_in_msgpack(request))


async def _protocol_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    body = {"error": "invalid_request", "detail": exc.detail}
    return encoded(body, _in_msgpack(request), 422)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to. Starlette's 405 names only the methods of the first
    route that matched the path, so `PATCH /v1/items` said `Allow: HEAD, GET` though POST is
    served there too (RFC 9110: a 405's Allow lists the resource's supported methods)."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = allowed
    return JSONResponse(
        {"error": codes.get(exc.status_code, "http_error")},
        status_code=exc.status_code,
        headers=headers or None,
    )


class _NoQueryInAccessLog(logging.Filter):
    """Drop the query string from uvicorn's access log lines: `GET /v1/prelogin?email=...`
    put the email of everyone signing in into the operator's log, where the audit log and
    the throttle keep emails only keyed."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, mark, _ = args[2].partition("?")
            if mark:
                record.args = (args[0], args[1], f"{path}?...", args[3], args[4])
        return True


def _quiet_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _NoQueryInAccessLog) for f in access.filters):
        access.addFilter(_NoQueryInAccessLog())


def _start(settings: Settings) -> ServerState:
    secret = load_or_create_secret(settings.data_dir)
    engine = make_engine(settings.url)
    migrate(engine)
    second_factor.seal_plaintext_secrets(engine, second_factor.sealing_key(secret))
    dummy = hash_secret(secrets.token_bytes(32), settings.password_hashing)
    return ServerState(settings=settings, engine=engine, secret=secret, dummy_hash=dummy)


NEGOTIATED_PATHS = frozenset({"/v1/items"})

ROUTES = [
    Route("/v1/health", health, methods=["GET"]),
    Route("/v1/openapi.json", openapi.serve, methods=["GET"]),
    Route("/v1/prelogin", accounts.prelogin, methods=["GET"]),
    Route("/v1/accounts", accounts.register, methods=["POST"]),
    Route("/v1/account/keys", accounts.account_keys, methods=["GET"]),
    Route("/v1/account/credentials", credentials.change_credentials, methods=["PUT"]),
    Route("/v1/account", credentials.delete_account, methods=["DELETE"]),
    Route("/v1/sessions", signin.create_session, methods=["POST"]),
    Route("/v1/sessions", sessions.list_sessions, methods=["GET"]),
    Route("/v1/sessions/revoke-others", sessions.revoke_other_sessions, methods=["POST"]),
    Route("/v1/sessions/{session_id}", sessions.revoke_session, methods=["DELETE"]),
    Route("/v1/2fa/totp/setup", twofactor.setup, methods=["POST"]),
    Route("/v1/2fa/totp/enable", twofactor.enable, methods=["POST"]),
    Route("/v1/2fa/totp/disable", twofactor.disable, methods=["POST"]),
    Route("/v1/security-events", history.security_events, methods=["GET"]),
    Route("/v1/items", items.pull, methods=["GET"]),
    Route("/v1/items", items.push, methods=["POST"]),
    Route("/v1/blobs/{blob_id}", attachments.put_blob, methods=["PUT"]),
    Route("/v1/blobs/{blob_id}", attachments.get_blob, methods=["GET"]),
    Route("/v1/blobs/{blob_id}", attachments.delete_blob, methods=["DELETE"]),
    Route("/v1/manifest", items.get_manifest, methods=["GET"]),
    Route("/v1/manifest", items.put_manifest, methods=["PUT"]),
]


ECHO_PATH = "/v1/echo"
ECHO_LIMIT = 64 * 1024 * 1024


def _echo_routes() -> list[Route]:
    """Benchmark only: an unauthenticated echo, the limit the items figures are compared with.

    POST keeps the body (in memory) and answers its size, as a push answers a short summary;
    GET answers the last body kept, with its content type, as a pull answers a page of items.
    No database, no parsing: what moving the same bytes through the same server costs.
    """
    kept: dict[str, bytes | str] = {"body": b"", "type": "application/octet-stream"}

    async def keep(request: Request) -> Response:
        kept["body"] = await read_body(request, ECHO_LIMIT)
        kept["type"] = request.headers.get("content-type", "application/octet-stream")
        return JSONResponse({"bytes": len(kept["body"])})

    async def give(_request: Request) -> Response:
        return Response(kept["body"], media_type=str(kept["type"]))

    return [Route(ECHO_PATH, keep, methods=["POST"]), Route(ECHO_PATH, give, methods=["GET"])]


def create_app(settings: Settings, *, benchmark_echo: bool = False) -> Starlette:
    """The server app. `benchmark_echo` also mounts the benchmarks' echo route: never set it
    for a server anyone uses (it is unauthenticated and keeps what it is sent)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        _quiet_access_log()
        state = await run_in_threadpool(_start, settings)
        app.state.server = state
        try:
            yield
        finally:
            state.engine.dispose()

    app = Starlette(
        routes=ROUTES + (_echo_routes() if benchmark_echo else []),
        middleware=[
            Middleware(SecurityHeaders, hsts=settings.tls, trust_proxy_proto=settings.behind_proxy),
            Middleware(BodyTimeout, timeout=settings.body_timeout),  # inside: its 408 has them
        ],
        exception_handlers={
            ApiError: _api_error,
            ProtocolError: _protocol_error,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    # `/v1/items/` is not another spelling of `/v1/items`: Starlette's redirect answered 307
    # with a Location built from the request's Host header, an answer the API does not have.
    app.router.redirect_slashes = False
    return app
