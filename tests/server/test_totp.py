"""TOTP two-factor sign-in: setup, enable, sign-in with a code, replay, drift, recovery codes."""

from __future__ import annotations

import dataclasses
import threading
import time

import pyotp
import pytest

from journal_desktop.server import second_factor
from journal_desktop.sync.client import SyncClient, SyncError
from journal_desktop.sync.protocol import LoginRequest
from tests.server.harness import Server, login_request

EMAIL = "alice@example.org"


def _code(secret: str, server: Server, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(server.clock.now) + 30 * steps)


def _enabled(server: Server) -> tuple[SyncClient, str, list[str]]:
    alice = server.signed_in(EMAIL)
    setup = alice.totp_setup()
    assert setup.otpauth_uri.startswith("otpauth://totp/")
    assert pyotp.parse_uri(setup.otpauth_uri).secret == setup.secret
    codes = alice.totp_enable(_code(setup.secret, server))
    server.clock.now += 30  # the enabling code's step is used up
    return alice, setup.secret, codes


def _login(server: Server, **second: str) -> SyncClient:
    client = server.client()
    client.login(dataclasses.replace(login_request(EMAIL), **second))
    return client


def _refused(server: Server, **second: str) -> SyncError:
    with pytest.raises(SyncError) as refused:
        _login(server, **second)
    return refused.value


def test_enable_returns_ten_distinct_recovery_codes(server: Server) -> None:
    _, _, codes = _enabled(server)
    assert len(codes) == len(set(codes)) == 10
    assert all(len(c) == 19 for c in codes)


def test_a_right_secret_without_a_code_is_totp_required(server: Server) -> None:
    _enabled(server)
    refused = _refused(server)
    assert (refused.status, refused.body) == (401, {"error": "totp_required"})
    # Not counted as a failure: many such answers never lock the account.
    for _ in range(6):
        assert _refused(server).code == "totp_required"


def test_a_code_signs_in_once_and_never_again(server: Server) -> None:
    _, secret, _ = _enabled(server)
    code = _code(secret, server)
    _login(server, totp_code=code)
    refused = _refused(server, totp_code=code)
    assert (refused.status, refused.code) == (401, "invalid_credentials")
    # An earlier step than the last accepted one is refused too, even within the drift window.
    server.clock.now += 30
    _login(server, totp_code=_code(secret, server, steps=1))
    assert _refused(server, totp_code=_code(secret, server)).code == "invalid_credentials"


def test_one_step_of_drift_either_way(server: Server) -> None:
    _, secret, _ = _enabled(server)
    server.clock.now += 90
    assert _refused(server, totp_code=_code(secret, server, steps=2)).code == "invalid_credentials"
    assert _refused(server, totp_code=_code(secret, server, steps=-2)).code == (
        "invalid_credentials"
    )
    _login(server, totp_code=_code(secret, server, steps=-1))
    _login(server, totp_code=_code(secret, server, steps=1))


def test_wrong_codes_count_as_failures(server: Server) -> None:
    _enabled(server)
    for _ in range(5):
        assert _refused(server, totp_code="000000").code == "invalid_credentials"
    assert _refused(server, totp_code="000000").code == "too_many_attempts"


def test_a_recovery_code_works_once(server: Server) -> None:
    _, _, codes = _enabled(server)
    client = _login(server, recovery_code=codes[0].lower().replace("-", " "))
    assert _refused(server, recovery_code=codes[0]).code == "invalid_credentials"
    _login(server, recovery_code=codes[1])
    assert [e.event for e in client.security_events()][:2] == ["recovery_code_used", "sign_in"]


def test_enable_with_a_wrong_code_is_refused(server: Server) -> None:
    alice = server.signed_in(EMAIL)
    with pytest.raises(SyncError) as not_set_up:
        alice.totp_enable("123456")
    assert (not_set_up.value.status, not_set_up.value.code) == (409, "totp_not_set_up")
    alice.totp_setup()
    with pytest.raises(SyncError) as wrong:
        alice.totp_enable("12345x")
    assert (wrong.value.status, wrong.value.code) == (403, "invalid_code")
    # Still pending: sign-in needs no code.
    _login(server)


def test_setup_is_refused_while_enabled(server: Server) -> None:
    alice, _, _ = _enabled(server)
    with pytest.raises(SyncError) as refused:
        alice.totp_setup()
    assert (refused.value.status, refused.value.code) == (409, "totp_already_enabled")


def test_disable_with_a_code_or_a_recovery_code(server: Server) -> None:
    alice, secret, codes = _enabled(server)
    with pytest.raises(SyncError) as wrong:
        alice.totp_disable("000000")
    assert wrong.value.code == "invalid_code"
    alice.totp_disable(_code(secret, server))
    _login(server)  # no code needed any more
    with pytest.raises(SyncError) as again:
        alice.totp_disable(_code(secret, server))
    assert again.value.code == "totp_not_enabled"
    # The old recovery codes died with it.
    setup = alice.totp_setup()
    fresh = alice.totp_enable(_code(setup.secret, server))
    assert not set(fresh) & set(codes)
    alice.totp_disable(fresh[3])
    events = [e.event for e in alice.security_events()]
    assert events.count("totp_enabled") == 2 and events.count("totp_disabled") == 2


def test_another_accounts_token_changes_nothing(server: Server) -> None:
    _, secret, codes = _enabled(server)
    bob = server.signed_in("bob@example.org")
    with pytest.raises(SyncError) as refused:
        bob.totp_disable(_code(secret, server))
    assert refused.value.code == "totp_not_enabled"
    with pytest.raises(SyncError):
        bob.totp_disable(codes[0])
    assert _refused(server).code == "totp_required"
    _login(server, recovery_code=codes[0])  # bob's attempt did not use it up
    assert "totp_enabled" not in [e.event for e in bob.security_events()]


def test_the_login_request_carries_the_codes() -> None:
    body = LoginRequest(EMAIL, b"a" * 32, "d", totp_code="123456", recovery_code=None).to_json()
    assert body["totp_code"] == "123456" and "recovery_code" not in body


def test_guessing_codes_with_a_session_token_is_throttled(server: Server) -> None:
    alice = server.signed_in(EMAIL)
    alice.totp_setup()
    for _ in range(5):
        with pytest.raises(SyncError) as wrong:
            alice.totp_enable("000000")
        assert wrong.value.code == "invalid_code"
    with pytest.raises(SyncError) as locked:
        alice.totp_enable("000000")
    assert (locked.value.status, locked.value.code) == (429, "too_many_attempts")


def test_a_new_setup_replaces_a_pending_secret(server: Server) -> None:
    alice = server.signed_in(EMAIL)
    first = alice.totp_setup()
    second = alice.totp_setup()
    assert first.secret != second.secret
    with pytest.raises(SyncError):
        alice.totp_enable(_code(first.secret, server))
    alice.totp_enable(_code(second.secret, server))


def test_concurrent_code_guesses_cannot_all_pass_the_check(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check ran in the guess's transaction and the count in another one after it: on
    PostgreSQL guesses sent together all passed a check that had counted none of them. Here
    every guess waits at the code check while the others come in."""
    alice, _, _ = _enabled(server)
    headers = {"Authorization": f"Bearer {alice.token}"}
    arrived = threading.Event()
    go_on = threading.Event()
    real = second_factor.consume_totp

    def slow(*args: object, **kwargs: object) -> bool:
        arrived.set()
        go_on.wait(10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(second_factor, "consume_totp", slow)
    answers: list[int] = []

    def guess() -> None:
        response = server.http.post(
            "/v1/2fa/totp/disable", json={"code": "000000"}, headers=headers
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=guess, daemon=True) for _ in range(12)]
    for thread in threads:
        thread.start()
    assert arrived.wait(10)
    time.sleep(0.5)  # the other guesses are in (at the check, or waiting for its lock)
    go_on.set()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [403] * 5 + [429] * 7
