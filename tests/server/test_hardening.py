"""JSON strictness, HSTS, and security headers even on an unexpected crash."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from journal_desktop.server.db import make_engine, migrate
from journal_desktop.server.middleware import SecurityHeaders
from journal_desktop.server.throttle import Limits
from tests.server.harness import (
    BASE_URL,
    Clock,
    Server,
    TestClient,
    running,
    secret_for,
    settings_for,
)
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


def _signed_in_headers(server: Server, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.signed_in(email).token}"}


def _post_json_text(server: Server, path: str, text: str) -> tuple[int, dict[str, object]]:
    """POST `text` as is (JSON escapes like \\ud800 reach the server unchanged)."""
    response = server.http.post(
        path, content=text.encode(), headers={"Content-Type": "application/json"}
    )
    return response.status_code, response.json()


SECRET_B64 = base64.b64encode(b"k" * 32).decode()
KDF_JSON = '{"algorithm": "argon2id", "memory_kib": 65536, "iterations": 3, "parallelism": 4}'


@pytest.mark.parametrize("bad", ["\\ud800", "\\udfff", "a\\u0000b"])
def test_text_that_storage_cannot_hold_is_refused_not_a_500(server: Server, bad: str) -> None:
    """A lone surrogate (valid JSON, not UTF-8) or a NUL (PostgreSQL text holds none) in a
    text field was a 500 when stored; in wrapped_keys it was stored and broke GET keys."""
    status, body = _post_json_text(
        server,
        "/v1/accounts",
        f'{{"email": "x{bad}@example.org", "auth_secret": "{SECRET_B64}", '
        f'"kdf": {KDF_JSON}, "salt": "{SECRET_B64}", "wrapped_keys": {{}}}}',
    )
    assert (status, body["error"]) == (422, "invalid_request"), body
    assert "body.email" in str(body["detail"])
    if bad != "a\\u0000b":  # wrapped_keys is stored as escaped JSON: a NUL is fine there
        status, body = _post_json_text(
            server,
            "/v1/accounts",
            f'{{"email": "keys@example.org", "auth_secret": "{SECRET_B64}", '
            f'"kdf": {KDF_JSON}, "salt": "{SECRET_B64}", "wrapped_keys": {{"k": "{bad}"}}}}',
        )
        assert (status, body["error"]) == (422, "invalid_request"), body
        assert "body.wrapped_keys" in str(body["detail"])
        # Nothing was stored: prelogin gives the fake salt, not the one sent.
        prelogin = server.http.get("/v1/prelogin", params={"email": "keys@example.org"})
        assert prelogin.json()["salt"] != SECRET_B64
    server.signed_in("dev@example.org")
    right = base64.b64encode(secret_for("dev@example.org")).decode()
    status, body = _post_json_text(
        server,
        "/v1/sessions",
        f'{{"email": "dev@example.org", "auth_secret": "{right}", "device_name": "laptop{bad}"}}',
    )
    assert (status, body["error"]) == (422, "invalid_request"), body
    assert "body.device_name" in str(body["detail"])
    status, body = _post_json_text(
        server,
        "/v1/sessions",
        f'{{"email": "who{bad}@example.org", "auth_secret": "{SECRET_B64}", '
        '"device_name": "laptop"}',
    )
    assert (status, body["error"]) == (422, "invalid_request"), body


def test_prelogin_refuses_a_nul_in_the_email(server: Server) -> None:
    """PostgreSQL text holds no NUL: looking one up was a 500 there."""
    response = server.http.get("/v1/prelogin", params={"email": "a\x00b@example.org"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_every_kind_of_answer_carries_the_security_headers(tmp_path: Path) -> None:
    """413, 429, the OpenAPI description and a raw blob too, not only JSON answers."""
    settings = settings_for(
        tmp_path / "data", max_body_bytes=1024, throttle=Limits(per_email=1, per_address=50)
    )
    with running(settings) as http:
        server = Server(http=http, clock=Clock())
        headers = _signed_in_headers(server, "heads@example.org")
        answers = {
            "openapi": http.get("/v1/openapi.json"),
            "413": http.post(
                "/v1/items",
                content=b"x" * 2048,
                headers={**headers, "Content-Type": "application/json"},
            ),
        }
        put = http.put(
            "/v1/blobs/b1",
            content=b"blob",
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert put.status_code == 201
        answers["blob"] = http.get("/v1/blobs/b1", headers=headers)
        wrong = {"email": "heads@example.org", "auth_secret": SECRET_B64, "device_name": "d"}
        assert http.post("/v1/sessions", json=wrong).status_code == 401
        answers["429"] = http.post("/v1/sessions", json=wrong)
    assert answers["413"].status_code == 413 and answers["429"].status_code == 429
    assert "retry-after" in answers["429"].headers
    for label, response in answers.items():
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (label, name)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/items", "GET, HEAD, POST"),
        ("/v1/sessions", "GET, HEAD, POST"),
        ("/v1/blobs/b1", "DELETE, GET, HEAD, PUT"),
        ("/v1/manifest", "GET, HEAD, PUT"),
        ("/v1/health", "GET, HEAD"),
    ],
)
def test_a_405_names_every_method_the_path_answers(server: Server, path: str, allowed: str) -> None:
    """Not only the first route's: `PATCH /v1/items` said `Allow: HEAD, GET`."""
    response = server.http.request("PATCH", path)
    assert response.status_code == 405
    assert response.json() == {"error": "method_not_allowed"}
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/items", "since=1&since=0"),
        ("/v1/items", "limit=5&since=0&limit=1"),
        ("/v1/security-events", "limit=1&limit=2"),
        ("/v1/prelogin", "email=a@example.org&email=b@example.org"),
    ],
)
def test_a_repeated_query_parameter_is_refused(server: Server, path: str, params: str) -> None:
    """Like a repeated JSON key: the server read the last value, a proxy or log may the first."""
    headers = _signed_in_headers(server, "query@example.org")
    response = server.http.get(f"{path}?{params}", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "appears twice" in response.json()["detail"]


def test_a_database_error_never_quotes_the_parameters(
    database_url: str | None, tmp_path: Path
) -> None:
    """An unexpected database error is logged with its message: SQLAlchemy put the bound
    parameters (auth hashes, token hashes, ciphertext) into it."""
    settings = settings_for(tmp_path, database_url=database_url)
    engine = make_engine(settings.url)
    try:
        migrate(engine)
        with pytest.raises(DBAPIError) as failed, engine.begin() as conn:
            conn.execute(
                text("SELECT CAST(:secret AS INTEGER) + no_such_column"),
                {"secret": "token-hash-that-must-not-be-logged"},
            )
        assert "token-hash-that-must-not-be-logged" not in str(failed.value)
    finally:
        engine.dispose()


def test_a_full_disk_is_a_507_and_nothing_is_stored(tmp_path: Path) -> None:
    """A full disk (SQLITE_FULL) was a 500 internal_error, as if the server had a bug."""
    with running(settings_for(tmp_path / "data")) as http:
        server = Server(http=http, clock=Clock())
        client = server.signed_in("full@example.org")
        engine = http.app.state.server.engine  # type: ignore[attr-defined]

        def no_growth(dbapi_connection: Any, _record: object) -> None:
            dbapi_connection.execute("PRAGMA max_page_count = 1")  # = its size now

        event.listen(engine, "connect", no_growth)
        engine.dispose()
        big = base64.b64encode(b"c" * 200_000).decode()
        writes = [
            {"id": f"i{n}", "type": "trade", "base_version": 0, "version": 1}
            | {"deleted": False, "ciphertext": big}
            for n in range(3)
        ]
        response = http.post(
            "/v1/items",
            json={"idempotency_key": "full", "writes": writes},
            headers={"Authorization": f"Bearer {client.token}"},
        )
        assert response.status_code == 507, response.text
        assert response.json()["error"] == "storage_full"
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        event.remove(engine, "connect", no_growth)
        engine.dispose()
        assert client.pull().items == []
