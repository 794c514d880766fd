"""Registration, prelogin, sign-in and sessions, in-process through the sync client."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from journal_desktop.server.settings import SECRET_FILE
from journal_desktop.sync.client import SyncError
from journal_desktop.sync.protocol import DEFAULT_KDF, KdfParams
from tests.server.harness import Server, login_request, register_request

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "permissions-policy": (
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
        "magnetometer=(), microphone=(), payment=(), usb=()"
    ),
}


def test_register_then_keys_come_back(server: Server) -> None:
    client = server.client()
    request = register_request("Alice@Example.org", {"master": "abc", "recovery": "def"})
    account_id = client.register(request)
    client.login(login_request("alice@example.org"))
    keys = client.account_keys()
    assert keys.wrapped_keys == {"master": "abc", "recovery": "def"}
    assert keys.salt == request.salt and keys.kdf == DEFAULT_KDF
    assert account_id


def test_duplicate_email_is_409_whatever_the_case(server: Server) -> None:
    server.client().register(register_request("bob@example.org"))
    with pytest.raises(SyncError) as refused:
        server.client().register(register_request("BOB@example.org"))
    assert (refused.value.status, refused.value.body) == (409, {"error": "account_exists"})


def test_prelogin_same_shape_for_known_and_unknown(server: Server) -> None:
    client = server.client()
    stored = KdfParams(memory_kib=131072, iterations=4, parallelism=2)
    request = register_request("carol@example.org")
    client.register(
        type(request)(request.email, request.auth_secret, stored, b"q" * 16, request.wrapped_keys)
    )
    known = server.http.get("/v1/prelogin", params={"email": "Carol@example.org"}).json()
    unknown = server.http.get("/v1/prelogin", params={"email": "nobody@example.org"}).json()
    assert known.keys() == unknown.keys() and known["kdf"].keys() == unknown["kdf"].keys()
    assert len(base64.b64decode(known["salt"])) == len(base64.b64decode(unknown["salt"]))
    assert client.prelogin("carol@example.org").kdf == stored
    assert client.prelogin("nobody@example.org").kdf == DEFAULT_KDF
    # Stable across calls and case, different per email.
    assert client.prelogin("nobody@example.org") == client.prelogin("NOBODY@example.org")
    assert client.prelogin("nobody@example.org").salt != client.prelogin("other@example.org").salt


def test_fake_salts_survive_a_restart(tmp_path: Path) -> None:
    from tests.server.harness import running, settings_for

    settings = settings_for(tmp_path / "data")
    with running(settings) as http:
        first = http.get("/v1/prelogin", params={"email": "x@example.org"}).json()
    with running(settings) as http:
        assert http.get("/v1/prelogin", params={"email": "x@example.org"}).json() == first
    secret = settings.data_dir / SECRET_FILE
    assert secret.stat().st_mode & 0o777 == 0o600


def test_login_failures_look_the_same(server: Server) -> None:
    server.client().register(register_request("dave@example.org"))
    bodies = []
    for request in (
        login_request("dave@example.org", secret=b"w" * 32),
        login_request("nobody@example.org"),
    ):
        with pytest.raises(SyncError) as refused:
            server.client().login(request)
        bodies.append((refused.value.status, refused.value.body))
    assert bodies == [(401, {"error": "invalid_credentials"})] * 2


def test_token_is_random_and_stored_hashed(server: Server) -> None:
    from sqlalchemy import select

    from journal_desktop.server.db import sessions

    client = server.signed_in("erin@example.org")
    assert client.token is not None and len(base64.urlsafe_b64decode(client.token + "=")) == 32
    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        stored = conn.execute(select(sessions.c.token_hash)).scalars().all()
    assert client.token.encode() not in stored and len(stored[0]) == 32


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/sessions"),
        ("DELETE", "/v1/sessions/abc"),
        ("POST", "/v1/sessions/revoke-others"),
        ("DELETE", "/v1/sessions/current"),
        ("GET", "/v1/account/keys"),
        ("GET", "/v1/items"),
        ("POST", "/v1/items"),
        ("GET", "/v1/manifest"),
        ("PUT", "/v1/manifest"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_every_route_is_fail_closed(
    server: Server, method: str, path: str, authorization: str | None
) -> None:
    server.signed_in("frank@example.org")
    headers = {"Authorization": authorization} if authorization else {}
    response = server.http.request(method, path, headers=headers, json={})
    assert response.status_code == 401 and response.json() == {"error": "unauthorized"}
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_sessions_list_revoke_and_logout(server: Server) -> None:
    laptop = server.signed_in("gina@example.org", "laptop")
    server.clock.now += 120
    phone = server.signed_in("gina@example.org", "phone")
    server.clock.now += 1
    tablet = server.signed_in("gina@example.org", "tablet")
    listed = laptop.sessions()
    assert [s.device_name for s in listed] == ["laptop", "phone", "tablet"]
    assert [s.current for s in listed] == [True, False, False]
    assert listed[0].address == "testclient"
    phone_id = listed[1].session_id
    laptop.revoke_session(phone_id)
    with pytest.raises(SyncError, match="unauthorized"):
        phone.sessions()
    with pytest.raises(SyncError) as missing:
        laptop.revoke_session(phone_id)
    assert missing.value.status == 404
    assert tablet.revoke_other_sessions() == 1
    with pytest.raises(SyncError, match="unauthorized"):
        laptop.sessions()
    old_token = tablet.token
    tablet.logout()
    assert tablet.token is None
    with pytest.raises(SyncError, match="unauthorized"):
        server.client(old_token).sessions()


def test_idle_timeout_and_expiry(server: Server) -> None:
    settings = server.http.app.state.server.settings  # type: ignore[attr-defined]
    client = server.signed_in("hank@example.org")
    # Used within the idle timeout, again and again: still alive, last seen moves on.
    for _ in range(3):
        server.clock.now += settings.session_idle_timeout - 100
        client.sessions()
    assert client.sessions()[0].last_seen_at == int(server.clock.now)
    # Unused for longer than the idle timeout: gone.
    server.clock.now += settings.session_idle_timeout
    with pytest.raises(SyncError, match="unauthorized"):
        client.sessions()
    # Kept busy, a session still ends at its lifetime.
    fresh = server.signed_in("hank@example.org")
    start = server.clock.now
    while server.clock.now + 3600 < start + settings.session_lifetime:
        server.clock.now += settings.session_idle_timeout / 2
        if server.clock.now >= start + settings.session_lifetime:
            break
        fresh.sessions()
    server.clock.now = start + settings.session_lifetime
    with pytest.raises(SyncError, match="unauthorized"):
        fresh.sessions()


def test_cross_account_sessions_are_invisible(server: Server) -> None:
    alice = server.signed_in("ida@example.org")
    bob = server.signed_in("jon@example.org")
    alice_session = alice.sessions()[0].session_id
    assert [s.device_name for s in bob.sessions()] == ["laptop"]
    with pytest.raises(SyncError) as refused:
        bob.revoke_session(alice_session)
    assert refused.value.status == 404
    assert bob.revoke_other_sessions() == 0
    assert alice.sessions()[0].session_id == alice_session
