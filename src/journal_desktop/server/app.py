"""The Starlette app factory: routes, error bodies, security headers, start-up work.

Nothing happens at import time; `create_app(settings)` builds the app and its lifespan opens
the database, runs the migrations and loads (or creates) the server secret.
"""

from __future__ import annotations

import contextlib
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
    sessions,
    signin,
    twofactor,
)
from journal_desktop.server.db import make_engine, migrate
from journal_desktop.server.http import ApiError
from journal_desktop.server.middleware import SecurityHeaders
from journal_desktop.server.passwords import hash_secret
from journal_desktop.server.settings import Settings, load_or_create_secret
from journal_desktop.server.state import ServerState
from journal_desktop.sync.protocol import ProtocolError


async def health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _protocol_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    return JSONResponse({"error": "invalid_request", "detail": exc.detail}, status_code=422)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return JSONResponse(
        {"error": codes.get(exc.status_code, "http_error")},
        status_code=exc.status_code,
        headers=exc.headers,
    )


def _start(settings: Settings) -> ServerState:
    secret = load_or_create_secret(settings.data_dir)
    engine = make_engine(settings.url)
    migrate(engine)
    dummy = hash_secret(secrets.token_bytes(32), settings.password_hashing)
    return ServerState(settings=settings, engine=engine, secret=secret, dummy_hash=dummy)


ROUTES = [
    Route("/v1/health", health, methods=["GET"]),
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


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = await run_in_threadpool(_start, settings)
        app.state.server = state
        try:
            yield
        finally:
            state.engine.dispose()

    return Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders, hsts=settings.tls, trust_proxy_proto=settings.behind_proxy)
        ],
        exception_handlers={
            ApiError: _api_error,
            ProtocolError: _protocol_error,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
