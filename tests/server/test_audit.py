"""The security audit log: what is recorded, who may read it, and tamper detection."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, select, update

from journal_desktop.server import audit, cli
from journal_desktop.server.db import audit_head, make_engine, security_events
from journal_desktop.server.settings import read_secret
from journal_desktop.sync.client import SyncClient, SyncError
from tests.server.harness import (
    BASE_URL,
    Clock,
    Server,
    login_request,
    register_request,
    running,
    settings_for,
)


def _data_dir(server: Server) -> Path:
    state = server.http.app.state.server  # type: ignore[attr-defined]
    data_dir: Path = state.settings.data_dir
    return data_dir


def _url(server: Server) -> str:
    state = server.http.app.state.server  # type: ignore[attr-defined]
    url: str = state.settings.url
    return url


def _verify_args(server: Server) -> list[str]:
    """`audit verify` for the server's data dir and database (SQLite or PostgreSQL)."""
    return ["audit", "verify", "--data-dir", str(_data_dir(server)), "--database-url", _url(server)]


def _verify(server: Server) -> audit.Verdict:
    data_dir = _data_dir(server)
    engine = make_engine(_url(server))
    try:
        with engine.connect() as conn:
            return audit.verify(conn, audit.audit_key(read_secret(data_dir)))
    finally:
        engine.dispose()


def _tamper(server: Server, change: Callable[[Connection], object]) -> None:
    engine = make_engine(_url(server))
    try:
        with engine.begin() as conn:
            change(conn)
    finally:
        engine.dispose()


def _history(server: Server) -> None:
    """Sign-ins, a failure, a revocation, revoke-others and a logout on one account."""
    alice = server.signed_in("alice@example.org", "laptop")
    server.clock.now += 10
    server.signed_in("alice@example.org", "phone")
    tablet = server.signed_in("alice@example.org", "tablet")
    with pytest.raises(SyncError):
        server.client().login(login_request("alice@example.org", "x", secret=b"w" * 32))
    alice.revoke_session(_id_of(alice, "phone"))
    tablet.revoke_other_sessions()
    tablet.logout()


def _id_of(client: SyncClient, device: str) -> str:
    return next(s.session_id for s in client.sessions() if s.device_name == device)


def test_events_are_recorded_newest_first(server: Server) -> None:
    _history(server)
    alice = server.signed_in("alice@example.org", "desk")
    events = alice.security_events()
    assert [e.event for e in events] == [
        "sign_in",
        "logout",
        "other_sessions_revoked",
        "session_revoked",
        "sign_in_failed",
        "sign_in",
        "sign_in",
        "sign_in",
        "account_created",
    ]
    assert events[0].device_name == "desk" and events[0].address == "testclient"
    assert events[4].device_name == "x"  # the device the failed attempt claimed
    assert [e.id for e in events] == sorted((e.id for e in events), reverse=True)
    assert len(alice.security_events(limit=2)) == 2
    assert _verify(server) == audit.Verdict(True, 9)


def test_another_account_never_sees_them(server: Server) -> None:
    _history(server)
    bob = server.signed_in("bob@example.org")
    assert [e.event for e in bob.security_events()] == ["sign_in", "account_created"]


def test_event_numbers_are_the_accounts_own_and_reveal_no_one_elses(server: Server) -> None:
    """Alice's events are numbered 1, 2, 3... in her history, however many events other
    accounts had in between (the stored ids count the whole server's)."""
    alice = server.signed_in("alice@example.org")
    for n in range(3):
        server.signed_in(f"someone-{n}@example.org")  # two events each, between alice's
        alice.login(login_request("alice@example.org"))
    numbers = [e.id for e in alice.security_events()]
    assert numbers == list(range(len(numbers), 0, -1))  # newest first, no gaps
    assert [e.id for e in alice.security_events(limit=2)] == numbers[:2]


def test_unknown_email_is_kept_only_as_a_keyed_hash(server: Server) -> None:
    with pytest.raises(SyncError):
        server.client().login(login_request("ghost@example.org"))
    found: list[object] = []
    _tamper(server, lambda conn: found.extend(conn.execute(select(security_events)).all()))
    (row,) = found
    assert row.account_id is None and row.event == "sign_in_failed"  # type: ignore[attr-defined]
    assert len(row.email_key) == 32  # type: ignore[attr-defined]
    assert b"ghost" not in repr(tuple(row)).encode()  # type: ignore[call-overload]


def test_events_need_a_token(server: Server) -> None:
    assert server.http.get("/v1/security-events").status_code == 401
    alice = server.signed_in("alice@example.org")
    assert (
        server.http.get(
            "/v1/security-events",
            params={"what": "1"},
            headers={"Authorization": f"Bearer {alice.token}"},
        ).status_code
        == 422
    )


def _edit(conn: Connection) -> None:
    conn.execute(update(security_events).where(security_events.c.id == 3).values(address="1.2.3.4"))


def _remove(conn: Connection) -> None:
    conn.execute(delete(security_events).where(security_events.c.id == 3))


def _cut_tail(conn: Connection) -> None:
    last = conn.execute(select(audit_head.c.last_id)).scalar_one()
    conn.execute(delete(security_events).where(security_events.c.id == last))


def _swap(conn: Connection) -> None:
    """Swap the contents (hashes included) of entries 3 and 4, keeping their ids."""
    rows = {
        r.id: r._asdict()
        for r in conn.execute(select(security_events).where(security_events.c.id.in_([3, 4])))
    }
    for target, source in ((3, 4), (4, 3)):
        values = {k: v for k, v in rows[source].items() if k != "id"}
        conn.execute(update(security_events).where(security_events.c.id == target).values(values))


def _rehash_edit(conn: Connection) -> None:
    """Edit an entry and recompute its hash with a guessed (wrong) key: still detected."""
    row = conn.execute(select(security_events).where(security_events.c.id == 3)).one()
    entry = audit.Entry(3, row.at, row.account_id, row.email_key, "logout", row.address, "")
    forged = audit.entry_hash(b"guess" * 8, row.prev_hash, entry)
    conn.execute(
        update(security_events)
        .where(security_events.c.id == 3)
        .values(event="logout", device_name="", hash=forged)
    )


@pytest.mark.parametrize("tamper", [_edit, _remove, _cut_tail, _swap, _rehash_edit])
def test_verify_detects_tampering(
    server: Server, tamper: Callable[[Connection], None], capsys: pytest.CaptureFixture[str]
) -> None:
    _history(server)
    assert cli.main(_verify_args(server)) == 0
    assert "intact: 8 entries" in capsys.readouterr().out
    _tamper(server, tamper)
    verdict = _verify(server)
    assert not verdict.ok and verdict.problem
    assert cli.main(_verify_args(server)) == 1
    assert "BROKEN" in capsys.readouterr().err


def test_verify_without_a_data_dir_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["audit", "verify", "--data-dir", str(tmp_path)]) == 2
    assert "server secret" in capsys.readouterr().err


def test_unknown_event_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown security event"):
        audit.record(None, b"k", at=0, event="made_up", address="")  # type: ignore[arg-type]


def test_concurrent_appends_from_two_servers_keep_one_chain(
    tmp_path: Path, database_url: str | None
) -> None:
    """Two apps on one database (as two processes), signing in from several threads at once.

    Two accounts share the six threads (three sign-ins of each in flight, through both
    servers): the throttle counts every sign-in of an email while it is checked, so more than
    its limit of five in flight for one email are refused by design (see server/throttle.py).
    """
    clock = Clock()
    settings = settings_for(tmp_path / "data", clock, database_url=database_url)
    emails = ("alice@example.org", "bob@example.org")
    with running(settings) as first, running(settings) as second:
        for email in emails:
            SyncClient(first, BASE_URL).register(register_request(email))

        def sign_in(n: int) -> None:
            http = first if (n // 2) % 2 else second
            SyncClient(http, BASE_URL).login(login_request(emails[n % 2], f"d{n}"))

        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(sign_in, range(24)))
        engine = make_engine(settings.url)
        with engine.connect() as conn:
            verdict = audit.verify(conn, audit.audit_key(read_secret(tmp_path / "data")))
        engine.dispose()
    assert verdict == audit.Verdict(True, 26)
