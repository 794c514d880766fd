"""A pull page is bounded in bytes, not only in items.

A page held up to 1,000 items of up to 256 KiB each: one account's own GET /v1/items?limit=1000
made the server read and encode about 340 MB (base64) in memory at once, and a few of those in
parallel exhausted it. Now a page stops once its ciphertext passes `max_page_bytes` (always at
least one item, so a pull makes progress); `more` says the rest follows.
"""

from __future__ import annotations

from pathlib import Path

from journal_desktop.server.settings import Settings
from journal_desktop.sync import protocol
from tests.server.harness import Clock, Server, running, settings_for, write


def test_a_page_stops_at_its_byte_budget(tmp_path: Path, database_url: str | None) -> None:
    settings = settings_for(tmp_path / "data", database_url=database_url, max_page_bytes=2500)
    with running(settings) as http:
        client = Server(http=http, clock=Clock()).signed_in("big@example.org")
        client.push("k", [write(f"i{n}", data=bytes([n]) * 1000) for n in range(5)])
        client.push("k2", [write("huge", data=b"h" * 4000)])
        pages = []
        since = 0
        for _ in range(10):
            page = client.pull(since, limit=1000)
            pages.append([item.id for item in page.items])
            since = page.next_since
            if not page.more:
                break
        assert pages == [["i0", "i1"], ["i2", "i3"], ["i4"], ["huge"]]
        # The raw answer says the same: two items of 1,000 bytes fit 2,500, a third does not.
        auth = {"Authorization": f"Bearer {client.token}"}
        first = http.get("/v1/items", params={"limit": 1000}, headers=auth).json()
        assert [i["id"] for i in first["items"]] == ["i0", "i1"]
        assert first["more"] is True and first["next_since"] == 2
        # The item limit still applies below the byte budget.
        one = http.get("/v1/items", params={"limit": 1}, headers=auth).json()
        assert [i["id"] for i in one["items"]] == ["i0"] and one["more"] is True


def test_the_default_budget_is_the_body_limit() -> None:
    assert Settings(data_dir=Path("unused")).max_page_bytes == protocol.MAX_BODY_BYTES
