"""Changing the account's credentials, and deleting the account; both need the auth secret.

A bearer token alone is not enough for either: the current auth secret is verified (Argon2id,
outside any transaction) under the same per-email and per-address throttle as sign-in, and a
wrong one is audited. The change itself is a compare-and-swap on the stored hash, so two
concurrent changes cannot both win. A credentials change ends every other session (the old
passphrase may be what leaked); deleting the account removes everything stored for it except
its audit trail, which records the deletion.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import admin, audit, throttle
from journal_desktop.server.db import accounts, sessions, write_transaction
from journal_desktop.server.http import ApiError, read_json, unauthorized
from journal_desktop.server.passwords import hash_secret, verify_secret
from journal_desktop.server.sessions import Caller, authenticate
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import AccountDeletion, CredentialsChange


def _audit(conn: Connection, state: ServerState, caller: Caller, event: str) -> None:
    audit.record(
        conn,
        state.audit_key,
        at=state.now(),
        event=event,
        address=caller.address,
        device_name=caller.device_name,
        account_id=caller.account_id,
    )


def _reauthenticate(state: ServerState, caller: Caller, secret: bytes) -> tuple[str, str]:
    """Check the caller's current auth secret; return (email, stored hash) or raise 403."""
    with state.engine.begin() as conn:
        row = conn.execute(
            select(accounts.c.email, accounts.c.auth_hash).where(accounts.c.id == caller.account_id)
        ).first()
        if row is None:  # the account went away under a live token: fail closed
            raise unauthorized()
        keys = {
            throttle.EMAIL: throttle.key_for(state.secret, throttle.EMAIL, row.email),
            throttle.ADDRESS: throttle.key_for(state.secret, throttle.ADDRESS, caller.address),
        }
        throttle.check(conn, state.settings.throttle, keys, state.now())
    if not verify_secret(secret, row.auth_hash):
        with write_transaction(state.engine) as conn:
            throttle.record_failure(conn, state.settings.throttle, keys, state.now())
            _audit(conn, state, caller, audit.REAUTH_FAILED)
        raise ApiError(403, "invalid_credentials")
    return row.email, row.auth_hash


def _change(state: ServerState, caller: Caller, change: CredentialsChange) -> int:
    _, old_hash = _reauthenticate(state, caller, change.current_auth_secret)
    new_hash = hash_secret(change.auth_secret, state.settings.password_hashing)
    with write_transaction(state.engine) as conn:
        result = conn.execute(
            update(accounts)
            .where(accounts.c.id == caller.account_id, accounts.c.auth_hash == old_hash)
            .values(
                auth_hash=new_hash,
                kdf_memory_kib=change.kdf.memory_kib,
                kdf_iterations=change.kdf.iterations,
                kdf_parallelism=change.kdf.parallelism,
                salt=change.salt,
                wrapped_keys=json.dumps(change.wrapped_keys, separators=(",", ":")),
            )
        )
        if result.rowcount != 1:
            raise ApiError(409, "credentials_changed", "changed meanwhile; sign in again")
        ended = conn.execute(
            delete(sessions).where(
                sessions.c.account_id == caller.account_id, sessions.c.id != caller.session_id
            )
        ).rowcount
        _audit(conn, state, caller, audit.CREDENTIALS_CHANGED)
    return ended


async def change_credentials(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    change = CredentialsChange.from_json(await read_json(request, state.settings.max_body_bytes))
    ended = await run_in_threadpool(_change, state, caller, change)
    return JSONResponse({"revoked": ended})


def _delete(state: ServerState, caller: Caller, secret: bytes) -> None:
    email, _ = _reauthenticate(state, caller, secret)
    account = caller.account_id
    with write_transaction(state.engine) as conn:
        admin.erase_account(conn, account)
        throttle.clear_email(conn, throttle.key_for(state.secret, throttle.EMAIL, email))
        _audit(conn, state, caller, audit.ACCOUNT_DELETED)


async def delete_account(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    body = AccountDeletion.from_json(await read_json(request, state.settings.max_body_bytes))
    await run_in_threadpool(_delete, state, caller, body.auth_secret)
    return Response(status_code=204)
