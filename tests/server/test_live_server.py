"""The real server under uvicorn on 127.0.0.1, driven by the sync client over real sockets."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyotp
import pytest

from journal_desktop.server.settings import PasswordHashing, Settings
from journal_desktop.sync.client import SyncClient, SyncError
from tests.server.harness import login_request, register_request, write
from tests.server.live import free_port, live_server


@pytest.fixture
def live_url(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path / "data",
        password_hashing=PasswordHashing(memory_kib=64, iterations=1, lanes=1),
    )
    with live_server(settings) as (url, _port):
        yield url


def test_register_login_push_pull_over_loopback(live_url: str) -> None:
    with httpx.Client(timeout=10) as http:
        client = SyncClient(http, live_url)
        assert client.health()
        client.register(register_request("live@example.org"))
        client.login(login_request("live@example.org"))
        answer = client.push("k1", [write("a", data=b"\x00\x01"), write("b")])
        assert [a.seq for a in answer.accepted] == [1, 2]
        pulled = client.pull()
        assert [(i.id, i.ciphertext) for i in pulled.items] == [("a", b"\x00\x01"), ("b", b"x")]
        response = http.get(f"{live_url}/v1/items")
        assert response.status_code == 401
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "server" not in response.headers


def test_concurrent_pushes_keep_seq_gap_free(live_url: str) -> None:
    with httpx.Client(timeout=30) as http:
        client = SyncClient(http, live_url)
        client.register(register_request("busy@example.org"))
        token = client.login(login_request("busy@example.org")).token

    def push(worker: int) -> list[int]:
        with httpx.Client(timeout=30) as own:
            mine = SyncClient(own, live_url, token)
            seqs = []
            for batch in range(5):
                writes = [write(f"w{worker}-{batch}-{n}") for n in range(10)]
                seqs += [a.seq for a in mine.push(f"w{worker}-{batch}", writes).accepted]
            return seqs

    with ThreadPoolExecutor(max_workers=6) as pool:
        all_seqs = [seq for seqs in pool.map(push, range(6)) for seq in seqs]
    assert sorted(all_seqs) == list(range(1, 6 * 5 * 10 + 1))


def test_the_console_command_serves_on_loopback(tmp_path: Path) -> None:
    import subprocess
    import sys

    port = free_port()
    command = [sys.executable, "-m", "journal_desktop.server.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("journal-server did not come up") from None
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert response.headers["x-frame-options"] == "DENY"
        assert (tmp_path / "data" / "server.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=15)
        assert process.stderr is not None
        process.stderr.close()


def test_account_security_over_loopback(live_url: str) -> None:
    """Throttling, 2FA, blobs and the audit trail, over real sockets (real clock: no waits)."""
    with httpx.Client(timeout=10) as http:
        owner = SyncClient(http, live_url)
        owner.register(register_request("sec@example.org"))
        owner.login(login_request("sec@example.org"))
        assert owner.put_blob("c1", bytes(range(256))) is True
        assert owner.get_blob("c1") == bytes(range(256))
        setup = owner.totp_setup()
        codes = owner.totp_enable(pyotp.TOTP(setup.secret).now())
        with pytest.raises(SyncError) as required:
            SyncClient(http, live_url).login(login_request("sec@example.org"))
        assert required.value.code == "totp_required"
        recovered = SyncClient(http, live_url)
        recovered.login(
            dataclasses.replace(login_request("sec@example.org"), recovery_code=codes[0])
        )
        for _ in range(5):
            with pytest.raises(SyncError):
                SyncClient(http, live_url).login(login_request("sec@example.org", secret=b"w" * 32))
        with pytest.raises(SyncError) as locked:
            SyncClient(http, live_url).login(login_request("sec@example.org"))
        assert locked.value.status == 429 and (locked.value.retry_after or 0) > 0
        events = [e.event for e in owner.security_events()]
        assert events[:3] == ["sign_in_throttled", "sign_in_failed", "sign_in_failed"]
        assert {"recovery_code_used", "totp_enabled", "account_created"} <= set(events)
