"""POST /v1/sessions: sign-in, throttled per email and per client address, and audited.

Order matters: the attempt is counted against the throttle before any Argon2id work (and given
back if it was no failure), so a locked email or address costs one short transaction and
concurrent guesses cannot all pass a check made before any of them was counted; an unknown
email is verified against a dummy hash, so it takes as long as a wrong secret; every failure
answers the same `invalid_credentials`. With TOTP on, a right secret without a code is
`totp_required` (not counted); a wrong code or recovery code is a failure like a wrong secret.
Failures are audited in their own transaction; a success consumes the code, clears the email's
counter and opens the session in one transaction.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from journal_desktop.server import audit, second_factor, throttle
from journal_desktop.server.db import accounts, sessions, write_transaction
from journal_desktop.server.http import ApiError, client_address, read_json
from journal_desktop.server.passwords import verify_secret
from journal_desktop.server.sessions import account_suspended, token_hash
from journal_desktop.server.state import ServerState, state_of
from journal_desktop.sync.protocol import LoginRequest, LoginResponse


def _throttle_keys(state: ServerState, login: LoginRequest, address: str) -> dict[str, bytes]:
    return {
        throttle.EMAIL: throttle.key_for(state.secret, throttle.EMAIL, login.email),
        throttle.ADDRESS: throttle.key_for(state.secret, throttle.ADDRESS, address),
    }


def _fail(
    state: ServerState,
    login: LoginRequest,
    address: str,
    locked: set[str],
    account_id: str | None,
) -> ApiError:
    """Audit a failed attempt (`throttle.reserve` counted it; `locked`: the scopes it locks),
    and settle its count as a failure; the caller raises the returned 401."""
    now = state.now()
    with write_transaction(state.engine) as conn:
        throttle.settle(conn, _throttle_keys(state, login, address))

        def note(event: str) -> None:
            audit.record(
                conn,
                state.audit_key,
                at=now,
                event=event,
                address=address,
                device_name=login.device_name,
                account_id=account_id,
                email_key=state.email_key(login.email),
            )

        note(audit.SIGN_IN_FAILED)
        if locked:
            note(audit.SIGN_IN_THROTTLED)
    return ApiError(401, "invalid_credentials")


def _open_session(
    conn: Connection, state: ServerState, account_id: str, login: LoginRequest, address: str
) -> LoginResponse:
    now = state.now()
    token = secrets.token_urlsafe(32)
    session_id = secrets.token_urlsafe(16)
    conn.execute(
        sessions.insert().values(
            id=session_id,
            account_id=account_id,
            token_hash=token_hash(token),
            device_name=login.device_name,
            created_at=now,
            last_seen_at=now,
            expires_at=now + int(state.settings.session_lifetime),
            address=address,
        )
    )
    audit.record(
        conn,
        state.audit_key,
        at=now,
        event=audit.SIGN_IN,
        address=address,
        device_name=login.device_name,
        account_id=account_id,
    )
    return LoginResponse(token=token, session_id=session_id)


def _sign_in(state: ServerState, login: LoginRequest, address: str) -> LoginResponse:
    keys = _throttle_keys(state, login, address)
    with write_transaction(state.engine) as conn:
        # Counted before the Argon2id work, so concurrent guesses cannot all pass the check.
        would_lock = throttle.reserve(conn, state.settings.throttle, keys, state.now())
        row = conn.execute(
            select(accounts.c.id, accounts.c.auth_hash).where(accounts.c.email == login.email)
        ).first()
    # Verify something either way, so an unknown email costs the same time as a wrong secret.
    ok = verify_secret(login.auth_secret, row.auth_hash if row else state.dummy_hash)
    if row is None or not ok:
        raise _fail(state, login, address, would_lock, row.id if row else None)
    with write_transaction(state.engine) as conn:
        # Only a right secret learns of a suspension. The row lock orders this sign-in with
        # `admin suspend`: either it sees the suspension, or its session is ended with the rest.
        current = conn.execute(
            select(accounts.c.suspended_at).where(accounts.c.id == row.id).with_for_update()
        ).first()
        if current is None:  # deleted since the secret was checked
            raise ApiError(401, "invalid_credentials")
        if current.suspended_at is not None:
            _note(conn, state, audit.SIGN_IN_SUSPENDED, row.id, login, address)
            verdict = _SUSPENDED
        else:
            verdict = _second_factor(conn, state, row.id, login)
        if verdict in (_SUSPENDED, _REQUIRED):  # the secret was right: not a failure
            throttle.release(conn, keys)
        if verdict in (_PASSED, _RECOVERED):
            throttle.clear_email(conn, keys[throttle.EMAIL])
            throttle.release(conn, {throttle.ADDRESS: keys[throttle.ADDRESS]})
            throttle.prune(conn, state.settings.throttle, state.now())
            answer = _open_session(conn, state, row.id, login, address)
            if verdict == _RECOVERED:
                _note(conn, state, audit.RECOVERY_CODE_USED, row.id, login, address)
            return answer
    if verdict == _SUSPENDED:
        raise account_suspended()
    if verdict == _REQUIRED:
        raise ApiError(401, "totp_required")
    raise _fail(state, login, address, would_lock, row.id)


_PASSED, _RECOVERED, _REQUIRED, _WRONG = "passed", "recovered", "required", "wrong"
_SUSPENDED = "suspended"


def _second_factor(
    conn: Connection, state: ServerState, account_id: str, login: LoginRequest
) -> str:
    """Check (and consume) the second factor, if the account has one; the auth secret was right."""
    return second_factor.check(
        conn,
        key=state.totp_key,
        server_secret=state.secret,
        account_id=account_id,
        totp_code=login.totp_code,
        recovery_code=login.recovery_code,
        now=state.now(),
    ).value


def _note(
    conn: Connection,
    state: ServerState,
    event: str,
    account_id: str,
    login: LoginRequest,
    address: str,
) -> None:
    audit.record(
        conn,
        state.audit_key,
        at=state.now(),
        event=event,
        address=address,
        device_name=login.device_name,
        account_id=account_id,
    )


async def create_session(request: Request) -> Response:
    state = state_of(request)
    login = LoginRequest.from_json(await read_json(request, state.settings.max_body_bytes))
    address = client_address(request, state.settings.behind_proxy)
    answer = await run_in_threadpool(_sign_in, state, login, address)
    return JSONResponse(answer.to_json(), status_code=201)
