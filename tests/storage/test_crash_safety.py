"""Crash safety: a writer killed with SIGKILL at random moments never leaves a broken vault.

A child process (tests/storage/crash_writer.py) writes batches of trades and journal changes
in a loop; the parent kills it after a random delay, reopens the vault and checks that it
opens, passes SQLCipher's and SQLite's integrity checks and the audit chain, that every
batch is there whole or not at all, and that each record's version matches its audit trail.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from journal_desktop.domain import Account, AssetClass, Instrument
from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths, vault_keys
from journal_desktop.storage.vault import read_metadata
from tests.fakes import InMemoryKeyringFake
from tests.storage.crash_writer import KEY_VARIABLE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

ROUNDS = 15
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^marker=(\S+) size=(\d+) ")
RECORD_TABLES = {
    "trade": "trades",
    "journal_entry": "journal_entries",
    "account": "accounts",
    "instrument": "instruments",
}


def start_writer(paths: VaultPaths, key: bytes, round_number: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.storage.crash_writer",
            str(paths.data_dir),
            str(round_number),
        ],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, KEY_VARIABLE: key.hex()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_until_ready(writer: subprocess.Popen[bytes]) -> None:
    assert writer.stdout is not None
    readable, _, _ = select.select([writer.stdout], [], [], 30)
    line = writer.stdout.readline() if readable else b""
    if line != b"ready\n":
        writer.kill()
        _, err = writer.communicate()
        pytest.fail(f"the writer did not start: {line!r}\n{err.decode(errors='replace')}")


def check_vault(paths: VaultPaths, key: bytes, context: str) -> int:
    """Open the vault after a crash and check everything; returns how many batches it holds."""
    with Vault.open_with_key(paths, read_metadata(paths), key) as vault:
        assert vault.integrity_problems() == [], context
        verification = vault.audit.verify()
        assert verification.ok, f"{context}: {verification.problem}"

        seen: Counter[str] = Counter()
        sizes: dict[str, int] = {}
        for trade in vault.trades.list_all():
            match = MARKER.match(trade.notes)
            assert match is not None, f"{context}: unexpected notes {trade.notes[:40]!r}"
            marker, size = match.group(1), int(match.group(2))
            seen[marker] += 1
            assert sizes.setdefault(marker, size) == size, context
        partial = {m: (seen[m], sizes[m]) for m in seen if seen[m] != sizes[m]}
        assert partial == {}, f"{context}: batches stored in part (found, size): {partial}"

        # Every change and its audit entry are one transaction: versions match audit trails.
        audited = Counter(
            (str(row[0]), str(row[1]))
            for row in vault.db.query("SELECT record_type, record_id FROM audit_log")
        )
        for record_type, table in RECORD_TABLES.items():
            for record_id, version in vault.db.query(f"SELECT id, version FROM {table}"):
                assert audited[(record_type, record_id)] == version, (
                    f"{context}: {record_type} {record_id} is at version {version} "
                    f"but has {audited[(record_type, record_id)]} audit entries"
                )
        return len(seen)


def test_killed_writers_never_leave_half_a_change(tmp_path: Path) -> None:
    paths = VaultPaths(tmp_path / "vault")
    env = KeyEnvironment(backend=InMemoryKeyringFake())
    with Vault.init(paths, env, KeyStorage.KEYCHAIN) as vault:
        vault.accounts.add(Account(name="Main"))
        vault.instruments.add(Instrument(symbol="ES", asset_class=AssetClass.FUTURE))
    key = vault_keys.load_key(paths, read_metadata(paths), env)
    rng = random.Random(random.getrandbits(32))  # pytest-randomly seeds `random` per run

    batches = 0
    for round_number in range(ROUNDS):
        writer = start_writer(paths, key, round_number)
        try:
            wait_until_ready(writer)
            delay = rng.uniform(0.05, 0.5)
            time.sleep(delay)
            if writer.poll() is not None:
                _, err = writer.communicate()
                pytest.fail(f"the writer stopped by itself:\n{err.decode(errors='replace')}")
            writer.send_signal(signal.SIGKILL)
            writer.communicate(timeout=30)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
        assert writer.returncode == -signal.SIGKILL
        batches = check_vault(paths, key, f"round {round_number}, killed after {delay:.3f} s")

    assert batches > ROUNDS, "the writers stored too little for the test to mean anything"
