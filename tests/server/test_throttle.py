"""Failed sign-ins are throttled by email and by client address, before any Argon2id work."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal_desktop import argon2
from journal_desktop.server import signin
from journal_desktop.server.throttle import Limits
from journal_desktop.sync.client import SyncClient, SyncError
from tests.server.harness import BASE_URL, Clock, Server, login_request, running, settings_for

WRONG = b"w" * 32


def _fail(client: SyncClient, email: str) -> SyncError:
    with pytest.raises(SyncError) as refused:
        client.login(login_request(email, secret=WRONG))
    return refused.value


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts Argon2id verifications made by sign-in."""
    calls: list[int] = []
    real = signin.verify_secret

    def counting(secret: bytes, encoded: str) -> bool:
        calls.append(1)
        return real(secret, encoded)

    monkeypatch.setattr(signin, "verify_secret", counting)
    yield calls


def test_an_email_is_locked_after_five_failures(server: Server, hashes: list[int]) -> None:
    server.signed_in("alice@example.org").logout()
    client = server.client()
    for _ in range(5):
        assert _fail(client, "alice@example.org").code == "invalid_credentials"
        server.clock.now += 60
    hashes.clear()
    with pytest.raises(SyncError) as locked:
        client.login(login_request("alice@example.org"))  # even the right secret
    assert (locked.value.status, locked.value.body) == (429, {"error": "too_many_attempts"})
    assert locked.value.retry_after == 15 * 60 - 5 * 60  # the window opened 5 minutes ago
    assert hashes == []  # refused before any Argon2id work
    server.clock.now += locked.value.retry_after
    client.login(login_request("alice@example.org"))
    events = [e.event for e in client.security_events()]
    assert events[:7] == ["sign_in", "sign_in_throttled", *["sign_in_failed"] * 5]


def test_a_success_clears_the_email_counter(server: Server) -> None:
    server.signed_in("alice@example.org").logout()
    client = server.client()
    for _ in range(4):
        _fail(client, "alice@example.org")
    client.login(login_request("alice@example.org"))
    for _ in range(4):
        _fail(client, "alice@example.org")
    client.login(login_request("alice@example.org"))


def test_an_unknown_email_is_locked_the_same_way(server: Server) -> None:
    client = server.client()
    for _ in range(5):
        assert _fail(client, "ghost@example.org").code == "invalid_credentials"
    assert _fail(client, "ghost@example.org").code == "too_many_attempts"
    # Other emails from the same address are not yet affected.
    server.signed_in("bob@example.org")


def test_an_address_is_locked_after_twenty_failures(tmp_path: Path, hashes: list[int]) -> None:
    clock = Clock()
    with running(settings_for(tmp_path / "data", clock, behind_proxy=True)) as http:
        server = Server(http=http, clock=clock)
        server.signed_in("victim@example.org").logout()
        attacker = SyncClient(http, BASE_URL)
        http.headers["X-Forwarded-For"] = "203.0.113.9"
        for n in range(20):
            assert _fail(attacker, f"user{n}@example.org").code == "invalid_credentials"
        hashes.clear()
        refused = _fail(attacker, "victim@example.org")
        assert (refused.code, refused.retry_after) == ("too_many_attempts", 15 * 60)
        assert hashes == []
        # The account itself is not locked: its owner signs in from elsewhere.
        http.headers["X-Forwarded-For"] = "198.51.100.7"
        SyncClient(http, BASE_URL).login(login_request("victim@example.org"))
        # A success elsewhere does not reset the attacking address.
        http.headers["X-Forwarded-For"] = "203.0.113.9"
        assert _fail(attacker, "victim@example.org").code == "too_many_attempts"
        clock.now += 15 * 60
        assert _fail(attacker, "victim@example.org").code == "invalid_credentials"


def test_the_lock_holds_across_server_processes(tmp_path: Path, database_url: str | None) -> None:
    """Two apps on one database (as two processes would be) enforce one counter."""
    clock = Clock()
    limits = Limits(per_email=3)
    settings = settings_for(tmp_path / "data", clock, throttle=limits, database_url=database_url)
    with running(settings) as first, running(settings) as second:
        Server(http=first, clock=clock).signed_in("alice@example.org").logout()
        _fail(SyncClient(first, BASE_URL), "alice@example.org")
        _fail(SyncClient(second, BASE_URL), "alice@example.org")
        _fail(SyncClient(first, BASE_URL), "alice@example.org")
        with pytest.raises(SyncError) as locked:
            SyncClient(second, BASE_URL).login(login_request("alice@example.org"))
        assert locked.value.status == 429
        assert locked.value.retry_after is not None and locked.value.retry_after > 0


def test_retry_after_is_on_the_raw_response(server: Server) -> None:
    for _ in range(5):
        _fail(server.client(), "carol@example.org")
    response = server.http.post("/v1/sessions", json=login_request("carol@example.org").to_json())
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(15 * 60)
    assert response.json() == {"error": "too_many_attempts"}


def test_concurrent_guesses_cannot_all_pass_the_check(tmp_path: Path) -> None:
    """The check ran before the Argon2id work and the count after it: guesses sent together
    all passed a check that had counted none of them (30 parallel wrong sign-ins for one
    email were 30 guesses). Here every guess waits on the hashing while the others come in."""
    with running(settings_for(tmp_path / "data")) as http:
        server = Server(http=http, clock=Clock())
        server.signed_in("alice@example.org").logout()
        answers: list[int] = []

        def guess() -> None:
            body = login_request("alice@example.org", secret=WRONG).to_json()
            answers.append(http.post("/v1/sessions", json=body).status_code)

        threads = [threading.Thread(target=guess, daemon=True) for _ in range(12)]
        with argon2._ONE_AT_A_TIME:  # no guess gets its hash before all have come in
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 20
            while len(answers) < 7 and time.monotonic() < deadline:
                time.sleep(0.05)
        for thread in threads:
            thread.join(30)
    assert sorted(answers) == [401] * 5 + [429] * 7
