"""Every status the server can answer on a route is in the OpenAPI description of that route.

The answers the pure-ASGI layer gives (507 storage_full when the disk is full, 408 when a body
does not arrive in time) never pass through a route's own code, so they were easy to leave out.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from journal_desktop.server import openapi
from tests.server.harness import (
    Clock,
    Server,
    login_request,
    register_request,
    running,
    settings_for,
)

DOCUMENT = openapi.document()


def _described(method: str, path: str) -> set[str]:
    return set(DOCUMENT["paths"][path][method.lower()]["responses"])


def _writes(op: openapi.Operation) -> bool:
    """Routes that may write: every authenticated one (the session's last-seen time), and
    registration and sign-in."""
    return op.auth or (op.method, op.path) in {("POST", "/v1/accounts"), ("POST", "/v1/sessions")}


@pytest.mark.parametrize("op", openapi.OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
def test_middleware_answers_are_described(op: openapi.Operation) -> None:
    described = _described(op.method, op.path)
    if _writes(op):
        assert "507" in described
    assert "400" in described  # a body framed two ways is refused on any route
    if op.request is not None or op.request_octets:
        assert {"408", "413"} <= described
    error_schema = DOCUMENT["paths"][op.path][op.method.lower()]["responses"]
    for status in described - {"200", "201", "204"}:
        assert "application/json" in error_schema[status]["content"]


def test_a_full_disk_is_a_described_507_on_every_writing_route(tmp_path: Path) -> None:
    with running(settings_for(tmp_path / "data")) as http:
        server = Server(http=http, clock=Clock())
        client = server.signed_in("full@example.org")
        auth = {"Authorization": f"Bearer {client.token}"}
        engine = http.app.state.server.engine  # type: ignore[attr-defined]

        def disk_full(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                raise OSError(errno.ENOSPC, "No space left on device")

        event.listen(engine, "before_cursor_execute", disk_full)
        try:
            calls: list[tuple[str, str, dict[str, Any]]] = [
                ("POST", "/v1/accounts", {"json": register_request("new@example.org").to_json()}),
                ("POST", "/v1/sessions", {"json": login_request("full@example.org").to_json()}),
                (
                    "PUT",
                    "/v1/blobs/b1",
                    {
                        "content": b"x",
                        "headers": {**auth, "Content-Type": "application/octet-stream"},
                    },
                ),
                (
                    "PUT",
                    "/v1/manifest",
                    {"json": {"base_counter": 0, "counter": 1, "blob": ""}, "headers": auth},
                ),
                ("POST", "/v1/2fa/totp/setup", {"headers": auth}),
            ]
            for method, path, kwargs in calls:
                response = http.request(method, path, **kwargs)
                assert response.status_code == 507, (path, response.text)
                assert response.json()["error"] == "storage_full"
                template = "/v1/blobs/{blob_id}" if path.startswith("/v1/blobs/") else path
                assert "507" in _described(method, template), path
        finally:
            event.remove(engine, "before_cursor_execute", disk_full)
