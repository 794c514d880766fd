"""Request and response helpers every route shares: JSON errors, bounded bodies, the caller.

Errors are `ApiError`s carrying a stable machine code (`{"error": code}`), which the sync
client turns into a `SyncError` of the same code; nothing here ever echoes a secret back.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.sync import msgpack_wire
from journal_desktop.sync.protocol import JSON, MSGPACK, ProtocolError


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, **self.extra}
        if self.detail is not None:
            body["detail"] = self.detail
        return body

    def response(self, binary: bool = False) -> Response:
        return encoded(self.body(), binary, self.status, self.headers)


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and not declared.isdigit():
        raise ApiError(400, "bad_request", "Content-Length is not a number")
    if declared is not None and int(declared) > limit:
        raise ApiError(413, "body_too_large", f"the limit is {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"the limit is {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


async def read_json(request: Request, limit: int) -> object:
    body = await read_body(request, limit)
    if _media_type(request.headers.get("content-type", "")) != JSON:
        raise ApiError(415, "unsupported_media_type", "send application/json")
    return _parse_json(body)


async def read_negotiated(request: Request, limit: int) -> tuple[object, bool]:
    """A JSON or msgpack body (by Content-Type), and whether it was msgpack."""
    media_type = _media_type(request.headers.get("content-type", ""))
    if media_type not in (JSON, MSGPACK):
        raise ApiError(415, "unsupported_media_type", f"send {JSON} or {MSGPACK}")
    body = await read_body(request, limit)
    if media_type == MSGPACK:
        return msgpack_wire.unpack(body), True
    return _parse_json(body), False


def wants_msgpack(request: Request) -> bool:
    """True if the Accept header names msgpack (with a non-zero q) and JSON not before it."""
    for part in request.headers.get("accept", "").split(","):
        media_type, _, params = part.partition(";")
        media_type = media_type.strip().lower()
        if params.replace(" ", "").lower() in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        if media_type == MSGPACK:
            return True
        if media_type == JSON:
            return False
    return False


def encoded(
    body: dict[str, Any],
    binary: bool,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """`body` as msgpack (`binary`) or JSON."""
    if binary:
        return Response(msgpack_wire.pack(body), status, headers, media_type=MSGPACK)
    return JSONResponse(body, status_code=status, headers=headers)


def _parse_json(body: bytes) -> object:
    try:
        return json.loads(body, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except ProtocolError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ProtocolError("body: not valid JSON") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse `{"a": 1, "a": 2}`: two readers could take different values from it."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ProtocolError(f"body: field {key!r} appears twice")
        obj[key] = value
    return obj


def query(params: QueryParams, allowed: frozenset[str]) -> dict[str, str]:
    """The query's parameters, each named in `allowed` and given once, or a ProtocolError.

    A repeated parameter (`since=1&since=2`) is refused like a repeated JSON key: a proxy or a
    log may read the first where the server reads the last."""
    pairs = params.multi_items()
    for name, _ in pairs:
        if name not in allowed:
            unknown = sorted(set(params) - allowed)[0]
            raise ProtocolError(f"query: unknown parameter {unknown!r}")
    single = dict(pairs)
    if len(single) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise ProtocolError(f"query: parameter {name!r} appears twice")
            seen.add(name)
    return single


def _no_constants(name: str) -> object:
    raise ProtocolError(f"body: {name} is not JSON")


def client_address(request: Request, behind_proxy: bool) -> str:
    """The caller's address; behind a proxy, the last hop the proxy itself appended."""
    if behind_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return (request.client.host if request.client else "unknown")[:64]


def json_response(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)
