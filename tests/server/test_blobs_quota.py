"""Attachment blobs (raw bytes, size-limited, per account) and the per-account quota."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, delete, select, update

from journal_desktop.server.attachments import OCTET_STREAM
from journal_desktop.server.db import accounts, blobs, write_transaction
from journal_desktop.sync.client import SyncError
from journal_desktop.sync.protocol import ProtocolError
from tests.server.harness import Clock, Server, running, settings_for, write


@pytest.fixture
def small(tmp_path: Path, database_url: str | None) -> Iterator[Server]:
    """A server with a 1000-byte quota and 400-byte blobs (on each backend)."""
    clock = Clock()
    settings = settings_for(
        tmp_path / "data", clock, quota_bytes=1000, max_blob_bytes=400, database_url=database_url
    )
    with running(settings) as http:
        yield Server(http=http, clock=clock)


def test_a_blob_round_trips_as_raw_bytes(server: Server) -> None:
    alice = server.signed_in("alice@example.org")
    data = bytes(range(256)) * 4
    assert alice.put_blob("chunk-1", data) is True
    assert alice.get_blob("chunk-1") == data
    assert alice.put_blob("chunk-1", b"again") is False  # replaced
    assert alice.get_blob("chunk-1") == b"again"
    response = server.http.get(
        "/v1/blobs/chunk-1", headers={"Authorization": f"Bearer {alice.token}"}
    )
    assert response.headers["content-type"] == "application/octet-stream"
    alice.delete_blob("chunk-1")
    with pytest.raises(SyncError) as gone:
        alice.get_blob("chunk-1")
    assert (gone.value.status, gone.value.code) == (404, "not_found")


def test_another_account_never_sees_a_blob(server: Server) -> None:
    alice = server.signed_in("alice@example.org")
    bob = server.signed_in("bob@example.org")
    alice.put_blob("secret", b"alice's")
    for attempt in (bob.get_blob, bob.delete_blob):
        with pytest.raises(SyncError) as refused:
            attempt("secret")
        assert refused.value.status == 404
    bob.put_blob("secret", b"bob's")  # his own, separate blob of the same name
    assert alice.get_blob("secret") == b"alice's"
    assert server.http.get("/v1/blobs/secret").status_code == 401


def test_blob_requests_are_checked(small: Server) -> None:
    alice = small.signed_in("alice@example.org")
    with pytest.raises(SyncError) as too_big:
        alice.put_blob("big", b"x" * 401)
    assert (too_big.value.status, too_big.value.code) == (413, "body_too_large")
    auth = {"Authorization": f"Bearer {alice.token}"}
    as_json = small.http.put("/v1/blobs/a", json={"data": "eA=="}, headers=auth)
    assert (as_json.status_code, as_json.json()["error"]) == (415, "unsupported_media_type")
    bad_id = small.http.put(
        "/v1/blobs/a$b", content=b"x", headers={**auth, "Content-Type": "application/octet-stream"}
    )
    assert bad_id.status_code == 422
    with pytest.raises(ProtocolError):
        alice.put_blob("a/b", b"x")


def test_blobs_and_items_share_the_quota(small: Server) -> None:
    alice = small.signed_in("alice@example.org")
    alice.put_blob("b1", b"x" * 400)
    alice.put_blob("b2", b"x" * 400)
    with pytest.raises(SyncError) as full:
        alice.push(small.key(), [write("i1", data=b"y" * 150), write("i2", data=b"y" * 100)])
    assert (full.value.status, full.value.code) == (413, "quota_exceeded")
    assert alice.pull().items == []  # refused whole: no write of it was kept
    alice.push(small.key(), [write("i1", data=b"y" * 200)])  # exactly at the quota
    with pytest.raises(SyncError) as blob_full:
        alice.put_blob("b3", b"z")
    assert blob_full.value.code == "quota_exceeded"
    # Shrinking is always allowed and frees space.
    alice.push(small.key(), [write("i1", base=1, data=b"")])
    alice.put_blob("b2", b"x" * 100)
    alice.put_blob("b3", b"z" * 300)
    alice.delete_blob("b1")
    alice.put_blob("b4", b"w" * 400)


def test_the_quota_is_per_account(small: Server) -> None:
    alice = small.signed_in("alice@example.org")
    alice.push(small.key(), [write("a", data=b"a" * 1000)])
    bob = small.signed_in("bob@example.org")
    bob.push(small.key(), [write("b", data=b"b" * 1000)])


def _stored_bytes(server: Server, email: str) -> int:
    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return int(
            conn.execute(select(accounts.c.stored_bytes).where(accounts.c.email == email)).scalar()
        )


def _while_another_writer_holds_the_account(
    server: Server, email: str, request: Callable[[], httpx.Response], other: Callable[..., None]
) -> httpx.Response:
    """Run `request` in a thread while another transaction holds the account's row lock (or
    SQLite's write lock), does `other(conn, account_id)` and commits: the request must see
    that write as its own start, not a state from before it."""
    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(request()))
    with write_transaction(engine) as conn:
        account_id = conn.execute(
            select(accounts.c.id).where(accounts.c.email == email).with_for_update()
        ).scalar_one()
        thread.start()
        time.sleep(0.5)  # the request is now waiting on the lock
        other(conn, account_id)
    thread.join(30)
    assert answers, "the request did not finish"
    return answers[0]


def test_a_blob_written_meanwhile_is_replaced_and_charged_once(small: Server) -> None:
    """On PostgreSQL a PUT read the old blob before it took the account's lock: a blob stored
    meanwhile was inserted again (a 500 on the primary key), or charged twice."""
    client = small.signed_in("race@example.org")
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": OCTET_STREAM}

    def store_first(conn: Connection, account_id: str) -> None:
        conn.execute(
            blobs.insert().values(account_id=account_id, id="b1", data=b"o" * 100, created_at=0)
        )
        conn.execute(update(accounts).where(accounts.c.id == account_id).values(stored_bytes=100))

    answer = _while_another_writer_holds_the_account(
        small,
        "race@example.org",
        lambda: small.http.put("/v1/blobs/b1", content=b"n" * 30, headers=headers),
        store_first,
    )
    assert answer.status_code == 204, answer.text  # replaced, not created twice
    assert _stored_bytes(small, "race@example.org") == 30
    assert client.get_blob("b1") == b"n" * 30


def test_a_blob_deleted_meanwhile_is_not_refunded_twice(small: Server) -> None:
    """On PostgreSQL two DELETEs of one blob both read it, and both took its size off the
    account's usage: the quota drifted down and could be passed."""
    client = small.signed_in("drift@example.org")
    client.put_blob("b1", b"d" * 100)
    client.put_blob("b2", b"k" * 200)
    headers = {"Authorization": f"Bearer {client.token}"}

    def delete_first(conn: Connection, account_id: str) -> None:
        conn.execute(delete(blobs).where(blobs.c.account_id == account_id, blobs.c.id == "b1"))
        conn.execute(update(accounts).where(accounts.c.id == account_id).values(stored_bytes=200))

    answer = _while_another_writer_holds_the_account(
        small,
        "drift@example.org",
        lambda: small.http.delete("/v1/blobs/b1", headers=headers),
        delete_first,
    )
    assert answer.status_code == 404, answer.text
    assert _stored_bytes(small, "drift@example.org") == 200
