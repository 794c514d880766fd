"""JSON strictness, HSTS, and security headers even on an unexpected crash."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from journal_desktop.server.middleware import SecurityHeaders
from tests.server.harness import BASE_URL, Server, TestClient, running, settings_for
from tests.server.test_accounts_sessions import SECURITY_HEADERS


def post_raw(server: Server, body: bytes) -> tuple[int, dict[str, str]]:
    client = server.signed_in("raw@example.org")
    response = server.http.post(
        "/v1/items",
        content=body,
        headers={"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"},
    )
    return response.status_code, response.json()


def test_duplicate_keys_and_non_json_constants_are_refused(server: Server) -> None:
    assert post_raw(server, b'{"idempotency_key": "a", "idempotency_key": "b", "writes": []}') == (
        422,
        {"error": "invalid_request", "detail": "body: field 'idempotency_key' appears twice"},
    )
    status, body = post_raw(server, b'{"idempotency_key": "a", "writes": [], "n": NaN}')
    assert (status, body["detail"]) == (422, "body: NaN is not JSON")
    status, body = post_raw(server, b"[" * 100_000)
    assert (status, body["detail"]) == (422, "body: not valid JSON")


def test_hsts_only_over_tls(tmp_path: Path) -> None:
    with running(settings_for(tmp_path / "plain")) as http:
        assert "strict-transport-security" not in http.get("/v1/health").headers
    with running(settings_for(tmp_path / "tls", tls=True)) as http:
        assert http.get("/v1/health").headers["strict-transport-security"].startswith("max-age=")


def test_a_crash_is_a_json_500_with_headers_and_no_traceback() -> None:
    async def boom(_request: Request) -> Response:
        raise RuntimeError("secret detail that must not leak")

    app = Starlette(routes=[Route("/boom", boom)], middleware=[Middleware(SecurityHeaders)])
    with TestClient(app, base_url=BASE_URL) as http:
        response = http.get("/boom")
    assert response.status_code == 500 and response.json() == {"error": "internal_error"}
    assert "secret" not in response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
