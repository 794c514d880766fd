"""Two security decisions: the TOTP secret is sealed at rest, and changing the credentials or
deleting the account needs the second factor when it is on."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, update

from journal_desktop.server import second_factor
from journal_desktop.server.db import accounts, make_engine, security_events, totp
from journal_desktop.sync.client import SyncClient, SyncError
from journal_desktop.sync.protocol import CredentialsChange, KdfParams
from tests.server.harness import (
    BASE_URL,
    Clock,
    Server,
    login_request,
    running,
    secret_for,
    settings_for,
)

EMAIL = "tess@example.org"


def _enabled(server: Server, email: str = EMAIL) -> tuple[SyncClient, str, list[str]]:
    client = server.signed_in(email)
    setup = client.totp_setup()
    codes = client.totp_enable(pyotp.TOTP(setup.secret).at(int(server.clock.now)))
    server.clock.now += 30  # the enabling code's step is used up
    return client, setup.secret, codes


def _code(secret: str, server: Server) -> str:
    return pyotp.TOTP(secret).at(int(server.clock.now))


def _rows(server: Server) -> list[tuple[str, str]]:
    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        return [(r.account_id, r.secret) for r in conn.execute(select(totp)).all()]


def test_the_stored_column_does_not_hold_the_secret(server: Server) -> None:
    _, secret, _ = _enabled(server)
    ((account_id, stored),) = _rows(server)
    assert secret not in stored and secret.lower() not in stored.lower()
    assert not second_factor.is_plain(stored) and len(stored) <= 64  # fits the column
    key = server.http.app.state.server.totp_key  # type: ignore[attr-defined]
    assert second_factor.unseal(key, account_id, stored) == secret
    # Sealed to its account: the same bytes under another account id do not open.
    assert second_factor.unseal(key, "another-account", stored) is None
    # and under another server secret neither.
    other = second_factor.sealing_key(b"x" * 32)
    assert second_factor.unseal(other, account_id, stored) is None


def test_no_copy_of_the_secret_is_in_the_database_files(tmp_path: Path) -> None:
    clock = Clock()
    data = tmp_path / "data"
    with running(settings_for(data, clock)) as http:
        server = Server(http=http, clock=clock)
        _, secret, _ = _enabled(server)
    raw = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("server.db"))
    assert secret.encode() not in raw


def test_a_sealed_secret_moved_to_another_account_does_not_sign_in(server: Server) -> None:
    _, secret, _ = _enabled(server, "uma@example.org")
    _enabled(server, "vic@example.org")
    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        ids = {r.email: r.id for r in conn.execute(select(accounts.c.id, accounts.c.email)).all()}
        uma_sealed = conn.execute(
            select(totp.c.secret).where(totp.c.account_id == ids["uma@example.org"])
        ).scalar_one()
        conn.execute(
            update(totp)
            .where(totp.c.account_id == ids["vic@example.org"])
            .values(secret=uma_sealed)
        )
    server.clock.now += 60
    request = dataclasses.replace(login_request("vic@example.org"), totp_code=_code(secret, server))
    with pytest.raises(SyncError) as refused:
        server.client().login(request)
    assert refused.value.code == "invalid_credentials"


def test_secrets_stored_in_plain_text_are_sealed_at_start(tmp_path: Path) -> None:
    clock = Clock()
    data = tmp_path / "data"
    with running(settings_for(data, clock)) as http:
        server = Server(http=http, clock=clock)
        _, secret, _ = _enabled(server)
    # What a database from before sealing holds: the base32 secret itself.
    engine = make_engine(f"sqlite:///{data / 'server.db'}")
    with engine.begin() as conn:
        conn.execute(update(totp).values(secret=secret))
    # Read as it is until then (a process of the old version may share the database).
    with running(settings_for(data, clock)) as http:
        server = Server(http=http, clock=clock)
        ((_, stored),) = _rows(server)
        assert stored != secret and not second_factor.is_plain(stored)
        clock.now += 30
        client = server.client()
        client.login(dataclasses.replace(login_request(EMAIL), totp_code=_code(secret, server)))
        assert client.token is not None
    engine.dispose()


def _change(server: Server, **second: str) -> CredentialsChange:
    return CredentialsChange(
        current_auth_secret=secret_for(EMAIL),
        auth_secret=b"n" * 32,
        kdf=KdfParams(memory_kib=65536 * 2, iterations=3, parallelism=4),
        salt=b"t" * 16,
        wrapped_keys={"master": "bmV3"},
        **second,  # type: ignore[arg-type]
    )


def _events(server: Server) -> list[str]:
    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        return [r.event for r in conn.execute(select(security_events.c.event)).all()]


def test_a_credentials_change_needs_the_second_factor(server: Server) -> None:
    client, secret, codes = _enabled(server)
    with pytest.raises(SyncError) as required:
        client.change_credentials(_change(server))
    assert (required.value.status, required.value.code) == (401, "totp_required")
    with pytest.raises(SyncError) as wrong:
        client.change_credentials(_change(server, totp_code="000000"))
    assert (wrong.value.status, wrong.value.code) == (403, "invalid_code")
    assert _events(server).count("reauth_failed") == 1
    assert client.account_keys().salt == b"s" * 16  # nothing changed
    code = _code(secret, server)
    client.change_credentials(_change(server, totp_code=code))
    assert client.account_keys().salt == b"t" * 16
    # The code is used up: the same code cannot be used for another change.
    with pytest.raises(SyncError) as replay:
        client.change_credentials(
            dataclasses.replace(_change(server, totp_code=code), current_auth_secret=b"n" * 32)
        )
    assert replay.value.code == "invalid_code"
    # A recovery code works once.
    again = dataclasses.replace(
        _change(server, recovery_code=codes[0]), current_auth_secret=b"n" * 32
    )
    client.change_credentials(again)
    assert "recovery_code_used" in _events(server)
    with pytest.raises(SyncError) as used:
        client.change_credentials(again)
    assert used.value.code == "invalid_code"


def test_wrong_codes_on_a_change_are_throttled(server: Server) -> None:
    client, _, _ = _enabled(server)
    statuses = []
    for _ in range(7):
        try:
            client.change_credentials(_change(server, totp_code="000000"))
        except SyncError as refused:
            statuses.append(refused.status)
    assert statuses[:5] == [403] * 5 and statuses[-1] == 429


def test_deleting_the_account_needs_the_second_factor(server: Server) -> None:
    client, secret, _ = _enabled(server)
    with pytest.raises(SyncError) as required:
        client.delete_account(secret_for(EMAIL))
    assert (required.value.status, required.value.code) == (401, "totp_required")
    with pytest.raises(SyncError) as wrong:
        client.delete_account(secret_for(EMAIL), recovery_code="AAAA-BBBB-CCCC-DDDD")
    assert (wrong.value.status, wrong.value.code) == (403, "invalid_code")
    assert client.account_keys().salt == b"s" * 16  # still there
    client.delete_account(secret_for(EMAIL), totp_code=_code(secret, server))
    assert client.token is None
    assert server.http.get("/v1/prelogin", params={"email": EMAIL}).json()["salt"] != "c3Nz"


def test_without_two_factor_no_code_is_asked(server: Server) -> None:
    client = server.signed_in("wes@example.org")
    deleting = SyncClient(server.http, BASE_URL, client.token)
    deleting.delete_account(secret_for("wes@example.org"))
    assert deleting.token is None
