"""What an outside reviewer found probing a real server on 127.0.0.1 with raw sockets."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from journal_desktop.server.middleware import SECURITY_HEADERS
from tests.server.harness import settings_for
from tests.server.live import free_port, live_server, raw_exchange, split_response


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, int]]:
    with live_server(settings_for(tmp_path / "data")) as served:
        yield served


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("journal_desktop") and r.levelno >= 40]


@pytest.mark.parametrize(
    "head",
    [
        b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"email":',
        b"POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Transfer-Encoding: chunked\r\n\r\n1000\r\n{"em',
    ],
    ids=["content-length", "chunked"],
)
def test_a_client_that_hangs_up_mid_body_is_no_server_error(
    live: tuple[str, int], caplog: pytest.LogCaptureFixture, head: bytes
) -> None:
    """It was logged as an unhandled error, with a traceback, on every such request: anyone
    could fill the operator's error log (and alerts) by hanging up."""
    _url, port = live
    caplog.set_level(logging.INFO)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head)
        time.sleep(0.2)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not _errors(caplog):
        time.sleep(0.05)
    assert _errors(caplog) == []
    status, _headers, _body = split_response(
        raw_exchange(port, b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert status == 200


def test_a_trailing_slash_is_not_redirected_to_the_callers_host(live: tuple[str, int]) -> None:
    """`/v1/blobs/x/` answered 307 with a Location built from the request's Host header (an
    answer the API description does not have, pointing wherever the Host said): an API has
    no other spelling of its paths."""
    _url, port = live
    raw = raw_exchange(
        port,
        b"PUT /v1/blobs/x/ HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer t\r\n"
        b"Content-Type: application/octet-stream\r\nContent-Length: 1\r\n"
        b"Connection: close\r\n\r\nz",
    )
    status, headers, _body = split_response(raw)
    assert status == 404
    assert "location" not in headers
    for name, value in SECURITY_HEADERS:
        assert headers[name.decode()] == value.decode()


@pytest.mark.parametrize(
    "head",
    [
        # Refused on its declared size (413) before a byte of the body was read.
        b"POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 99999999999\r\n\r\n{",
        # Refused for want of a token (401) before the body was read.
        b"POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000\r\n\r\n{",
        b"PUT /v1/blobs/b HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n100000\r\nzz",
    ],
    ids=["413", "401", "401-chunked"],
)
def test_an_answer_given_before_the_body_was_read_closes_the_connection(
    live: tuple[str, int], head: bytes
) -> None:
    """The connection stayed open after such an answer, waiting for the rest of a body nobody
    would read: a client could trickle it for ever (the body deadline only covers bodies the
    app reads), or send gigabytes the server read and threw away."""
    _url, port = live
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head)
        started = time.monotonic()
        raw = b""
        closed = False
        while time.monotonic() - started < 3:
            conn.settimeout(0.2)
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                if raw:
                    conn.sendall(b"z")  # trickle more of the body
                continue
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            raw += chunk
    status, headers, _body = split_response(raw)
    assert status in (401, 413)
    assert headers.get("connection") == "close"
    assert closed, "the server kept the connection open for the rest of the body"


def test_the_access_log_names_no_email(tmp_path: Path) -> None:
    """uvicorn's access log wrote every query string, so each prelogin put the email signing
    in into the operator's log (the audit log and the throttle keep emails only keyed)."""
    port = free_port()
    command = [sys.executable, "-m", "journal_desktop.server.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("journal-server did not come up") from None
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/v1/prelogin"
        assert httpx.get(url, params={"email": "who@example.org"}, timeout=5).status_code == 200
        assert httpx.get(f"{url}?email=who%40example.org", timeout=5).status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    log = output.decode(errors="replace")
    assert "/v1/prelogin" in log  # the request is still logged...
    assert "who" not in log and "example.org" not in log  # ...but not whose it was


def test_a_body_framed_two_ways_is_refused_and_the_connection_closed(
    live: tuple[str, int],
) -> None:
    """Transfer-Encoding and Content-Length together were served (by the chunked framing) on
    a connection kept open: a proxy in front that went by Content-Length would read the rest
    as another request (request smuggling). RFC 9112 6.1: refuse it, or close after it."""
    _url, port = live
    raw = raw_exchange(
        port,
        b"POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
        wait=5,
    )
    status, headers, body = split_response(raw)
    assert status == 400
    assert headers["connection"] == "close"
    assert b"/v1/health" not in body and raw.count(b"HTTP/1.1 ") == 1  # nothing more served
