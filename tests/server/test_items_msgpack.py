"""msgpack on the items endpoints: negotiated, as strict as JSON, and interchangeable with it."""

from __future__ import annotations

import base64
from typing import Any

import msgpack
import pytest

from journal_desktop.sync.client import SyncClient
from journal_desktop.sync.protocol import MSGPACK, PushRequest
from tests.server.harness import BASE_URL, Server, write


def _auth(client: SyncClient, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.token}", **extra}


def _packed(value: Any) -> bytes:
    return bytes(msgpack.packb(value, use_bin_type=True))


def _push_body(key: str = "k", **write_changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "a",
        "type": "trade",
        "base_version": 0,
        "version": 1,
        "deleted": False,
        "ciphertext": b"\x00\xffcipher",
    }
    entry.update(write_changes)
    return {"idempotency_key": key, "writes": [entry]}


def test_push_and_pull_speak_msgpack_with_raw_bytes(server: Server) -> None:
    client = server.signed_in("mia@example.org")
    headers = _auth(client, **{"Content-Type": MSGPACK, "Accept": MSGPACK})
    response = server.http.post("/v1/items", content=_packed(_push_body()), headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == MSGPACK
    assert msgpack.unpackb(response.content) == {
        "accepted": [{"id": "a", "version": 1, "seq": 1}],
        "conflicts": [],
    }
    pulled = server.http.get("/v1/items", headers=_auth(client, Accept=MSGPACK))
    assert pulled.headers["content-type"] == MSGPACK
    (item,) = msgpack.unpackb(pulled.content)["items"]
    assert item["ciphertext"] == b"\x00\xffcipher"  # bin, not base64 text
    as_json = server.http.get("/v1/items", headers=_auth(client))
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["items"][0]["ciphertext"] == base64.b64encode(b"\x00\xffcipher").decode()


def test_json_stays_the_default_and_the_client_can_choose_it(server: Server) -> None:
    packed = server.signed_in("ned@example.org")
    assert packed.msgpack_items
    plain = SyncClient(server.http, BASE_URL, packed.token, msgpack_items=False)
    packed.push(server.key(), [write("a", data=b"one")])
    plain.push(server.key(), [write("b", data=b"two")])
    assert packed.pull() == plain.pull()
    assert [(i.id, i.ciphertext) for i in plain.pull().items] == [("a", b"one"), ("b", b"two")]


@pytest.mark.parametrize("first_binary", [True, False])
def test_an_idempotent_replay_answers_the_first_answer_in_either_format(
    server: Server, first_binary: bool
) -> None:
    owner = server.signed_in("ola@example.org")
    packed = SyncClient(server.http, BASE_URL, owner.token, msgpack_items=True)
    plain = SyncClient(server.http, BASE_URL, owner.token, msgpack_items=False)
    packed.push(server.key(), [write("taken", data=b"stored")])
    batch = [write("new"), write("taken", data=b"stale")]  # one accepted, one conflict
    first, second = (packed, plain) if first_binary else (plain, packed)
    answer = first.push("retry", batch)
    assert [a.id for a in answer.accepted] == ["new"]
    assert answer.conflicts[0].current is not None
    assert answer.conflicts[0].current.ciphertext == b"stored"
    assert second.push("retry", batch) == answer
    assert first.push("retry", batch) == answer
    assert [i.id for i in plain.pull().items] == ["taken", "new"]  # nothing applied twice


def test_the_same_key_with_other_writes_is_refused_in_msgpack_too(server: Server) -> None:
    client = server.signed_in("pam@example.org")
    client.push("once", [write("a")])
    headers = _auth(client, **{"Content-Type": MSGPACK, "Accept": MSGPACK})
    body = PushRequest("once", [write("b")]).to_wire(binary=True)
    response = server.http.post("/v1/items", content=_packed(body), headers=headers)
    assert response.status_code == 422
    assert msgpack.unpackb(response.content)["error"] == "idempotency_key_reused"


MALFORMED: list[tuple[bytes, str]] = [
    (b"", "not valid msgpack"),
    (b"\x82\xa1a", "not valid msgpack"),  # truncated
    (_packed({"idempotency_key": "k", "writes": []}) + b"\x00", "not valid msgpack"),  # extra
    (b"\xd4\x05\x00", "extension type 5"),
    (_packed({1: 2}), "not valid msgpack"),  # a non-string key
    (b"\x82\xa1a\x01\xa1a\x02", "appears twice"),
    (b"\x91" * 100_000, "not valid msgpack"),  # nested too deep
    (_packed([1, 2]), "body: expected a map"),
    (_packed(_push_body(ciphertext="text")), "ciphertext: expected binary data"),
    (_packed(_push_body(id=b"bytes")), "writes[0].id: expected a string"),
    (_packed(_push_body(version=1.5)), "writes[0].version: expected an integer"),
    (_packed(_push_body(extra=1)), "unknown field 'extra'"),
    (_packed(_push_body(version=0)), "must be between 1 and"),
    (_packed(_push_body(ciphertext=b"x" * (256 * 1024 + 1))), "ciphertext: must be 0 to"),
    (_packed({"idempotency_key": "k", "writes": [], b"raw": 1}), "not a string"),
]


@pytest.mark.parametrize(("body", "detail"), MALFORMED)
def test_malformed_msgpack_is_a_clear_422_never_a_500(
    server: Server, body: bytes, detail: str
) -> None:
    client = server.signed_in("quin@example.org")
    as_msgpack = server.http.post(
        "/v1/items",
        content=body,
        headers=_auth(client, **{"Content-Type": MSGPACK, "Accept": MSGPACK}),
    )
    assert as_msgpack.status_code == 422
    assert as_msgpack.headers["content-type"] == MSGPACK
    answer = msgpack.unpackb(as_msgpack.content)
    assert answer["error"] == "invalid_request" and detail in answer["detail"]
    as_json = server.http.post(
        "/v1/items", content=body, headers=_auth(client, **{"Content-Type": MSGPACK})
    )
    assert as_json.status_code == 422 and detail in as_json.json()["detail"]
    assert client.pull().items == []


def test_other_media_types_are_refused(server: Server) -> None:
    client = server.signed_in("ray@example.org")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = server.http.post(
            "/v1/items", content=b"{}", headers=_auth(client, **{"Content-Type": content_type})
        )
        assert response.status_code == 415
        assert MSGPACK in response.json()["detail"]


def test_errors_on_the_items_endpoints_follow_accept(server: Server) -> None:
    unauthorized = server.http.get("/v1/items", headers={"Accept": MSGPACK})
    assert unauthorized.status_code == 401 and unauthorized.headers["content-type"] == MSGPACK
    assert msgpack.unpackb(unauthorized.content) == {"error": "unauthorized"}
    client = server.signed_in("sue@example.org")
    bad_query = server.http.get("/v1/items?limit=0", headers=_auth(client, Accept=MSGPACK))
    assert (
        bad_query.status_code == 422
        and "query.limit" in msgpack.unpackb(bad_query.content)["detail"]
    )
    # Elsewhere errors are JSON whatever Accept says.
    other = server.http.get("/v1/manifest", headers={"Accept": MSGPACK})
    assert other.status_code == 401 and other.headers["content-type"] == "application/json"
    # JSON when JSON comes first, or msgpack is refused with q=0.
    for accept in (f"application/json, {MSGPACK}", f"{MSGPACK};q=0"):
        answer = server.http.get("/v1/items", headers=_auth(client, Accept=accept))
        assert answer.headers["content-type"] == "application/json"


def test_a_push_looks_up_stored_items_by_primary_key(server: Server) -> None:
    """On PostgreSQL a push once read every item of the account (the (account_id, seq) index,
    filtered by id) while the planner's statistics were young: O(account) per push. The lookup
    now joins the ids as a set, which stays a primary-key probe per id."""
    from sqlalchemy import text

    from journal_desktop.server.item_store import stored, stored_query

    engine = server.http.app.state.server.engine  # type: ignore[attr-defined]
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL plan")
    client = server.signed_in("plan@example.org")
    client.push(server.key(), [write(f"i{n}") for n in range(50)])
    wanted = [f"i{n}" for n in range(20)]
    with engine.connect() as conn:
        account = conn.execute(text("SELECT id FROM accounts")).scalar_one()
        sql, params = stored_query(conn, account, wanted)
        explained = conn.exec_driver_sql(f"EXPLAIN {sql}", tuple(params)).all()
        plan = "\n".join(r[0] for r in explained)
        found = stored(conn, account, wanted)
    assert "items_pkey" in plan and "ux_items_account_seq" not in plan
    assert sorted(found) == sorted(wanted)


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("deleted", [0, 1, True, False])
def test_a_page_is_built_from_rows_as_items_would_be(binary: bool, deleted: Any) -> None:
    """A pull builds its answer straight from the rows; it must be what `Item` gives."""
    from journal_desktop.server.items import wire_items
    from journal_desktop.sync.protocol import Item

    row = ("id-1", "trade", 3, deleted, b"\x00ciphertext", 42)
    expected = Item("id-1", "trade", 3, bool(deleted), b"\x00ciphertext", 42).to_wire(binary=binary)
    assert wire_items([row], binary) == [expected]
    assert type(wire_items([row], binary)[0]["deleted"]) is bool
