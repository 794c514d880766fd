"""Push, pull and manifest: seq order, optimistic concurrency, idempotency, isolation, limits."""

from __future__ import annotations

import base64

import pytest

from journal_desktop.sync.client import SyncError
from journal_desktop.sync.protocol import (
    MAX_BODY_BYTES,
    MAX_ITEM_BYTES,
    MAX_WRITES_PER_REQUEST,
    ManifestPut,
)
from tests.server.harness import Server, write
from tests.server.test_accounts_sessions import SECURITY_HEADERS


def test_push_then_pull_in_seq_order_with_cursor(server: Server) -> None:
    client = server.signed_in("ann@example.org")
    first = client.push(server.key(), [write(f"i{n}", data=bytes([n])) for n in range(5)])
    assert [a.seq for a in first.accepted] == [1, 2, 3, 4, 5] and first.conflicts == []
    second = client.push(server.key(), [write("i1", base=1, data=b"new")])
    assert [(a.id, a.version, a.seq) for a in second.accepted] == [("i1", 2, 6)]

    page = client.pull(since=0, limit=2)
    assert [i.id for i in page.items] == ["i0", "i2"] and page.more and page.next_since == 3
    rest = client.pull(since=page.next_since, limit=10)
    assert [(i.id, i.seq) for i in rest.items] == [("i3", 4), ("i4", 5), ("i1", 6)]
    assert not rest.more and rest.next_since == 6
    assert rest.items[-1].ciphertext == b"new" and rest.items[-1].version == 2
    empty = client.pull(since=6)
    assert empty.items == [] and empty.next_since == 6 and not empty.more


def test_conflict_returns_the_current_copy_and_applies_the_rest(server: Server) -> None:
    client = server.signed_in("ben@example.org")
    client.push(server.key(), [write("a", data=b"v1")])
    answer = client.push(
        server.key(), [write("a", base=0, data=b"stale"), write("b"), write("ghost", base=3)]
    )
    assert [a.id for a in answer.accepted] == ["b"]
    by_id = {c.id: c.current for c in answer.conflicts}
    assert by_id["ghost"] is None
    current = by_id["a"]
    assert current is not None and (current.version, current.ciphertext) == (1, b"v1")
    assert [i.ciphertext for i in client.pull().items if i.id == "a"] == [b"v1"]


def test_a_batch_of_new_items_with_one_already_stored_keeps_seqs_gap_free(
    server: Server,
) -> None:
    """A push of new items only is inserted at once; one id already stored makes it undo that
    and apply write by write: the stored one is a conflict, the rest get the next seqs."""
    client = server.signed_in("bea@example.org")
    client.push(server.key(), [write("a", data=b"v1")])
    answer = client.push(server.key(), [write("x"), write("a", data=b"again"), write("y")])
    assert [(a.id, a.seq) for a in answer.accepted] == [("x", 2), ("y", 3)]
    (conflict,) = answer.conflicts
    assert conflict.id == "a" and conflict.current is not None
    assert (conflict.current.seq, conflict.current.ciphertext) == (1, b"v1")
    after = client.push(server.key(), [write("z")])
    assert [a.seq for a in after.accepted] == [4]
    assert [(i.id, i.seq) for i in client.pull().items] == [("a", 1), ("x", 2), ("y", 3), ("z", 4)]


def test_tombstones_are_items(server: Server) -> None:
    client = server.signed_in("cat@example.org")
    client.push(server.key(), [write("a")])
    gone = write("a", base=1)
    client.push(server.key(), [type(gone)("a", "trade", 1, 2, True, b"")])
    (item,) = client.pull().items
    assert item.deleted and item.version == 2


def test_idempotent_replay_returns_the_first_answer_and_changes_nothing(server: Server) -> None:
    client = server.signed_in("dan@example.org")
    batch = [write("a"), write("b")]
    first = client.push("retry-me", batch)
    client.push(server.key(), [write("a", base=1)])
    again = client.push("retry-me", batch)
    assert again == first
    assert [(i.id, i.version, i.seq) for i in client.pull().items] == [("b", 1, 2), ("a", 2, 3)]
    with pytest.raises(SyncError) as reused:
        client.push("retry-me", [write("c")])
    assert (reused.value.status, reused.value.code) == (422, "idempotency_key_reused")


def test_answers_are_kept_a_week_then_a_replay_is_a_new_push(server: Server) -> None:
    """Within the retention a replay returns the first answer; after it the key is forgotten,
    and the same writes come back as conflicts, never applied twice."""
    client = server.signed_in("old@example.org")
    batch = [write("a"), write("b")]
    first = client.push("old-key", batch)
    server.clock.now += 6 * 24 * 3600  # still kept (and the session stays in use)
    assert client.push("old-key", batch) == first
    client.push(server.key(), [write("c")])
    server.clock.now += 2 * 24 * 3600  # eight days after the first push
    client.push(server.key(), [write("d")])  # each push prunes the account's old answers
    again = client.push("old-key", batch)
    assert again.accepted == [] and sorted(c.id for c in again.conflicts) == ["a", "b"]
    assert [(i.id, i.version) for i in client.pull().items] == [
        ("a", 1),
        ("b", 1),
        ("c", 1),
        ("d", 1),
    ]


def test_idempotency_keys_are_per_account(server: Server) -> None:
    alice = server.signed_in("eve@example.org")
    bob = server.signed_in("fay@example.org")
    alice.push("same", [write("a")])
    answer = bob.push("same", [write("b")])
    assert [a.id for a in answer.accepted] == ["b"]


def test_accounts_never_see_or_change_each_other(server: Server) -> None:
    alice = server.signed_in("gus@example.org")
    bob = server.signed_in("hal@example.org")
    alice.push(server.key(), [write("shared-id", data=b"alice")])
    alice.put_manifest(ManifestPut(0, 1, b"alice-manifest"))
    assert bob.pull().items == []
    assert bob.manifest().counter == 0 and bob.manifest().blob is None
    # Bob writing the same id creates his own item; Alice's is untouched.
    answer = bob.push(server.key(), [write("shared-id", data=b"bob")])
    assert [a.seq for a in answer.accepted] == [1]
    bob.put_manifest(ManifestPut(0, 1, b"bob-manifest"))
    assert [i.ciphertext for i in alice.pull().items] == [b"alice"]
    assert alice.manifest().blob == b"alice-manifest"
    assert bob.account_keys().wrapped_keys == alice.account_keys().wrapped_keys  # same test data
    assert bob.sessions()[0].session_id != alice.sessions()[0].session_id


def test_manifest_concurrency(server: Server) -> None:
    client = server.signed_in("ivy@example.org")
    assert client.manifest().counter == 0
    assert client.put_manifest(ManifestPut(0, 1, b"m1")).counter == 1
    with pytest.raises(SyncError) as stale:
        client.put_manifest(ManifestPut(0, 2, b"other"))
    assert stale.value.status == 409 and stale.value.code == "manifest_conflict"
    assert stale.value.body["current"] == {"counter": 1, "blob": base64.b64encode(b"m1").decode()}
    client.put_manifest(ManifestPut(1, 5, b"m5"))
    manifest = client.manifest()
    assert (manifest.counter, manifest.blob) == (5, b"m5")


def auth(client_token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {client_token}"}


def test_limits_answer_clear_errors_with_headers(server: Server) -> None:
    client = server.signed_in("jay@example.org")
    headers = auth(client.token)
    too_big = b"{" + b" " * MAX_BODY_BYTES + b"}"
    response = server.http.post(
        "/v1/items", content=too_big, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value

    many = [write(f"i{n}").to_json() for n in range(MAX_WRITES_PER_REQUEST + 1)]
    response = server.http.post(
        "/v1/items", json={"idempotency_key": "k", "writes": many}, headers=headers
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid_request",
        "detail": "body.writes: more than 500 entries",
    }

    big_item = write("big", data=b"x" * (MAX_ITEM_BYTES + 1)).to_json()
    response = server.http.post(
        "/v1/items", json={"idempotency_key": "k", "writes": [big_item]}, headers=headers
    )
    assert response.status_code == 422 and "ciphertext" in response.json()["detail"]
    assert client.pull().items == []


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/v1/items?since=-1", {}, 422),
        ("GET", "/v1/items?limit=0", {}, 422),
        ("GET", "/v1/items?since=1&x=2", {}, 422),
        ("POST", "/v1/items", {"content": b"not json"}, 415),
        (
            "POST",
            "/v1/items",
            {"content": b"{", "headers": {"Content-Type": "application/json"}},
            422,
        ),
        ("PUT", "/v1/manifest", {"json": {"base_counter": 0, "counter": 1, "blob": "%%"}}, 422),
        ("GET", "/v1/nowhere", {}, 404),
        ("PATCH", "/v1/items", {}, 405),
    ],
)
def test_bad_requests_are_json_errors_with_headers(
    server: Server, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    client = server.signed_in("kim@example.org")
    kwargs = dict(kwargs)  # the parameter dict is shared by every backend's run
    extra_headers = kwargs.pop("headers", {})
    assert isinstance(extra_headers, dict)
    response = server.http.request(
        method,
        path,
        headers={**auth(client.token), **extra_headers},
        **kwargs,  # type: ignore[arg-type]
    )
    assert response.status_code == status
    assert isinstance(response.json()["error"], str)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_registration_refuses_a_weak_kdf_with_422(server: Server) -> None:
    body = {
        "email": "lee@example.org",
        "auth_secret": base64.b64encode(b"a" * 32).decode(),
        "kdf": {"algorithm": "argon2id", "memory_kib": 1024, "iterations": 3, "parallelism": 1},
        "salt": base64.b64encode(b"s" * 16).decode(),
        "wrapped_keys": {},
    }
    response = server.http.post("/v1/accounts", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("body.kdf.memory_kib")
