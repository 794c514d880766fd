"""Operating the server: `admin`, `backup`, `serve --workers`, and safe concurrent first starts.

The admin and backup commands are driven through the console entry point (`cli.main(argv)`)
against the same database an in-process server is using, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select

from journal_desktop.server import cli
from journal_desktop.server.db import (
    UnsupportedDatabase,
    accounts,
    blobs,
    idempotency,
    items,
    make_engine,
    manifests,
    migrate,
    recovery_codes,
    sessions,
    totp,
)
from journal_desktop.server.db import database_url as connect_url
from journal_desktop.server.settings import SECRET_FILE, load_or_create_secret
from journal_desktop.sync.client import SyncError
from tests.server.harness import (
    BASE_URL,
    Clock,
    Server,
    TestClient,
    login_request,
    running,
    settings_for,
    write,
)

SUSPENDED = {"error": "account_suspended"}


@pytest.fixture
def clock() -> Clock:
    """Real time: the admin commands stamp what they do with the wall clock."""
    return Clock(now=float(int(time.time())))


def _state(server: Server) -> object:
    return server.http.app.state.server  # type: ignore[attr-defined]


def _storage(server: Server) -> list[str]:
    settings = _state(server).settings  # type: ignore[attr-defined]
    return ["--data-dir", str(settings.data_dir), "--database-url", settings.url]


def _admin(server: Server, *args: str) -> int:
    return cli.main(["admin", *args, *_storage(server)])


def _audit_ok(server: Server, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["audit", "verify", *_storage(server)]) == 0
    return capsys.readouterr().out


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_admin_list_shows_each_account_and_its_usage(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = server.signed_in("alice@example.org")
    alice.push(server.key(), [write("a", data=b"1" * 10), write("b", data=b"2" * 5)])
    server.clock.now += 120
    server.signed_in("alice@example.org", "phone")
    server.signed_in("bob@example.org")
    capsys.readouterr()
    assert _admin(server, "list", "--json") == 0
    rows = {r["email"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {"alice@example.org", "bob@example.org"}
    first = rows["alice@example.org"]
    assert (first["items"], first["stored_bytes"], first["suspended_at"]) == (2, 15, None)
    assert first["last_sign_in"] == int(server.clock.now)
    assert first["created_at"] == int(server.clock.now) - 120
    assert len(first["id"]) == 32 and rows["bob@example.org"]["items"] == 0
    assert _admin(server, "list") == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == [
        "ID", "EMAIL", "CREATED", "LAST", "SIGN-IN", "ITEMS", "STORED", "BYTES", "SUSPENDED"
    ]  # fmt: skip
    assert "alice@example.org" in table and table.rstrip().endswith("2 account(s)")


def test_suspend_refuses_sign_in_and_every_token_until_unsuspended(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = server.signed_in("alice@example.org", "laptop")
    phone = server.signed_in("alice@example.org", "phone")
    bob = server.signed_in("bob@example.org")
    assert _admin(server, "suspend", "ALICE@example.org") == 0
    assert "suspended alice@example.org; 2 session(s) ended" in capsys.readouterr().out
    for client in (laptop, phone):
        for method, path in (
            ("GET", "/v1/items"),
            ("GET", "/v1/sessions"),
            ("PUT", "/v1/manifest"),
        ):
            response = server.http.request(method, path, headers=_auth(client.token), json={})
            assert (response.status_code, response.json()) == (403, SUSPENDED)
    refused = server.http.post("/v1/sessions", json=login_request("alice@example.org").to_json())
    assert (refused.status_code, refused.json()) == (403, SUSPENDED)
    # A wrong secret learns nothing about the suspension.
    with pytest.raises(SyncError) as wrong:
        server.client().login(login_request("alice@example.org", secret=b"w" * 32))
    assert (wrong.value.status, wrong.value.code) == (401, "invalid_credentials")
    assert [i.id for i in bob.push(server.key(), [write("x")]).accepted] == ["x"]
    assert _admin(server, "suspend", "alice@example.org") == 0  # twice: nothing more to do

    assert _admin(server, "unsuspend", _account_id(server, "alice@example.org")) == 0
    assert "unsuspended alice@example.org" in capsys.readouterr().out
    for client in (laptop, phone):  # the ended sessions stay ended
        assert server.http.get("/v1/items", headers=_auth(client.token)).status_code == 401
    again = server.signed_in("alice@example.org", "laptop")
    events = [(e.event, e.address) for e in again.security_events()]
    assert ("account_suspended", "admin-cli") in events
    assert ("account_unsuspended", "admin-cli") in events
    assert ("sign_in_suspended", "testclient") in events
    assert _admin(server, "unsuspend", "alice@example.org") == 0
    assert "was not suspended" in capsys.readouterr().out
    assert "intact" in _audit_ok(server, capsys)


def _account_id(server: Server, email: str) -> str:
    engine = _state(server).engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        found: str = conn.execute(select(accounts.c.id).where(accounts.c.email == email)).scalar()
    return found


def _rows_of(server: Server, account_id: str) -> dict[str, int]:
    engine = _state(server).engine  # type: ignore[attr-defined]
    tables: list[Table] = [blobs, items, manifests, idempotency, recovery_codes, totp, sessions]
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(
                select(func.count()).select_from(t).where(t.c.account_id == account_id)
            ).scalar_one()
            for t in tables
        }
        counts["accounts"] = conn.execute(
            select(func.count()).select_from(accounts).where(accounts.c.id == account_id)
        ).scalar_one()
    return counts


def test_delete_removes_everything_of_the_account_only(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = server.signed_in("alice@example.org")
    alice.push(server.key(), [write("a"), write("b")])
    alice.put_blob("c1", b"chunk")
    alice.totp_setup()
    bob = server.signed_in("bob@example.org")
    bob.push(server.key(), [write("a")])
    account_id = _account_id(server, "alice@example.org")
    assert all(_rows_of(server, account_id)[t] for t in ("items", "blobs", "totp", "sessions"))

    assert _admin(server, "delete", "alice@example.org") == 2
    assert "--yes" in capsys.readouterr().err
    assert _rows_of(server, account_id)["accounts"] == 1
    assert _admin(server, "delete", "alice@example.org", "--yes") == 0
    assert "deleted alice@example.org" in capsys.readouterr().out
    assert set(_rows_of(server, account_id).values()) == {0}
    assert server.http.get("/v1/items", headers=_auth(alice.token)).status_code == 401
    assert [i.id for i in bob.pull().items] == ["a"]
    assert _admin(server, "delete", "alice@example.org", "--yes") == 1
    assert "no account" in capsys.readouterr().err
    assert _admin(server, "suspend", "nobody@example.org") == 1
    out = _audit_ok(server, capsys)
    assert "intact" in out
    # The email is free again.
    server.signed_in("alice@example.org")


def test_admin_needs_the_servers_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["admin", "list", "--data-dir", str(tmp_path)]) == 2
    assert "server secret" in capsys.readouterr().err
    load_or_create_secret(tmp_path)
    assert cli.main(["admin", "list", "--data-dir", str(tmp_path)]) == 2
    assert "no database" in capsys.readouterr().err


def test_backup_copies_sqlite_online_atomically_and_owner_only(
    tmp_path: Path, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    target = tmp_path / "backups" / "server-backup.db"
    target.parent.mkdir()
    with running(settings_for(data, clock)) as http:
        server = Server(http=http, clock=clock)
        alice = server.signed_in("alice@example.org")
        alice.push(server.key(), [write("a"), write("b")])
        assert cli.main(["backup", str(target), "--data-dir", str(data)]) == 0
        assert "backed up 1 account(s)" in capsys.readouterr().out
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        alice.push(server.key(), [write("c")])  # the server keeps running and writing
        first = target.stat().st_ino
        assert cli.main(["backup", str(target), "--data-dir", str(data)]) == 0
    assert target.stat().st_ino != first  # replaced whole, by rename
    assert sorted(p.name for p in target.parent.iterdir()) == ["server-backup.db"]
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT id FROM items ORDER BY seq").fetchall() == [
            ("a",),
            ("b",),
            ("c",),
        ]
    finally:
        copy.close()
    # Restoring: the copy and the secret make a working server again, audit chain included.
    restored = tmp_path / "restored"
    restored.mkdir(mode=0o700)
    os.replace(target, restored / "server.db")
    (restored / SECRET_FILE).write_bytes((data / SECRET_FILE).read_bytes())
    with running(settings_for(restored, clock)) as http:
        again = Server(http=http, clock=clock).signed_in("alice@example.org")
        assert [i.id for i in again.pull().items] == ["a", "b", "c"]
    assert cli.main(["audit", "verify", "--data-dir", str(restored)]) == 0


def test_backup_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["backup", str(tmp_path / "b.db"), "--data-dir", str(tmp_path / "no")]) == 1
    assert "no database" in capsys.readouterr().err
    data = tmp_path / "data"
    data.mkdir()
    engine = make_engine(f"sqlite:///{data / 'server.db'}")
    migrate(engine)
    engine.dispose()
    missing = tmp_path / "nowhere" / "b.db"
    assert cli.main(["backup", str(missing), "--data-dir", str(data)]) == 1
    assert "not a directory" in capsys.readouterr().err
    live = data / "server.db"
    assert cli.main(["backup", str(live), "--data-dir", str(data)]) == 1
    assert "live database" in capsys.readouterr().err


def test_backup_of_postgresql_points_to_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://journal:s3cret@db.internal:5433/journal"
    target = tmp_path / "journal.dump"
    argv = ["backup", str(target), "--data-dir", str(tmp_path), "--database-url", url]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert (
        f"pg_dump --format=custom --file={target} postgresql://journal@db.internal:5433/journal"
        in err
    )
    assert "s3cret" not in err and "+psycopg" not in err and "server-secret" in err
    assert not target.exists()


def test_serve_with_workers_runs_the_app_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, **options: object) -> None:
        seen.update(options, app=app)

    monkeypatch.setattr("uvicorn.run", fake_run)
    monkeypatch.setenv(cli.WORKER_SETTINGS_ENV, "")  # restored after the test
    data = tmp_path / "data"
    assert cli.main(["serve", "--workers", "0", "--data-dir", str(data)]) == 2
    args = ["serve", "--workers", "3", "--data-dir", str(data), "--behind-proxy"]
    assert cli.main([*args, "--host", "10.0.0.1"]) == 0
    assert seen["app"] == cli.WORKER_APP and seen["factory"] is True and seen["workers"] == 3
    assert "3 workers share SQLite" in capsys.readouterr().err
    # Prepared once, before the workers: the secret exists and the schema is current.
    assert (data / SECRET_FILE).stat().st_size == 32
    assert (data / "server.db").exists()
    with TestClient(cli.app_from_environment(), base_url=BASE_URL) as http:
        state = http.app.state.server  # type: ignore[attr-defined]
        assert state.settings.data_dir == data and state.settings.behind_proxy is True
        assert state.settings.database_url is None and state.settings.tls is False
        assert http.get("/v1/health").json() == {"status": "ok"}


def test_first_starts_at_once_migrate_once(empty_database_url: str) -> None:
    """Processes starting together on an empty database (workers, several servers)."""
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def start() -> None:
        engine = make_engine(empty_database_url)
        try:
            barrier.wait(timeout=10)
            migrate(engine)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and not any(t.is_alive() for t in threads)
    engine = make_engine(empty_database_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [("0008",)]
    engine.dispose()


def test_workers_starting_together_share_one_secret(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)
    found: list[bytes] = []

    def start() -> None:
        barrier.wait(timeout=10)
        found.append(load_or_create_secret(tmp_path / "data"))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(found) == 8 and len(set(found)) == 1 and len(found[0]) == 32
    assert [p.name for p in (tmp_path / "data").iterdir()] == [SECRET_FILE]
    assert stat.S_IMODE((tmp_path / "data" / SECRET_FILE).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:////srv/j/server.db", "sqlite:////srv/j/server.db"),
        ("postgresql://j:p%40ss@db:5432/journal", "postgresql+psycopg://j:p%40ss@db:5432/journal"),
        ("postgres://j@db/journal", "postgresql+psycopg://j@db/journal"),
        ("postgresql+psycopg://j@db/journal", "postgresql+psycopg://j@db/journal"),
    ],
)
def test_database_urls_name_sqlite_or_postgresql_through_psycopg(given: str, used: str) -> None:
    assert connect_url(given) == used


@pytest.mark.parametrize("url", ["mysql://j@db/journal", "postgresql+psycopg2://j@db/x", "::"])
def test_serve_refuses_other_databases(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UnsupportedDatabase):
        connect_url(url)
    assert cli.main(["serve", "--data-dir", str(tmp_path), "--database-url", url]) == 2
    assert "--database-url" in capsys.readouterr().err


@pytest.mark.postgresql
def test_a_plain_postgresql_url_connects_through_psycopg(pg_database_url: str) -> None:
    engine = make_engine(pg_database_url.replace("postgresql+psycopg://", "postgresql://"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_the_openapi_description_names_the_suspension_answer(server: Server) -> None:
    paths = server.http.get("/v1/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if operation["security"] or (method, path) == ("post", "/v1/sessions"):
                assert "403" in operation["responses"], f"{method} {path}"


def _migrated_data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    load_or_create_secret(data)
    engine = make_engine(f"sqlite:///{data / 'server.db'}")
    migrate(engine)
    engine.dispose()
    return data


@pytest.mark.parametrize(
    "command", [["admin", "list"], ["admin", "suspend", "a@example.org"], ["audit", "verify"]]
)
def test_tools_say_in_one_line_when_the_database_url_is_wrong(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unsupported URL was an UnsupportedDatabase traceback; audit verify on a PostgreSQL
    that is down was an OperationalError traceback."""
    data = ["--data-dir", str(_migrated_data_dir(tmp_path))]
    assert cli.main([*command, *data, "--database-url", "bogus://x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("journal-server: --database-url: unsupported database 'bogus'")
    down = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    assert cli.main([*command, *data, "--database-url", down]) == 2
    assert capsys.readouterr().err.startswith("journal-server: cannot use the database")


def test_backup_says_why_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory as FILE, and a disk that fills up while the copy is synced, were
    tracebacks (IsADirectoryError, OSError); the old backup stays and no temporary is left."""
    data = _migrated_data_dir(tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    assert cli.main(["backup", str(folder), "--data-dir", str(data)]) == 1
    assert "is a directory" in capsys.readouterr().err
    target = folder / "b.db"
    assert cli.main(["backup", str(target), "--data-dir", str(data)]) == 0
    before = target.read_bytes()
    capsys.readouterr()

    def full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    assert cli.main(["backup", str(target), "--data-dir", str(data)]) == 1
    assert capsys.readouterr().err == (
        f"journal-server: cannot write {target}: No space left on device\n"
    )
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["b.db"]
