"""Security headers on every response, errors and crashes included, and a deadline for request
bodies (pure ASGI).

`SecurityHeaders` wraps the whole app, so even an unexpected exception becomes a 500 JSON body
that carries the headers and no traceback. `BodyTimeout` answers 408 when a body does not
arrive in time: uvicorn has no such limit, so a client that sent its headers and then trickled
(or never sent) its body held a connection, and a worker's memory, for as long as it liked.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import sqlite3

import anyio
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journal_desktop.server.http import ApiError

log = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    b"accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    b"magnetometer=(), microphone=(), payment=(), usb=()"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    # Powerful browser features off: an API answer never needs them (a promise of the
    # security pages this server keeps, with the four headers above).
    (b"permissions-policy", PERMISSIONS_POLICY),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


#: PostgreSQL's SQLSTATE for "disk full".
_PG_DISK_FULL = "53100"


def storage_full(exc: BaseException) -> bool:
    """True if `exc` (or what it wraps) says the disk or database is full: SQLite's
    SQLITE_FULL, PostgreSQL's disk_full, or ENOSPC. The write it broke was rolled back."""
    seen: BaseException | None = exc
    for _ in range(8):  # SQLAlchemy's wrapper, the driver's error, what caused it
        if seen is None:
            break
        if getattr(seen, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        if getattr(seen, "sqlstate", None) == _PG_DISK_FULL:
            return True
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False, trust_proxy_proto: bool = False):
        self.app = app
        self.hsts = hsts
        self.trust_proxy_proto = trust_proxy_proto

    def _wants_hsts(self, scope: Scope) -> bool:
        if self.hsts or scope.get("scheme") == "https":
            return True
        if self.trust_proxy_proto:
            for name, value in scope.get("headers", []):
                if name == b"x-forwarded-proto" and value.strip().lower() == b"https":
                    return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = SECURITY_HEADERS + ([HSTS] if self._wants_hsts(scope) else [])
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in extra}
                headers = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message["headers"] = headers + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            # The client hung up before its body was all in: nobody to answer, and nothing
            # wrong with the server (logged as an unhandled error, anyone could fill the
            # operator's error log by hanging up).
            log.info("client went away mid-request: %s %s", scope.get("method"), scope.get("path"))
            return
        except Exception as exc:
            status, answer = 500, {"error": "internal_error"}
            if storage_full(exc):
                # The operator's problem, not a bug: one line, and the client is told to retry
                # later (507) instead of seeing an internal error.
                log.error(
                    "out of storage in %s %s: %s (nothing was stored; free disk space)",
                    scope.get("method"),
                    scope.get("path"),
                    type(exc).__name__,
                )
                status = 507
                answer = {
                    "error": "storage_full",
                    "detail": "the server is out of storage space; nothing was stored, retry later",
                }
            else:
                log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            body = json.dumps(answer).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body})


def _has_body(scope: Scope) -> bool:
    """True if the request says a body follows (chunked, or a non-zero Content-Length)."""
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding":
            return True
        if name == b"content-length" and value.strip() not in (b"0", b""):
            return True
    return False


def _framed_twice(scope: Scope) -> bool:
    """True if the request has both Transfer-Encoding and Content-Length."""
    names = {name for name, _ in scope.get("headers", [])}
    return b"transfer-encoding" in names and b"content-length" in names


async def _two_framings(scope: Scope, receive: Receive, send: Send) -> None:
    """Refuse a body framed two ways, and close the connection (RFC 9112, 6.1): served by
    one framing, a proxy in front that read the other would take the rest of the body for
    another request (request smuggling)."""
    error = ApiError(
        400,
        "bad_request",
        "Transfer-Encoding and Content-Length together",
        headers={"Connection": "close"},
    )
    await error.response()(scope, receive, send)


def _closing(message: Message) -> Message:
    """`message` (a response start) with `Connection: close`."""
    headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
    return {**message, "headers": [*headers, (b"connection", b"close")]}


class BodyTooSlow(ApiError):
    """The request body did not arrive within the deadline: 408, and the connection is closed
    (what is left of the body would otherwise be read as the next request)."""

    def __init__(self) -> None:
        super().__init__(
            408,
            "request_timeout",
            "the request body did not arrive in time",
            headers={"Connection": "close"},
        )


class BodyTimeout:
    """Refuse a request whose body is not all in `timeout` seconds after its headers were.

    The deadline covers only the reading of the body (a route that reads none is never cut
    short, and the answer may take as long as it takes). Raised from `receive`, the error
    reaches the app's `ApiError` handler like any other refusal; if something in between
    swallowed it as a crash, it is answered here.

    An answer given before the body was all read (a 401 before a push's body, a 413 on the
    declared size) also closes the connection: uvicorn otherwise kept it open for the rest
    of a body nobody would read, which a client could trickle for ever, out of this deadline.
    A body framed both by Transfer-Encoding and Content-Length is refused outright.
    """

    def __init__(self, app: ASGIApp, *, timeout: float):
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _framed_twice(scope):
            await _two_framings(scope, receive, send)
            return
        deadline = anyio.current_time() + self.timeout
        has_body = _has_body(scope)
        body_done = False
        timed_out = False
        started = False

        async def receive_in_time() -> Message:
            nonlocal body_done, timed_out
            if body_done:  # after the body, only a disconnect can come: no deadline
                return await receive()
            message: Message | None = None
            left = deadline - anyio.current_time() if math.isfinite(deadline) else math.inf
            with anyio.move_on_after(max(0.0, left)):
                message = await receive()
            if message is None:
                timed_out = True
                raise BodyTooSlow()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if has_body and not body_done:
                    message = _closing(message)
            await send(message)

        try:
            await self.app(scope, receive_in_time, send_noting_start)
        except BodyTooSlow as exc:
            if started:
                raise
            await exc.response()(scope, receive, send)
        if timed_out:
            log.info(
                "request body not received in time: %s %s", scope.get("method"), scope.get("path")
            )
