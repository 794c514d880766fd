"""Encrypted attachment chunks: PUT, GET and DELETE /v1/blobs/{id}.

Bodies are raw `application/octet-stream` (the server never looks inside; the client encrypts
before upload), size-limited by `Settings.max_blob_bytes` (413 body_too_large), charged to the
account's quota (413 quota_exceeded), and always scoped by the authenticated account: another
account's id simply does not exist for the caller (404).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from journal_desktop.server import quota
from journal_desktop.server.db import blobs, write_transaction
from journal_desktop.server.http import ApiError, read_body
from journal_desktop.server.sessions import Caller, authenticate
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import check_blob_id

OCTET_STREAM = "application/octet-stream"


def _this(caller: Caller, blob_id: str) -> ColumnElement[bool]:
    """The one blob `blob_id` of the caller's account: every query goes through this."""
    return and_(blobs.c.account_id == caller.account_id, blobs.c.id == blob_id)


def _put(state: ServerState, caller: Caller, blob_id: str, data: bytes) -> bool:
    """Store (or replace) the blob; true if it is new.

    The account's row lock comes first, before the old blob is read: on PostgreSQL a PUT that
    read first saw no blob while another PUT of the same id was storing one, then inserted it
    again (a 500 on the primary key) or charged its size twice."""
    with write_transaction(state.engine) as conn:
        usage = quota.lock_usage(conn, caller.account_id)
        old = conn.execute(
            select(blobs.c.data).where(
                blobs.c.account_id == caller.account_id, blobs.c.id == blob_id
            )
        ).first()
        old_size = len(old.data) if old is not None else 0
        quota.charge_locked(
            conn, caller.account_id, usage, len(data) - old_size, state.settings.quota_bytes
        )
        if old is None:
            conn.execute(
                blobs.insert().values(
                    account_id=caller.account_id, id=blob_id, data=data, created_at=state.now()
                )
            )
        else:
            conn.execute(
                update(blobs)
                .where(_this(caller, blob_id))
                .values(data=data, created_at=state.now())
            )
    return old is None


async def put_blob(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    blob_id = check_blob_id(request.path_params["blob_id"])
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OCTET_STREAM:
        raise ApiError(415, "unsupported_media_type", f"send {OCTET_STREAM}")
    data = await read_body(
        request, min(state.settings.max_blob_bytes, state.settings.max_body_bytes)
    )
    created = await run_in_threadpool(_put, state, caller, blob_id, data)
    return Response(status_code=201 if created else 204)


def _get(state: ServerState, caller: Caller, blob_id: str) -> bytes:
    with state.engine.begin() as conn:
        row = conn.execute(
            select(blobs.c.data).where(
                blobs.c.account_id == caller.account_id, blobs.c.id == blob_id
            )
        ).first()
    if row is None:
        raise ApiError(404, "not_found")
    return bytes(row.data)


async def get_blob(request: Request) -> Response:
    caller = await authenticate(request)
    blob_id = check_blob_id(request.path_params["blob_id"])
    data = await run_in_threadpool(_get, state_of(request), caller, blob_id)
    return Response(data, media_type=OCTET_STREAM)


def _delete(state: ServerState, caller: Caller, blob_id: str) -> None:
    """Delete the blob and give its bytes back, under the account's lock taken first (two
    DELETEs that both read the blob before locking both gave its size back on PostgreSQL)."""
    with write_transaction(state.engine) as conn:
        usage = quota.lock_usage(conn, caller.account_id)
        row = conn.execute(
            select(blobs.c.data).where(
                blobs.c.account_id == caller.account_id, blobs.c.id == blob_id
            )
        ).first()
        if row is None:
            raise ApiError(404, "not_found")
        conn.execute(
            delete(blobs).where(blobs.c.account_id == caller.account_id, blobs.c.id == blob_id)
        )
        quota.charge_locked(
            conn, caller.account_id, usage, -len(row.data), state.settings.quota_bytes
        )


async def delete_blob(request: Request) -> Response:
    caller = await authenticate(request)
    blob_id = check_blob_id(request.path_params["blob_id"])
    await run_in_threadpool(_delete, state_of(request), caller, blob_id)
    return Response(status_code=204)
