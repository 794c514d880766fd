"""A sign-in refused because others for the same email are still being checked is told to come
back in a few seconds; one refused because of past failures waits for the whole window.

Every attempt is counted before its secret is checked, so attempts in flight fill the limit
as failures would. The refusal is right (the checks must not all pass a count that has none of
them), but its Retry-After was the whole 15-minute window, though the attempts in flight may
all turn out right a moment later and the email was never locked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal_desktop.server import signin, throttle
from journal_desktop.server.throttle import Limits
from tests.server.harness import Clock, Server, login_request, running, settings_for

WRONG = b"w" * 32
EMAIL = "alice@example.org"


class Gate:
    """Holds sign-ins in their secret check until opened (bounded: never more than 20 s)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.open = threading.Event()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    real = signin.verify_secret

    def held(secret: bytes, encoded: str) -> bool:
        gate.entered.set()
        gate.open.wait(20)
        return real(secret, encoded)

    monkeypatch.setattr(signin, "verify_secret", held)
    yield gate
    gate.open.set()


def _in_background(http: object, secret: bytes | None, answers: list[int]) -> threading.Thread:
    def attempt() -> None:
        body = login_request(EMAIL, secret=secret).to_json()
        answers.append(http.post("/v1/sessions", json=body).status_code)  # type: ignore[attr-defined]

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    return thread


def test_attempts_in_flight_get_a_short_retry_after(tmp_path: Path, gate: Gate) -> None:
    limits = Limits(per_email=1)
    with running(settings_for(tmp_path / "data", throttle=limits)) as http:
        gate.open.set()
        Server(http=http, clock=Clock()).signed_in(EMAIL).logout()
        gate.open.clear()
        gate.entered.clear()
        answers: list[int] = []
        first = _in_background(http, None, answers)  # the right secret, held in its check
        assert gate.entered.wait(20)
        refused = http.post("/v1/sessions", json=login_request(EMAIL).to_json())
        assert refused.status_code == 429
        assert refused.json() == {"error": "too_many_attempts"}
        wait = int(refused.headers["retry-after"])
        assert 1 <= wait <= throttle.IN_FLIGHT_RETRY_AFTER
        gate.open.set()
        first.join(20)
        assert answers == [201]
        # The attempt in flight was right: nothing is locked, the retry goes through.
        assert http.post("/v1/sessions", json=login_request(EMAIL).to_json()).status_code == 201


def test_a_real_lockout_keeps_the_whole_window(tmp_path: Path, gate: Gate) -> None:
    clock = Clock()
    limits = Limits(per_email=2)
    with running(settings_for(tmp_path / "data", clock, throttle=limits)) as http:
        gate.open.set()
        Server(http=http, clock=clock).signed_in(EMAIL).logout()
        wrong = login_request(EMAIL, secret=WRONG).to_json()
        assert http.post("/v1/sessions", json=wrong).status_code == 401
        clock.now += 60
        # One past failure and one wrong guess in flight: a moment's wait, not a lockout yet.
        gate.open.clear()
        gate.entered.clear()
        answers: list[int] = []
        guess = _in_background(http, WRONG, answers)
        assert gate.entered.wait(20)
        busy = http.post("/v1/sessions", json=login_request(EMAIL).to_json())
        assert busy.status_code == 429
        assert 1 <= int(busy.headers["retry-after"]) <= throttle.IN_FLIGHT_RETRY_AFTER
        gate.open.set()
        guess.join(20)
        assert answers == [401]
        clock.now += 60
        # The guess failed: two past failures lock the email for the rest of the window.
        locked = http.post("/v1/sessions", json=login_request(EMAIL).to_json())
        assert locked.status_code == 429
        assert locked.headers["retry-after"] == str(limits.window - 120)
        clock.now += limits.window - 120
        assert http.post("/v1/sessions", json=login_request(EMAIL).to_json()).status_code == 201
