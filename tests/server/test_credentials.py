"""Changing credentials and deleting the account: both need the current auth secret."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from sqlalchemy import func, select

from journal_desktop import argon2
from journal_desktop.server.db import make_engine, metadata
from journal_desktop.sync.client import SyncError
from journal_desktop.sync.protocol import CredentialsChange, KdfParams, ManifestPut
from tests.server.harness import Server, login_request, secret_for, write

EMAIL = "alice@example.org"
NEW_SECRET = b"n" * 32
NEW_KDF = KdfParams(memory_kib=131072, iterations=4, parallelism=2)


def _change(current: bytes = secret_for(EMAIL)) -> CredentialsChange:
    return CredentialsChange(
        current_auth_secret=current,
        auth_secret=NEW_SECRET,
        kdf=NEW_KDF,
        salt=b"t" * 16,
        wrapped_keys={"master": "bmV3"},
    )


def test_a_credentials_change_ends_every_other_session(server: Server) -> None:
    laptop = server.signed_in(EMAIL, "laptop")
    phone = server.signed_in(EMAIL, "phone")
    assert laptop.change_credentials(_change()) == 1
    with pytest.raises(SyncError) as ended:
        phone.sessions()
    assert ended.value.status == 401
    assert [s.device_name for s in laptop.sessions()] == ["laptop"]
    keys = laptop.account_keys()
    assert (keys.kdf, keys.salt, keys.wrapped_keys) == (NEW_KDF, b"t" * 16, {"master": "bmV3"})
    assert server.client().prelogin(EMAIL).kdf == NEW_KDF
    with pytest.raises(SyncError):
        server.client().login(login_request(EMAIL))  # the old secret no longer works
    server.client().login(login_request(EMAIL, secret=NEW_SECRET))
    assert [e.event for e in laptop.security_events()][:3] == [
        "sign_in",
        "sign_in_failed",
        "credentials_changed",
    ]


def test_a_wrong_current_secret_changes_nothing(server: Server) -> None:
    laptop = server.signed_in(EMAIL)
    phone = server.signed_in(EMAIL, "phone")
    with pytest.raises(SyncError) as refused:
        laptop.change_credentials(_change(current=b"w" * 32))
    assert (refused.value.status, refused.value.code) == (403, "invalid_credentials")
    assert len(phone.sessions()) == 2
    assert laptop.security_events()[0].event == "reauth_failed"


def test_wrong_current_secrets_are_throttled(server: Server) -> None:
    laptop = server.signed_in(EMAIL)
    for _ in range(5):
        with pytest.raises(SyncError):
            laptop.change_credentials(_change(current=b"w" * 32))
    with pytest.raises(SyncError) as locked:
        laptop.change_credentials(_change())
    assert (locked.value.status, locked.value.code) == (429, "too_many_attempts")


def _row_counts(server: Server) -> dict[str, int]:
    state = server.http.app.state.server  # type: ignore[attr-defined]
    engine = make_engine(state.settings.url)
    try:
        with engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items()
                if "account_id" in table.c and name != "security_events"
            }
    finally:
        engine.dispose()


def test_deleting_the_account_removes_all_it_stored(server: Server) -> None:
    bob = server.signed_in("bob@example.org")
    bob.push("k", [write("b1")])
    alice = server.signed_in(EMAIL)
    other = server.signed_in(EMAIL, "phone")
    alice.push(server.key(), [write("a1"), write("a2")])
    alice.put_manifest(ManifestPut(base_counter=0, counter=1, blob=b"m"))
    alice.totp_setup()
    before = _row_counts(server)
    with pytest.raises(SyncError) as refused:
        alice.delete_account(b"w" * 32)
    assert refused.value.code == "invalid_credentials"
    alice.delete_account(secret_for(EMAIL))
    assert alice.token is None
    with pytest.raises(SyncError) as gone:
        other.sessions()
    assert gone.value.status == 401
    after = _row_counts(server)
    assert after["items"] == 1 and after["sessions"] == 1  # only bob's remain
    assert all(after[name] <= before[name] for name in after)
    assert sum(after.values()) == 3  # bob: one item, one session, one idempotency entry
    with pytest.raises(SyncError):
        server.client().login(login_request(EMAIL))
    assert [i.id for i in bob.pull().items] == ["b1"]
    # The email is free again, and the new account sees nothing of the old one.
    fresh = server.signed_in(EMAIL)
    assert fresh.pull().items == [] and [e.event for e in fresh.security_events()] == [
        "sign_in",
        "account_created",
    ]


def test_another_accounts_secret_cannot_delete(server: Server) -> None:
    alice = server.signed_in(EMAIL)
    server.signed_in("bob@example.org")
    with pytest.raises(SyncError):
        alice.delete_account(secret_for("bob@example.org"))
    assert alice.sessions()


def test_concurrent_wrong_secrets_cannot_all_pass_the_check(server: Server) -> None:
    """The check ran before the Argon2id work and the count after it: with a token, guesses
    of the auth secret sent together all passed the check. Here every guess waits on the
    hashing while the others come in."""
    alice = server.signed_in("alice@example.org")
    headers = {"Authorization": f"Bearer {alice.token}"}
    wrong = base64.b64encode(b"w" * 32).decode()
    answers: list[int] = []

    def guess() -> None:
        response = server.http.request(
            "DELETE", "/v1/account", json={"auth_secret": wrong}, headers=headers
        )
        answers.append(response.status_code)

    threads = [threading.Thread(target=guess, daemon=True) for _ in range(12)]
    with argon2._ONE_AT_A_TIME:  # no guess gets its hash before all have come in
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(answers) < 7 and time.monotonic() < deadline:
            time.sleep(0.05)
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [403] * 5 + [429] * 7
