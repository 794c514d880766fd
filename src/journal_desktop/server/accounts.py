"""Registration, prelogin and the account's wrapped keys.

Registrations are limited per client address (`throttle.REGISTER`), counted before the
Argon2id hash of the auth secret.

Prelogin answers every email the same way: a known one gets its stored KDF parameters and salt,
an unknown one a salt derived from the server secret and the email (stable, per email) with the
default parameters, so the answer does not tell who has an account.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import audit, throttle
from journal_desktop.server.db import accounts, write_transaction
from journal_desktop.server.http import ApiError, client_address, query, read_json
from journal_desktop.server.passwords import hash_secret
from journal_desktop.server.sessions import authenticate
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.fields import Email
from journal_desktop.sync.protocol import (
    DEFAULT_KDF,
    MAX_EMAIL_CHARS,
    MIN_SALT_BYTES,
    AccountKeys,
    KdfParams,
    Prelogin,
    RegisterRequest,
)

_EMAIL = Email(MAX_EMAIL_CHARS)


def fake_salt(secret: bytes, email: str) -> bytes:
    digest = hmac.new(secret, b"prelogin-salt\x00" + email.encode("utf-8"), hashlib.sha256)
    return digest.digest()[:MIN_SALT_BYTES]


def _kdf(row: object) -> KdfParams:
    return KdfParams(
        memory_kib=row.kdf_memory_kib,  # type: ignore[attr-defined]
        iterations=row.kdf_iterations,  # type: ignore[attr-defined]
        parallelism=row.kdf_parallelism,  # type: ignore[attr-defined]
    )


def _prelogin(state: ServerState, email: str) -> Prelogin:
    with state.engine.begin() as conn:
        row = conn.execute(select(accounts).where(accounts.c.email == email)).first()
    if row is None:
        return Prelogin(kdf=DEFAULT_KDF, salt=fake_salt(state.secret, email))
    return Prelogin(kdf=_kdf(row), salt=row.salt)


async def prelogin(request: Request) -> Response:
    params = query(request.query_params, frozenset({"email"}))
    # The rules a body's email is read by (a NUL reached PostgreSQL as a 500).
    email: str = _EMAIL.read(params.get("email", ""), "query.email")
    answer = await run_in_threadpool(_prelogin, state_of(request), email)
    return JSONResponse(answer.to_json())


def _register(state: ServerState, body: RegisterRequest, address: str) -> str:
    # Counted before the Argon2id work: unlimited, registrations kept the hashing (which
    # every sign-in waits for) busy for anyone who sent them.
    key = throttle.key_for(state.secret, throttle.REGISTER, address)
    with write_transaction(state.engine) as conn:
        throttle.count_registration(conn, state.settings.throttle, key, state.now())
    auth_hash = hash_secret(body.auth_secret, state.settings.password_hashing)
    account_id = uuid.uuid4().hex
    try:
        with write_transaction(state.engine) as conn:
            conn.execute(
                accounts.insert().values(
                    id=account_id,
                    email=body.email,
                    auth_hash=auth_hash,
                    kdf_memory_kib=body.kdf.memory_kib,
                    kdf_iterations=body.kdf.iterations,
                    kdf_parallelism=body.kdf.parallelism,
                    salt=body.salt,
                    wrapped_keys=json.dumps(body.wrapped_keys, separators=(",", ":")),
                    created_at=state.now(),
                    last_seq=0,
                )
            )
            audit.record(
                conn,
                state.audit_key,
                at=state.now(),
                event=audit.ACCOUNT_CREATED,
                address=address,
                account_id=account_id,
            )
    except IntegrityError:
        raise ApiError(409, "account_exists") from None
    return account_id


async def register(request: Request) -> Response:
    state = state_of(request)
    body = RegisterRequest.from_json(await read_json(request, state.settings.max_body_bytes))
    address = client_address(request, state.settings.behind_proxy)
    account_id = await run_in_threadpool(_register, state, body, address)
    return JSONResponse({"account_id": account_id}, status_code=201)


def _keys(state: ServerState, account_id: str) -> AccountKeys:
    with state.engine.begin() as conn:
        row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    if row is None:  # the account went away under a live token: fail closed
        raise ApiError(401, "unauthorized")
    return AccountKeys(kdf=_kdf(row), salt=row.salt, wrapped_keys=json.loads(row.wrapped_keys))


async def account_keys(request: Request) -> Response:
    caller = await authenticate(request)
    keys = await run_in_threadpool(_keys, state_of(request), caller.account_id)
    return JSONResponse(keys.to_json())
