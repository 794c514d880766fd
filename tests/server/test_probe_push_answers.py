"""A push's stored answer (for idempotent replays) holds no copies of ciphertext.

The answer kept under an idempotency key held every conflict's current copy: a 16 KB push of
160 stale writes against 256 KiB items stored a 56 MB answer, never pruned and outside the
account's quota, so any account could fill the server's disk with a few requests. The stored
answer now names the conflicts only; a replay reads their current copies again.
"""

from __future__ import annotations

import base64
from pathlib import Path

from sqlalchemy import text

from tests.server.harness import Clock, Server, running, settings_for


def _writes(ids: list[str], base: int, data: bytes) -> list[dict[str, object]]:
    ciphertext = base64.b64encode(data).decode()
    return [
        {"id": i, "type": "trade", "base_version": base, "version": base + 1}
        | {"deleted": False, "ciphertext": ciphertext}
        for i in ids
    ]


def test_stored_answers_hold_no_ciphertext(tmp_path: Path, database_url: str | None) -> None:
    settings = settings_for(tmp_path / "data", database_url=database_url)
    with running(settings) as http:
        client = Server(http=http, clock=Clock()).signed_in("amp@example.org")
        auth = {"Authorization": f"Bearer {client.token}"}
        ids = [f"i{n}" for n in range(4)]
        body = {"idempotency_key": "fill", "writes": _writes(ids, 0, b"x" * 100_000)}
        assert http.post("/v1/items", json=body, headers=auth).status_code == 200
        stale = {"idempotency_key": "stale", "writes": _writes([*ids, "new"], 5, b"")}
        first = http.post("/v1/items", json=stale, headers=auth)
        assert first.status_code == 200
        answer = first.json()
        assert [c["id"] for c in answer["conflicts"]] == [*ids, "new"]
        assert answer["conflicts"][0]["current"]["version"] == 1
        assert answer["conflicts"][-1]["current"] is None  # no such item
        engine = http.app.state.server.engine  # type: ignore[attr-defined]
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT response FROM idempotency WHERE key = 'stale'")
            ).scalar_one()
        assert len(stored) < 1000, len(stored)
        # A replay answers the same.
        again = http.post("/v1/items", json=stale, headers=auth)
        assert again.status_code == 200 and again.json() == answer
        # In msgpack too.
        packed = http.post(
            "/v1/items", json=stale, headers={**auth, "Accept": "application/msgpack"}
        )
        assert packed.status_code == 200
        assert packed.headers["content-type"] == "application/msgpack"


def test_a_replay_gives_the_conflicts_current_copies(tmp_path: Path) -> None:
    """What a replay's conflicts hold is what is stored when it comes: the copy a client
    merges against next, not one that has been replaced since."""
    with running(settings_for(tmp_path / "data")) as http:
        client = Server(http=http, clock=Clock()).signed_in("replay@example.org")
        auth = {"Authorization": f"Bearer {client.token}"}
        first = {"idempotency_key": "one", "writes": _writes(["a"], 0, b"1")}
        assert http.post("/v1/items", json=first, headers=auth).status_code == 200
        stale = {"idempotency_key": "stale", "writes": _writes(["a"], 0, b"2")}
        answer = http.post("/v1/items", json=stale, headers=auth).json()
        assert answer["accepted"] == []
        assert answer["conflicts"][0]["current"]["version"] == 1
        newer = {"idempotency_key": "two", "writes": _writes(["a"], 1, b"3")}
        assert http.post("/v1/items", json=newer, headers=auth).status_code == 200
        replay = http.post("/v1/items", json=stale, headers=auth).json()
        assert replay["accepted"] == []
        assert replay["conflicts"][0]["current"]["version"] == 2
        assert replay["conflicts"][0]["current"]["ciphertext"] == base64.b64encode(b"3").decode()
