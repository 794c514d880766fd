"""Real `journal-server serve` processes sharing one database, under concurrent pushes.

Two server processes (uvicorn, different ports) on one PostgreSQL database, and one
`serve --workers 2` on each backend; several client threads push to the same accounts through
all of them at once. Afterwards every account's seq values are 1..N with no gap and no
duplicate, and every accepted write is there. The servers use the production Argon2id cost,
so the clients sign in once each. Every wait is bounded; the processes are stopped (and, if
they hang, killed with their whole process group) at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from journal_desktop.sync.client import SyncClient
from journal_desktop.sync.protocol import Accepted, Write
from tests.server.harness import login_request, register_request, write

pytestmark = pytest.mark.slow

START_TIMEOUT = 60
STOP_TIMEOUT = 20


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def journal_server(data_dir: Path, *options: str) -> Iterator[str]:
    """`journal-server serve` in a process group of its own; yields its base URL."""
    port = _free_port()
    log_path = data_dir.parent / f"server-{port}.log"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "journal_desktop.server.cli", "serve",
        "--port", str(port), "--data-dir", str(data_dir), *options,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"journal-server did not come up:\n{log_path.read_text(errors='replace')}"
                    )
                time.sleep(0.1)
            yield url
        finally:
            _stop(process)
            # Shown by pytest when the test fails: what the server said while it ran.
            print(f"--- {' '.join(command[2:])}\n{log_path.read_text(errors='replace')[-20000:]}")
    assert "Traceback" not in log_path.read_text(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn stops its workers), then SIGKILL for the whole group if it hangs."""
    group = process.pid  # start_new_session: the group id is the leader's pid
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while True:  # workers leave with their supervisor
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(group, signal.SIGKILL)
            raise AssertionError("a worker process outlived the server")
        time.sleep(0.1)


@dataclass
class Outcome:
    accepted: list[tuple[str, Accepted]]
    conflicts: int


class Clients:
    """Sync clients over their own connection pools, all closed at the end."""

    def __init__(self) -> None:
        self._open: list[httpx.Client] = []

    def new(self, url: str, token: str | None = None) -> SyncClient:
        http = httpx.Client(timeout=60)
        self._open.append(http)
        return SyncClient(http, url, token)

    def close(self) -> None:
        for http in self._open:
            http.close()


@pytest.fixture
def clients() -> Iterator[Clients]:
    made = Clients()
    yield made
    made.close()


def _hammer(
    clients: Clients, urls: list[str], emails: list[str], threads_per_token: int, batches: int
) -> Outcome:
    """Register, sign each account in once per URL, then push from many threads at once."""
    for email in emails:
        clients.new(urls[0]).register(register_request(email))
    tokens: list[tuple[str, str, str]] = []
    for email in emails:
        for n, url in enumerate(urls):
            session = clients.new(url).login(login_request(email, f"device-{n}"))
            tokens.append((email, url, session.token))
    jobs = [(t, k) for t in tokens for k in range(threads_per_token)]

    def push(job: tuple[tuple[str, str, str], int]) -> Outcome:
        (email, url, token), k = job
        client = clients.new(url, token)
        other = clients.new(urls[-1] if url == urls[0] else urls[0], token)
        mine: list[tuple[str, Accepted]] = []
        conflicts = 0
        for batch in range(batches):
            tag = f"{url[-5:]}-{k}-{batch}"
            writes: list[Write] = [write(f"own-{tag}-{n}", data=tag.encode()) for n in range(4)]
            # One item every thread fights over: base 0 wins once, the rest are conflicts.
            writes.append(write("contested", base=0))
            key = f"key-{tag}"
            answer = client.push(key, writes)
            if batch == 0:  # a retry (through the other server, if any): the same answer
                assert other.push(key, writes) == answer
            mine += [(email, a) for a in answer.accepted]
            conflicts += len(answer.conflicts)
        return Outcome(mine, conflicts)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(push, jobs, timeout=300))
    return Outcome([a for r in results for a in r.accepted], sum(r.conflicts for r in results))


def _check(
    clients: Clients, url: str, emails: list[str], outcome: Outcome, own_per_account: int
) -> None:
    for email in emails:
        accepted = [a for e, a in outcome.accepted if e == email]
        seqs = sorted(a.seq for a in accepted)
        assert seqs == list(range(1, len(seqs) + 1)), f"{email}: gaps or duplicates"
        reader = clients.new(url)
        reader.login(login_request(email, "reader"))
        pulled, since = [], 0
        for _ in range(100):  # bounded paging
            page = reader.pull(since=since, limit=50)
            pulled += page.items
            since = page.next_since
            if not page.more:
                break
        by_id = {item.id: item for item in pulled}
        assert len(by_id) == len(pulled) == len(accepted)  # one copy per id, nothing else
        for a in accepted:  # every accepted write is there, as accepted
            stored = by_id[a.id]
            assert (stored.version, stored.seq) == (a.version, a.seq)
        assert len([a for a in accepted if a.id != "contested"]) == own_per_account
        assert [a.id for a in accepted].count("contested") == 1


def test_two_server_processes_on_one_postgresql(
    tmp_path: Path, pg_database_url: str, clients: Clients
) -> None:
    data = tmp_path / "data"  # both read the same server secret, as a deployment must
    url = ["--database-url", pg_database_url]
    emails = ["ann@example.org", "ben@example.org", "cat@example.org"]
    with journal_server(data, *url) as first, journal_server(data, *url) as second:
        outcome = _hammer(clients, [first, second], emails, threads_per_token=2, batches=4)
        pushes = 2 * 2 * 4  # per account: a token per server x 2 threads x 4 batches
        assert outcome.conflicts == len(emails) * (pushes - 1)
        _check(clients, second, emails, outcome, pushes * 4)
    _audit_intact(data, pg_database_url)


def test_serve_with_workers(tmp_path: Path, database_url: str | None, clients: Clients) -> None:
    data = tmp_path / "data"
    url = ["--database-url", database_url] if database_url else []
    emails = ["dan@example.org", "eve@example.org"]
    with journal_server(data, "--workers", "2", *url) as served:
        outcome = _hammer(clients, [served], emails, threads_per_token=3, batches=3)
        assert outcome.conflicts == len(emails) * (3 * 3 - 1)
        _check(clients, served, emails, outcome, 3 * 3 * 4)
    _audit_intact(data, database_url)


def _audit_intact(data: Path, database_url: str | None) -> None:
    from journal_desktop.server import cli

    args = ["audit", "verify", "--data-dir", str(data)]
    assert cli.main([*args, *(["--database-url", database_url] if database_url else [])]) == 0
