"""Registration is throttled per client address, before its Argon2id work.

Every registration hashes the auth secret (64 MiB of Argon2id, one derivation at a time per
process), and nothing limited them: one client sending registrations (even for one email,
refused 409 only after the hash) kept the server's hashing busy, and every sign-in, which
waits for the same hashing, stalled behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from journal_desktop.server import accounts
from journal_desktop.server.throttle import Limits
from tests.server.harness import Clock, register_request, running, settings_for


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    calls: list[int] = []
    real = accounts.hash_secret

    def counting(*args: object) -> str:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(accounts, "hash_secret", counting)
    yield calls


def _register(http: object, email: str, address: str = "198.51.100.7") -> object:
    return http.post(  # type: ignore[attr-defined]
        "/v1/accounts",
        json=register_request(email).to_json(),
        headers={"X-Forwarded-For": address},
    )


def test_registrations_from_one_address_are_limited(tmp_path: Path, hashes: list[int]) -> None:
    clock = Clock()
    limits = Limits(registrations_per_address=10)
    settings = settings_for(tmp_path / "data", clock, behind_proxy=True, throttle=limits)
    with running(settings) as http:
        answers = [_register(http, f"user{n}@example.org").status_code for n in range(8)]
        answers += [_register(http, "user0@example.org").status_code for _ in range(2)]
        assert answers == [201] * 8 + [409] * 2  # a refused one counts too
        assert len(hashes) == limits.registrations_per_address
        clock.now += 60
        refused = _register(http, "late@example.org")
        assert refused.status_code == 429  # type: ignore[attr-defined]
        assert refused.json() == {"error": "too_many_attempts"}  # type: ignore[attr-defined]
        assert refused.headers["retry-after"] == str(limits.window - 60)  # type: ignore[attr-defined]
        assert len(hashes) == limits.registrations_per_address  # refused before any hashing
        # Another address is not affected; the first may register again once the window closes.
        assert _register(http, "other@example.org", "203.0.113.9").status_code == 201  # type: ignore[attr-defined]
        clock.now += limits.window
        assert _register(http, "late@example.org").status_code == 201  # type: ignore[attr-defined]


def test_a_team_behind_one_address_can_all_sign_up(tmp_path: Path) -> None:
    """Forty people of one trading desk, one office address, sign up on the same morning."""
    settings = settings_for(tmp_path / "data", behind_proxy=True)
    with running(settings) as http:
        answers = [_register(http, f"trader{n}@desk.example").status_code for n in range(40)]
    assert answers == [201] * 40  # type: ignore[comparison-overlap]


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    limits = Limits(registrations_per_address=1)
    settings = settings_for(tmp_path / "data", throttle=limits, behind_proxy=True)
    with running(settings) as http:
        assert _register(http, "one@example.org").status_code == 201  # type: ignore[attr-defined]
        assert _register(http, "two@example.org").status_code == 429  # type: ignore[attr-defined]
