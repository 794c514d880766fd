"""Pull and push of encrypted items, and the client's authenticated manifest.

A push runs in one write transaction: it takes the account's seq counter (BEGIN IMMEDIATE on
SQLite, a row lock on PostgreSQL), applies each write whose base_version is the stored version,
numbers it with the next seq, charges the bytes it adds to the account's quota (all or nothing:
a push past the quota is refused whole) and stores the answer under the idempotency key, so a
retried request gets the first answer back and changes nothing.

Both items endpoints speak JSON by default and msgpack by content negotiation: a push sent as
`application/msgpack` is parsed by the same field rules (ciphertext as msgpack bin), and a
pull or push answer is msgpack when the request's Accept names `application/msgpack`. The
idempotency key's request hash is taken over the parsed request, so a retry may switch format.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, Select, String, and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import quota
from journal_desktop.server.db import accounts, idempotency, items, manifests, write_transaction
from journal_desktop.server.http import (
    ApiError,
    encoded,
    read_json,
    read_negotiated,
    unauthorized,
    wants_msgpack,
)
from journal_desktop.server.sessions import Caller, authenticate
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import (
    JSON,
    PULL_LIMIT,
    PULL_SINCE,
    Accepted,
    Conflict,
    Item,
    Manifest,
    ManifestPut,
    ProtocolError,
    PullResponse,
    PushRequest,
    PushResponse,
)


def _item(row: Any) -> Item:
    return Item(
        id=row.id,
        type=row.type,
        version=row.version,
        deleted=bool(row.deleted),
        ciphertext=bytes(row.ciphertext),
        seq=row.seq,
    )


def _pull(state: ServerState, caller: Caller, since: int, limit: int) -> PullResponse:
    with state.engine.begin() as conn:
        rows = conn.execute(
            select(items)
            .where(items.c.account_id == caller.account_id, items.c.seq > since)
            .order_by(items.c.seq)
            .limit(limit + 1)
        ).all()
    found = [_item(r) for r in rows[:limit]]
    return PullResponse(
        items=found,
        next_since=found[-1].seq if found else since,
        more=len(rows) > limit,
    )


async def pull(request: Request) -> Response:
    caller = await authenticate(request)
    params = request.query_params
    unknown = set(params) - {"since", "limit"}
    if unknown:
        raise ProtocolError(f"query: unknown parameter {sorted(unknown)[0]!r}")
    since = PULL_SINCE.read(params)
    limit = PULL_LIMIT.read(params)
    answer = await run_in_threadpool(_pull, state_of(request), caller, since, limit)
    binary = wants_msgpack(request)
    return encoded(answer.to_wire(binary=binary), binary)


def _locked_last_seq(conn: Connection, account_id: str) -> int:
    last_seq = conn.execute(
        select(accounts.c.last_seq).where(accounts.c.id == account_id).with_for_update()
    ).scalar()
    if last_seq is None:  # the account went away under a live token: fail closed
        raise unauthorized()
    return int(last_seq)


def _stored(conn: Connection, account_id: str, ids: list[str]) -> Select[Any]:
    """The stored rows of `ids` (those that exist), each found through the primary key.

    On PostgreSQL `account_id = a AND id IN (...)` may be planned as a read of every item of
    the account through the (account_id, seq) index, filtered by id: that is what the planner
    picks while its statistics say an account holds few rows (a new table, or an account much
    larger than the average), and it makes each push cost O(account), an initial sync
    O(items^2). Joining the ids as a set, with the account in the join, keeps it a primary-key
    lookup per id whatever the statistics say.
    """
    if conn.dialect.name != "postgresql":
        return select(items).where(items.c.account_id == account_id, items.c.id.in_(ids))
    wanted = (
        func.unnest(bindparam("wanted_ids", ids, type_=postgresql.ARRAY(String)))
        .table_valued("id")
        .render_derived(name="wanted")
    )
    return (
        select(items)
        .select_from(wanted)
        .join(items, and_(items.c.account_id == account_id, items.c.id == wanted.c.id))
    )


def _apply(
    conn: Connection, account_id: str, last_seq: int, push: PushRequest, quota_bytes: int
) -> PushResponse:
    ids = [w.id for w in push.writes]
    current = {r.id: r for r in conn.execute(_stored(conn, account_id, ids)).all()}
    accepted: list[Accepted] = []
    conflicts: list[Conflict] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    grown = 0
    for write in push.writes:
        row = current.get(write.id)
        stored_version = row.version if row is not None else 0
        if stored_version != write.base_version:
            conflicts.append(Conflict(write.id, _item(row) if row is not None else None))
            continue
        last_seq += 1
        grown += len(write.ciphertext) - (len(row.ciphertext) if row is not None else 0)
        values = {
            "type": write.type,
            "version": write.version,
            "deleted": write.deleted,
            "ciphertext": write.ciphertext,
            "seq": last_seq,
        }
        if row is None:
            inserts.append({"account_id": account_id, "id": write.id, **values})
        else:
            updates.append({"item_id": write.id, **values})
        accepted.append(Accepted(write.id, write.version, last_seq))
    # One statement each, executed for many rows (building a statement per row costs more than
    # writing the row). Updates keep the batch's order, so seqs stay unique at every step.
    if inserts:
        conn.execute(items.insert(), inserts)
    if updates:
        conn.execute(
            update(items).where(
                items.c.account_id == account_id, items.c.id == bindparam("item_id")
            ),
            updates,
        )
    if accepted:
        conn.execute(update(accounts).where(accounts.c.id == account_id).values(last_seq=last_seq))
    # Checked after applying, in the same transaction: a refusal rolls every write back.
    quota.charge(conn, account_id, grown, quota_bytes)
    return PushResponse(accepted, conflicts)


def request_hash(push: PushRequest) -> bytes:
    """What a push's idempotency key is bound to: SHA-256 over the parsed request's fields, each
    length-prefixed, so a retry matches whatever format either attempt was sent in."""
    digest = hashlib.sha256(b"journal-push-v2")

    def add(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    add(push.idempotency_key.encode())
    for w in push.writes:
        add(f"{w.id}\x00{w.type}\x00{w.base_version}\x00{w.version}\x00{w.deleted:d}".encode())
        add(w.ciphertext)
    return digest.digest()


def _legacy_hash(push: PushRequest) -> bytes:
    """The hash keys stored before msgpack was spoken (sorted JSON), still honoured on replay."""
    return hashlib.sha256(json.dumps(push.to_json(), sort_keys=True).encode("utf-8")).digest()


def _push(
    state: ServerState, caller: Caller, push: PushRequest, body_hash: bytes
) -> tuple[str, PushResponse | None]:
    """The answer as stored JSON text, and as an object unless it is a replay."""
    with write_transaction(state.engine) as conn:
        # Lock first: on PostgreSQL two retries of one key then see each other's answer.
        last_seq = _locked_last_seq(conn, caller.account_id)
        earlier = conn.execute(
            select(idempotency.c.request_hash, idempotency.c.response).where(
                idempotency.c.account_id == caller.account_id,
                idempotency.c.key == push.idempotency_key,
            )
        ).first()
        if earlier is not None:
            stored_hash = bytes(earlier.request_hash)
            if stored_hash != body_hash and stored_hash != _legacy_hash(push):
                raise ApiError(
                    422, "idempotency_key_reused", "this key was used for a different request"
                )
            return str(earlier.response), None
        applied = _apply(conn, caller.account_id, last_seq, push, state.settings.quota_bytes)
        answer = json.dumps(applied.to_json())
        conn.execute(
            idempotency.insert().values(
                account_id=caller.account_id,
                key=push.idempotency_key,
                request_hash=body_hash,
                response=answer,
                created_at=state.now(),
            )
        )
    return answer, applied


async def push(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    value, binary = await read_negotiated(request, state.settings.max_body_bytes)
    push_request: PushRequest = PushRequest.from_wire(value, binary=binary)
    body_hash = request_hash(push_request)
    text, applied = await run_in_threadpool(_push, state, caller, push_request, body_hash)
    if not wants_msgpack(request):
        return Response(text, media_type=JSON)
    if applied is None:  # a replay: the stored JSON answer, in the format asked for
        applied = PushResponse.from_json(json.loads(text))
    return encoded(applied.to_wire(binary=True), True)


def _get_manifest(conn: Connection, account_id: str) -> Manifest:
    row = conn.execute(select(manifests).where(manifests.c.account_id == account_id)).first()
    if row is None:
        return Manifest(counter=0, blob=None)
    return Manifest(counter=row.counter, blob=bytes(row.blob))


def _read_manifest(state: ServerState, caller: Caller) -> Manifest:
    with state.engine.begin() as conn:
        return _get_manifest(conn, caller.account_id)


async def get_manifest(request: Request) -> Response:
    caller = await authenticate(request)
    manifest = await run_in_threadpool(_read_manifest, state_of(request), caller)
    return JSONResponse(manifest.to_json())


def _put_manifest(state: ServerState, caller: Caller, put: ManifestPut) -> Manifest:
    with write_transaction(state.engine) as conn:
        _locked_last_seq(conn, caller.account_id)  # serialises with pushes on PostgreSQL too
        stored = _get_manifest(conn, caller.account_id)
        if stored.counter != put.base_counter:
            raise ApiError(409, "manifest_conflict", extra={"current": stored.to_json()})
        if stored.blob is None:
            conn.execute(
                manifests.insert().values(
                    account_id=caller.account_id, counter=put.counter, blob=put.blob
                )
            )
        else:
            conn.execute(
                update(manifests)
                .where(manifests.c.account_id == caller.account_id)
                .values(counter=put.counter, blob=put.blob)
            )
    return Manifest(put.counter, put.blob)


async def put_manifest(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    put = ManifestPut.from_json(await read_json(request, state.settings.max_body_bytes))
    manifest = await run_in_threadpool(_put_manifest, state, caller, put)
    return JSONResponse(manifest.to_json())
