"""The OpenAPI 3.1 description served at GET /v1/openapi.json.

Built from the wire types' declarations in `sync.protocol` (their `SPEC`s, which are also what
parses every body), so the schemas here are the rules the server enforces, not a copy of them.
This module only says which route takes and answers which type, with which errors; a test
checks that every route the app serves is described here and nothing else is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.sync import protocol as p
from journal_desktop.sync.fields import Field, Obj, QueryInt, Schema, components

TITLE = "Trading journal sync server"
API_VERSION = "1"

#: The answer `error` codes each status carries (documentation only; the schema is `Error`).
ERRORS = {
    400: "bad_request: a malformed request header (a non-numeric Content-Length, or both "
    "Transfer-Encoding and Content-Length)",
    401: "unauthorized (no, unknown, expired or idle session), or for sign-in and account "
    "changes invalid_credentials / totp_required",
    403: "invalid_credentials or invalid_code: a re-entered secret or code was wrong; "
    "account_suspended: the operator suspended the account (sign-in and every token)",
    404: "not_found",
    408: "request_timeout: the body did not arrive in time (the connection is then closed)",
    409: "a conflict with the stored state (see the code)",
    413: "body_too_large, or quota_exceeded",
    415: "unsupported_media_type",
    422: "invalid_request (detail says which field and what was wrong), or idempotency_key_reused",
    429: "too_many_attempts; Retry-After says how many seconds to wait",
    507: "storage_full: the server is out of storage space; nothing was stored, retry later",
}


@dataclass(frozen=True)
class Answer:
    """A success answer: a wire type (as JSON, and as msgpack if `msgpack`), raw bytes, or none."""

    status: int
    description: str
    body: Obj | None = None
    octets: bool = False
    msgpack: bool = False
    schema: Schema | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    answers: Sequence[Answer]
    auth: bool = True
    request: Obj | None = None
    #: The request body is raw bytes (application/octet-stream).
    request_octets: bool = False
    #: Items endpoints: msgpack request and answer bodies by content negotiation.
    msgpack: bool = False
    query: Sequence[QueryInt] = ()
    #: Query parameters that are strings checked by a field: (name, field, required).
    query_fields: Sequence[tuple[str, Field, bool]] = ()
    path_params: Sequence[tuple[str, Field]] = ()
    errors: Sequence[int] = ()
    #: Writes to the database without a token (an authenticated route may always write: the
    #: session's last-seen time), so a full disk answers 507 here too.
    stores: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_NO_CONTENT = "done; no body"
_BODY_ERRORS = (413, 415, 422)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET", "/v1/health", "Is the server up", [Answer(200, "up", p.Health.SPEC)], auth=False
    ),
    Operation(
        "GET",
        "/v1/openapi.json",
        "This description",
        [Answer(200, "the OpenAPI 3.1 document", schema={"type": "object"})],
        auth=False,
    ),
    Operation(
        "GET",
        "/v1/prelogin",
        "KDF parameters and salt for an email (a stable fake one for an unknown email)",
        [Answer(200, "parameters", p.Prelogin.SPEC)],
        auth=False,
        query_fields=[("email", p.PRELOGIN_EMAIL, True)],
        errors=[422],
    ),
    Operation(
        "POST",
        "/v1/accounts",
        "Register an account",
        [Answer(201, "created", p.AccountCreated.SPEC)],
        auth=False,
        stores=True,
        request=p.RegisterRequest.SPEC,
        errors=[409, 429, *_BODY_ERRORS],
    ),
    Operation(
        "GET",
        "/v1/account/keys",
        "The account's KDF parameters, salt and wrapped keys",
        [Answer(200, "the keys", p.AccountKeys.SPEC)],
    ),
    Operation(
        "PUT",
        "/v1/account/credentials",
        "Replace the passphrase-derived credentials (ends every other session); with TOTP on, "
        "also needs a current code or a recovery code",
        [Answer(200, "changed; how many other sessions ended", p.Revoked.SPEC)],
        request=p.CredentialsChange.SPEC,
        errors=[403, 409, 429, *_BODY_ERRORS],
    ),
    Operation(
        "DELETE",
        "/v1/account",
        "Delete the account and everything stored for it; with TOTP on, also needs a current "
        "code or a recovery code",
        [Answer(204, _NO_CONTENT)],
        request=p.AccountDeletion.SPEC,
        errors=[403, 429, *_BODY_ERRORS],
    ),
    Operation(
        "POST",
        "/v1/sessions",
        "Sign in",
        [Answer(201, "signed in", p.LoginResponse.SPEC)],
        auth=False,
        stores=True,
        request=p.LoginRequest.SPEC,
        errors=[401, 403, 429, *_BODY_ERRORS],
    ),
    Operation(
        "GET",
        "/v1/sessions",
        "The account's signed-in devices",
        [Answer(200, "devices", p.SessionList.SPEC)],
    ),
    Operation(
        "POST",
        "/v1/sessions/revoke-others",
        "Sign out every other device",
        [Answer(200, "how many sessions ended", p.Revoked.SPEC)],
    ),
    Operation(
        "DELETE",
        "/v1/sessions/{session_id}",
        "Sign out one device (`current`: this one)",
        [Answer(204, _NO_CONTENT)],
        path_params=[("session_id", p.SESSION_ID)],
        errors=[404, 422],
    ),
    Operation(
        "POST",
        "/v1/2fa/totp/setup",
        "Start turning TOTP on: a pending secret",
        [Answer(200, "the pending secret", p.TotpSetup.SPEC)],
        errors=[409],
    ),
    Operation(
        "POST",
        "/v1/2fa/totp/enable",
        "Confirm the pending secret with a code; answers ten recovery codes",
        [Answer(200, "enabled", p.RecoveryCodes.SPEC)],
        request=p.CodeRequest.SPEC,
        errors=[403, 409, 429, *_BODY_ERRORS],
    ),
    Operation(
        "POST",
        "/v1/2fa/totp/disable",
        "Turn TOTP off with a code or a recovery code",
        [Answer(204, _NO_CONTENT)],
        request=p.CodeRequest.SPEC,
        errors=[403, 409, 429, *_BODY_ERRORS],
    ),
    Operation(
        "GET",
        "/v1/security-events",
        "The account's own login history and security events, newest first",
        [Answer(200, "events", p.SecurityEvents.SPEC)],
        query=[p.EVENTS_LIMIT],
        errors=[422],
    ),
    Operation(
        "GET",
        "/v1/items",
        "Items written after `since`, in seq order (JSON, or msgpack with "
        "Accept: application/msgpack): at most `limit` of them, and a page stops before its "
        "ciphertext passes 16 MiB (it holds at least one item); `more` says whether more follow",
        [Answer(200, "a page of items", p.PullResponse.SPEC, msgpack=True)],
        query=[p.PULL_SINCE, p.PULL_LIMIT],
        msgpack=True,
        errors=[422],
    ),
    Operation(
        "POST",
        "/v1/items",
        "Push a batch of writes (JSON, or msgpack with Content-Type: application/msgpack); "
        "the same idempotency key replayed answers the first answer (its conflicts with the "
        "copies stored when the replay comes)",
        [Answer(200, "accepted writes and conflicts", p.PushResponse.SPEC, msgpack=True)],
        request=p.PushRequest.SPEC,
        msgpack=True,
        errors=_BODY_ERRORS,
    ),
    Operation(
        "PUT",
        "/v1/blobs/{blob_id}",
        "Store an encrypted attachment chunk (raw bytes)",
        [Answer(201, "stored (new)"), Answer(204, "replaced")],
        request_octets=True,
        path_params=[("blob_id", p.BLOB_ID)],
        errors=_BODY_ERRORS,
    ),
    Operation(
        "GET",
        "/v1/blobs/{blob_id}",
        "Fetch an attachment chunk",
        [Answer(200, "the bytes", octets=True)],
        path_params=[("blob_id", p.BLOB_ID)],
        errors=[404, 422],
    ),
    Operation(
        "DELETE",
        "/v1/blobs/{blob_id}",
        "Delete an attachment chunk",
        [Answer(204, _NO_CONTENT)],
        path_params=[("blob_id", p.BLOB_ID)],
        errors=[404, 422],
    ),
    Operation(
        "GET", "/v1/manifest", "The authenticated manifest", [Answer(200, "it", p.Manifest.SPEC)]
    ),
    Operation(
        "PUT",
        "/v1/manifest",
        "Replace the manifest if the stored counter is base_counter",
        [Answer(200, "stored", p.Manifest.SPEC)],
        request=p.ManifestPut.SPEC,
        errors=[409, *_BODY_ERRORS],
    ),
)


def _content(body: Obj | None, schema: Schema | None, msgpack: bool) -> dict[str, Any]:
    json_schema = body.schema(False) if body is not None else schema
    content: dict[str, Any] = {p.JSON: {"schema": json_schema}}
    if msgpack and body is not None:
        content[p.MSGPACK] = {"schema": body.schema(True)}
    return content


def _error(status: int, msgpack: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": ERRORS.get(status, "an error"),
        "content": _content(p.ErrorBody.SPEC, None, msgpack),
    }
    if status == 429:
        out["headers"] = {
            "Retry-After": {"schema": {"type": "integer", "minimum": 0}, "required": True}
        }
    if status == 401:
        out["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return out


def _operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": f"{op.method.lower()}{op.path.replace('/', '_').replace('.', '_')}",
        "summary": op.summary,
        "security": [{"bearer": []}] if op.auth else [],
    }
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": spec.schema(False)}
        for name, spec in op.path_params
    ]
    parameters += [
        {"name": name, "in": "query", "required": required, "schema": spec.schema(False)}
        for name, spec, required in op.query_fields
    ]
    parameters += [
        {"name": q.name, "in": "query", "required": False, "schema": q.schema()} for q in op.query
    ]
    if parameters:
        out["parameters"] = parameters
    if op.request is not None:
        out["requestBody"] = {"required": True, "content": _content(op.request, None, op.msgpack)}
    elif op.request_octets:  # any bytes: no schema, so nothing to get wrong in the body
        out["requestBody"] = {"required": True, "content": {p.OCTET_STREAM: {}}}
    responses: dict[str, Any] = {}
    for answer in op.answers:
        entry: dict[str, Any] = {"description": answer.description}
        if answer.octets:
            schema = {"type": "string", "contentMediaType": p.OCTET_STREAM}
            entry["content"] = {p.OCTET_STREAM: {"schema": schema}}
        elif answer.body is not None or answer.schema is not None:
            entry["content"] = _content(answer.body, answer.schema, answer.msgpack)
        responses[str(answer.status)] = entry
    errors = set(op.errors)
    if op.auth:
        errors.update((401, 403))  # 403: account_suspended
    # Any request: a body framed by both Transfer-Encoding and Content-Length (refused by
    # `middleware.BodyTimeout` whatever the route), or a malformed Content-Length.
    errors.add(400)
    if op.request is not None or op.request_octets:
        # Whatever reads a body: one that does not arrive in time (408, answered by
        # `middleware.BodyTimeout`), or one over the limit (413).
        errors.update((408, 413))
    if op.auth or op.stores:
        errors.add(507)  # `middleware.SecurityHeaders`: the disk or database is full
    for status in sorted(errors):
        responses[str(status)] = _error(status, op.msgpack)
    out["responses"] = responses
    return out


def _roots(operations: Sequence[Operation], msgpack: bool) -> list[Obj]:
    """The wire types `operations` use (with `msgpack`, those that also go as msgpack)."""
    roots: list[Obj] = [p.ErrorBody.SPEC]
    for op in operations:
        if msgpack and not op.msgpack:
            continue
        if op.request is not None:
            roots.append(op.request)
        roots += [a.body for a in op.answers if a.body is not None]
    return roots


def document(operations: Sequence[Operation] = OPERATIONS) -> dict[str, Any]:
    """The OpenAPI 3.1 document for `operations`."""
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    schemas = components(_roots(operations, False), False)
    schemas.update(components(_roots(operations, True), True))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": API_VERSION,
            "description": (
                "Zero-knowledge sync of encrypted items. Every body is JSON (binary values "
                "canonical base64) except attachment blobs (raw bytes) and, by content "
                "negotiation, the items endpoints, which also speak msgpack (binary values as "
                'msgpack bin). Errors are {"error": code, "detail"?: text}.'
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the token from POST /v1/sessions",
                }
            },
        },
    }


_CACHED: dict[str, Any] = {}


async def serve(_request: Request) -> Response:
    if not _CACHED:
        _CACHED.update(document())
    return JSONResponse(_CACHED)
