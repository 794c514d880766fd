from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths, key_wrapping
from tests.fakes import InMemoryKeyringFake

TEST_PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def fake_keyring() -> InMemoryKeyringFake:
    return InMemoryKeyringFake()


@pytest.fixture
def key_env(fake_keyring: InMemoryKeyringFake) -> KeyEnvironment:
    return KeyEnvironment(backend=fake_keyring, passphrase=lambda: TEST_PASSPHRASE)


@pytest.fixture
def paths(tmp_path: Path) -> VaultPaths:
    return VaultPaths(tmp_path / "vault")


@pytest.fixture
def vault(paths: VaultPaths, key_env: KeyEnvironment) -> Iterator[Vault]:
    v = Vault.init(paths, key_env, KeyStorage.KEYCHAIN)
    try:
        yield v
    finally:
        v.close()


def snapshot_files(directory: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes, to prove a failure changed nothing."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def real_keychain_required() -> bool:
    return os.environ.get("JOURNAL_DESKTOP_TEST_KEYCHAIN") == "1"


__all__ = ["TEST_PASSPHRASE", "key_wrapping", "real_keychain_required", "snapshot_files"]
