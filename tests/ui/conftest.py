"""Qt tests over a real SQLCipher vault, opened on the real worker thread.

The keyring is the in-memory fake (named so) because these tests are about widgets; the real
keychain is exercised by the storage tests and the end-to-end test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.tasks import VaultTasks
from tests.fakes import InMemoryKeyringFake

PASSPHRASE = "ui test passphrase"


@pytest.fixture
def ui_paths(tmp_path: Path) -> VaultPaths:
    return VaultPaths(tmp_path / "vault")


@pytest.fixture
def ui_key_env() -> KeyEnvironment:
    return KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: PASSPHRASE)


@pytest.fixture
def tasks(qtbot: QtBot, ui_paths: VaultPaths, ui_key_env: KeyEnvironment) -> Iterator[VaultTasks]:
    """A `VaultTasks` with a new, empty passphrase vault open on its worker thread."""
    runner = VaultTasks()
    runner.open(lambda: Vault.init(ui_paths, ui_key_env, KeyStorage.PASSPHRASE))
    wait_idle(qtbot, runner)
    assert runner.is_open
    yield runner
    runner.shutdown()


def wait_idle(qtbot: QtBot, runner: VaultTasks, timeout: int = 20_000) -> None:
    """Wait until every task submitted so far has run and delivered its callbacks."""
    qtbot.waitUntil(lambda: not runner.busy, timeout=timeout)


def run_sync(qtbot: QtBot, runner: VaultTasks, work, timeout: int = 20_000):  # type: ignore[no-untyped-def]
    """Run `work(vault)` on the worker and return its result (test set-up and checks)."""
    box: list[object] = []
    errors: list[BaseException] = []
    runner.run(work, on_success=box.append, on_failure=errors.append)
    wait_idle(qtbot, runner, timeout)
    if errors:
        raise errors[0]
    return box[0]
