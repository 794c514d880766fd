"""The vault against the real OS keychain (Secret Service through gnome-keyring in CI).

`scripts/test.sh` runs the suite inside a private D-Bus session with an unlocked keychain and
sets JOURNAL_DESKTOP_TEST_KEYCHAIN=1; there a missing keychain is a failure, not a skip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import keyring
import keyring.errors
import pytest

from journal_desktop.domain import Tag
from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths, vault_keys
from journal_desktop.storage.errors import KeychainEntryMissing
from journal_desktop.storage.keychain import SERVICE_NAME, describe_backend, is_secure_backend
from journal_desktop.storage.vault import read_metadata
from tests.storage.conftest import real_keychain_required, snapshot_files

pytestmark = pytest.mark.keychain


@pytest.fixture
def real_backend() -> Any:
    backend = keyring.get_keyring()
    if not is_secure_backend(backend):
        reason = f"no secure OS keychain here (keyring resolved to {describe_backend(backend)})"
        if real_keychain_required():
            pytest.fail(f"JOURNAL_DESKTOP_TEST_KEYCHAIN=1 promises a real keychain, but {reason}")
        pytest.skip(reason)
    return backend


@pytest.fixture
def real_env(real_backend: Any, paths: VaultPaths) -> Iterator[KeyEnvironment]:
    """A key environment on the real keychain; the test vault's entry is removed afterwards."""
    yield KeyEnvironment(backend=real_backend, passphrase=None)
    if paths.metadata.exists():
        vault_id = read_metadata(paths).vault_id
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            real_backend.delete_password(SERVICE_NAME, f"vault-{vault_id}")


def test_init_keeps_the_key_in_the_os_keychain(paths: VaultPaths, real_env: KeyEnvironment) -> None:
    with Vault.init(paths, real_env, KeyStorage.KEYCHAIN) as vault:
        vault_id = vault.metadata.vault_id
        vault.tags.add(Tag(name="from the real keychain"))
    stored = keyring.get_password(SERVICE_NAME, f"vault-{vault_id}")
    assert stored is not None
    key = vault_keys.load_key(paths, read_metadata(paths), real_env)
    assert stored == key.hex()
    assert not paths.key_file.exists()
    for data in snapshot_files(paths.data_dir).values():
        assert key not in data
        assert key.hex().encode() not in data


def test_default_init_chooses_the_keychain_when_it_is_secure(
    paths: VaultPaths, real_env: KeyEnvironment
) -> None:
    with Vault.init(paths, real_env) as vault:
        assert vault.metadata.key_storage is KeyStorage.KEYCHAIN


def test_the_vault_opens_with_the_key_from_the_keychain(
    paths: VaultPaths, real_env: KeyEnvironment
) -> None:
    with Vault.init(paths, real_env, KeyStorage.KEYCHAIN) as vault:
        tag = vault.tags.add(Tag(name="kept across opens"))
    with Vault.open(paths, real_env) as reopened:
        assert reopened.tags.get(tag.id) == tag
        assert reopened.audit.verify().ok


def test_a_deleted_keychain_entry_is_reported_and_changes_nothing(
    paths: VaultPaths, real_env: KeyEnvironment
) -> None:
    with Vault.init(paths, real_env, KeyStorage.KEYCHAIN) as vault:
        vault_id = vault.metadata.vault_id
        vault.tags.add(Tag(name="still here afterwards"))
    keyring.delete_password(SERVICE_NAME, f"vault-{vault_id}")
    assert keyring.get_password(SERVICE_NAME, f"vault-{vault_id}") is None
    before = snapshot_files(paths.data_dir)
    with pytest.raises(KeychainEntryMissing, match=vault_id):
        Vault.open(paths, real_env)
    assert snapshot_files(paths.data_dir) == before
