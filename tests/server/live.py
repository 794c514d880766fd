"""A real uvicorn on 127.0.0.1 in a thread, for tests that need real sockets (raw requests,
slow bodies, odd framing) rather than the in-process TestClient."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from journal_desktop.server.app import create_app
from journal_desktop.server.cli import UVICORN_OPTIONS
from journal_desktop.server.settings import Settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(settings: Settings) -> Iterator[tuple[str, int]]:
    """Serve `settings` on 127.0.0.1; yields (base URL, port). Stopped on the way out."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        **UVICORN_OPTIONS,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the server did not come up")
            time.sleep(0.05)
        yield url, port
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def raw_exchange(port: int, request: bytes, *, wait: float = 10.0) -> bytes:
    """Send `request` as is and read until the server closes or `wait` seconds pass."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(request)
        return read_until_closed(conn, wait)


def read_until_closed(conn: socket.socket, wait: float) -> bytes:
    chunks: list[bytes] = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        conn.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = conn.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-cased names; the last of repeats) and body of one response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body
