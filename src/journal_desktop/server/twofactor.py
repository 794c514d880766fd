"""The TOTP routes: set up (pending), enable with a first code, disable with a code.

Setup is refused while TOTP is on, so a stolen session token cannot swap in its own secret;
enable and disable need a current code. Wrong codes count against the account's sign-in
throttle (the same counter sign-in uses), so a session token cannot be used to guess codes
without limit. Every change is audited in its own transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import audit, second_factor, throttle
from journal_desktop.server.db import accounts, totp, write_transaction
from journal_desktop.server.http import ApiError, read_json
from journal_desktop.server.sessions import Caller, authenticate
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import CodeRequest, TotpSetup


def _email_of(conn: Connection, account_id: str) -> str:
    email = conn.execute(select(accounts.c.email).where(accounts.c.id == account_id)).scalar()
    if email is None:  # the account went away under a live token: fail closed
        raise ApiError(401, "unauthorized")
    return str(email)


def _throttle_key(state: ServerState, email: str) -> dict[str, bytes]:
    return {throttle.EMAIL: throttle.key_for(state.secret, throttle.EMAIL, email)}


def _bad_code() -> ApiError:
    """A wrong code: `throttle.reserve` counted it already, in the transaction that checked it
    (counted after, in a transaction of its own, concurrent guesses all passed the check)."""
    return ApiError(403, "invalid_code")


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


def _setup(state: ServerState, caller: Caller) -> TotpSetup:
    secret = second_factor.new_secret()
    with write_transaction(state.engine) as conn:
        email = _email_of(conn, caller.account_id)
        enabled = conn.execute(
            select(totp.c.enabled).where(totp.c.account_id == caller.account_id)
        ).scalar()
        if enabled:
            raise ApiError(409, "totp_already_enabled")
        second_factor.remove(conn, caller.account_id)
        conn.execute(
            totp.insert().values(
                account_id=caller.account_id,
                secret=second_factor.seal(state.totp_key, caller.account_id, secret),
                enabled=False,
                last_step=0,
                created_at=state.now(),
            )
        )
    return TotpSetup(secret=secret, otpauth_uri=second_factor.otpauth_uri(secret, email))


async def setup(request: Request) -> Response:
    caller = await authenticate(request)
    answer = await run_in_threadpool(_setup, state_of(request), caller)
    return JSONResponse(answer.to_json())


def _enable(state: ServerState, caller: Caller, code: str) -> list[str]:
    with write_transaction(state.engine) as conn:
        keys = _throttle_key(state, _email_of(conn, caller.account_id))
        throttle.reserve(conn, state.settings.throttle, keys, state.now())
        enabled = conn.execute(
            select(totp.c.enabled).where(totp.c.account_id == caller.account_id)
        ).scalar()
        if enabled is None:
            raise ApiError(409, "totp_not_set_up")
        if enabled:
            raise ApiError(409, "totp_already_enabled")
        if second_factor.consume_totp(conn, state.totp_key, caller.account_id, code, state.now()):
            throttle.release(conn, keys)
            conn.execute(
                totp.update().where(totp.c.account_id == caller.account_id).values(enabled=True)
            )
            codes = second_factor.new_recovery_codes(conn, state.secret, caller.account_id)
            _audit(conn, state, caller, audit.TOTP_ENABLED)
            return codes
        throttle.settle(conn, keys)  # a wrong code: its count stays
    raise _bad_code()


async def enable(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    body = CodeRequest.from_json(await read_json(request, state.settings.max_body_bytes))
    codes = await run_in_threadpool(_enable, state, caller, body.code)
    return JSONResponse({"recovery_codes": codes})


def _disable(state: ServerState, caller: Caller, code: str) -> None:
    with write_transaction(state.engine) as conn:
        keys = _throttle_key(state, _email_of(conn, caller.account_id))
        throttle.reserve(conn, state.settings.throttle, keys, state.now())
        if not second_factor.is_enabled(conn, caller.account_id):
            raise ApiError(409, "totp_not_enabled")
        ok = second_factor.consume_totp(conn, state.totp_key, caller.account_id, code, state.now())
        if not ok:
            ok = second_factor.consume_recovery_code(conn, state.secret, caller.account_id, code)
        if ok:
            throttle.release(conn, keys)
            second_factor.remove(conn, caller.account_id)
            _audit(conn, state, caller, audit.TOTP_DISABLED)
            return
        throttle.settle(conn, keys)  # a wrong code: its count stays
    raise _bad_code()


async def disable(request: Request) -> Response:
    caller = await authenticate(request)
    state = state_of(request)
    body = CodeRequest.from_json(await read_json(request, state.settings.max_body_bytes))
    await run_in_threadpool(_disable, state, caller, body.code)
    return Response(status_code=204)
