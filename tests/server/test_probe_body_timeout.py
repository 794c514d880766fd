"""A body that never comes (or trickles) is cut off with 408, on a real uvicorn over a socket.

uvicorn has no deadline for reading a request body: a client that sent its headers and then
nothing held its connection open for as long as it liked.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx

from journal_desktop.server.cli import build_parser
from journal_desktop.server.middleware import SECURITY_HEADERS
from journal_desktop.server.settings import DEFAULT_BODY_TIMEOUT, Settings
from tests.server.harness import register_request, settings_for
from tests.server.live import live_server, read_until_closed, split_response

TIMEOUT = 0.5


def _headers_only(port: int, path: str, content_length: int, first: bytes = b"") -> bytes:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {content_length}\r\n\r\n"
    ).encode() + first
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        started = time.monotonic()
        raw = read_until_closed(conn, 10)
        assert time.monotonic() - started < 8, "the server kept waiting for the body"
    return raw


def test_headers_without_a_body_get_a_408_and_the_connection_closes(tmp_path: Path) -> None:
    with live_server(settings_for(tmp_path / "data", body_timeout=TIMEOUT)) as (_url, port):
        raw = _headers_only(port, "/v1/accounts", 500)
    status, headers, body = split_response(raw)
    assert status == 408
    assert json.loads(body)["error"] == "request_timeout"
    assert headers["connection"] == "close"
    for name, value in SECURITY_HEADERS:
        assert headers[name.decode()] == value.decode()


def test_a_trickled_body_is_cut_off_too(tmp_path: Path) -> None:
    with live_server(settings_for(tmp_path / "data", body_timeout=TIMEOUT)) as (url, port):
        request = (
            b"POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 400\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(request)
            started = time.monotonic()
            status = None
            for _ in range(40):  # a byte every 0.1 s: never done within the deadline
                try:
                    conn.sendall(b" ")
                except OSError:
                    break
                time.sleep(0.1)
                conn.settimeout(0.01)
                try:
                    first = conn.recv(65536)
                except TimeoutError:
                    continue
                status = split_response(first + read_until_closed(conn, 2))[0]
                break
            assert status == 408
            assert time.monotonic() - started < 3
        # The server still serves everyone else.
        assert httpx.get(f"{url}/v1/health", timeout=5).status_code == 200


def test_a_body_in_time_is_served(tmp_path: Path) -> None:
    with live_server(settings_for(tmp_path / "data", body_timeout=TIMEOUT)) as (url, _port):
        body = register_request("quick@example.org").to_json()
        response = httpx.post(f"{url}/v1/accounts", json=body, timeout=10)
        assert response.status_code == 201
        # A route that reads no body is never cut short, however long it takes to answer.
        assert httpx.get(f"{url}/v1/health", timeout=5).status_code == 200


def test_the_default_and_the_serve_option() -> None:
    assert Settings(data_dir=Path("unused")).body_timeout == DEFAULT_BODY_TIMEOUT == 30
    args = build_parser().parse_args(["serve", "--body-timeout", "12.5"])
    assert args.body_timeout == 12.5
    for wrong in ("0", "-1", "nan", "inf", "soon"):
        try:
            build_parser().parse_args(["serve", "--body-timeout", wrong])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"--body-timeout {wrong} was taken")
