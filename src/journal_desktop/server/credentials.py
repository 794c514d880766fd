"""Changing the account's credentials, and deleting the account; both need the auth secret.

A bearer token alone is not enough for either: the current auth secret is verified (Argon2id,
outside any transaction) under the same per-email and per-address throttle as sign-in, and a
wrong one is audited. The change itself is a compare-and-swap on the stored hash, so two
concurrent changes cannot both win. A credentials change ends every other session (the old
passphrase may be what leaked); deleting the account removes everything stored for it except
its audit trail, which records the deletion.

With two-factor sign-in on, both also need a current TOTP code or an unused recovery code, as
sign-in does: a stolen token plus the auth secret (say, read from a device's memory) is not
enough. A right secret without a code is 401 totp_required (not counted); a wrong code is 403
invalid_code, counted against the same throttle and audited. The code is consumed in the same
transaction as the change, so a refused change leaves it unused.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, select, update
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import admin, audit, second_factor, throttle
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


def _reauthenticate(
    state: ServerState, caller: Caller, secret: bytes
) -> tuple[str, str, dict[str, bytes]]:
    """Check the caller's current auth secret; return (email, stored hash, throttle keys) or
    raise 403."""
    with write_transaction(state.engine) as conn:
        row = conn.execute(
            select(accounts.c.email, accounts.c.auth_hash).where(accounts.c.id == caller.account_id)
        ).first()
        if row is None:  # the account went away under a live token: fail closed
            raise unauthorized()
        keys = {
            throttle.EMAIL: throttle.key_for(state.secret, throttle.EMAIL, row.email),
            throttle.ADDRESS: throttle.key_for(state.secret, throttle.ADDRESS, caller.address),
        }
        # Counted before the Argon2id work, as sign-in does (see `throttle.reserve`).
        throttle.reserve(conn, state.settings.throttle, keys, state.now())
    if not verify_secret(secret, row.auth_hash):
        with write_transaction(state.engine) as conn:
            throttle.settle(conn, keys)  # a failure: its count stays
            _audit(conn, state, caller, audit.REAUTH_FAILED)
        raise ApiError(403, "invalid_credentials")
    with write_transaction(state.engine) as conn:
        throttle.release(conn, keys)  # the secret was right: no failure
    return row.email, row.auth_hash, keys


def _second_factor_passes(
    conn: Connection,
    state: ServerState,
    caller: Caller,
    totp_code: str | None,
    recovery_code: str | None,
) -> bool:
    """Check (and consume) the second factor inside the change's transaction: true if it
    passed, false if it was wrong; 401 totp_required if one is needed and none came."""
    verdict = second_factor.check(
        conn,
        key=state.totp_key,
        server_secret=state.secret,
        account_id=caller.account_id,
        totp_code=totp_code,
        recovery_code=recovery_code,
        now=state.now(),
    )
    if verdict == second_factor.Verdict.REQUIRED:
        raise ApiError(401, "totp_required")
    if verdict == second_factor.Verdict.RECOVERED:
        _audit(conn, state, caller, audit.RECOVERY_CODE_USED)
    return verdict != second_factor.Verdict.WRONG


def _wrong_code(state: ServerState, caller: Caller, keys: dict[str, bytes]) -> ApiError:
    """Count and audit a wrong second factor (in its own transaction); the caller raises it."""
    with write_transaction(state.engine) as conn:
        throttle.record_failure(conn, state.settings.throttle, keys, state.now())
        _audit(conn, state, caller, audit.REAUTH_FAILED)
    return ApiError(403, "invalid_code")


def _change(state: ServerState, caller: Caller, change: CredentialsChange) -> int:
    _, old_hash, keys = _reauthenticate(state, caller, change.current_auth_secret)
    new_hash = hash_secret(change.auth_secret, state.settings.password_hashing)
    with write_transaction(state.engine) as conn:
        passed = _second_factor_passes(conn, state, caller, change.totp_code, change.recovery_code)
        if passed:
            ended = _replace_credentials(conn, state, caller, change, old_hash, new_hash)
    if not passed:
        raise _wrong_code(state, caller, keys)
    return ended


def _replace_credentials(
    conn: Connection,
    state: ServerState,
    caller: Caller,
    change: CredentialsChange,
    old_hash: str,
    new_hash: str,
) -> int:
    """The compare-and-swap on the stored hash; ends every other session."""
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


def _delete(state: ServerState, caller: Caller, deletion: AccountDeletion) -> None:
    email, _, keys = _reauthenticate(state, caller, deletion.auth_secret)
    account = caller.account_id
    with write_transaction(state.engine) as conn:
        passed = _second_factor_passes(
            conn, state, caller, deletion.totp_code, deletion.recovery_code
        )
        if passed:
            admin.erase_account(conn, account)
            throttle.clear_email(conn, throttle.key_for(state.secret, throttle.EMAIL, email))
            _audit(conn, state, caller, audit.ACCOUNT_DELETED)
    if not passed:
        raise _wrong_code(state, caller, keys)


async def delete_account(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    body = AccountDeletion.from_json(await read_json(request, state.settings.max_body_bytes))
    await run_in_threadpool(_delete, state, caller, body)
    return Response(status_code=204)
