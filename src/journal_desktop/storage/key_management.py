"""Changing how a vault's key is kept: keychain to passphrase and back, or a new passphrase.

The database key itself does not change, so nothing is re-encrypted. Each step writes the new
home of the key before the metadata points at it and removes the old home last, so a crash at
any moment leaves a vault that opens with either the old or the new arrangement.
"""

from __future__ import annotations

import contextlib
import dataclasses

from journal_desktop.storage import vault_keys
from journal_desktop.storage.errors import KeychainUnavailable, VaultError
from journal_desktop.storage.keychain import Keychain
from journal_desktop.storage.metadata import KeyStorage, key_matches
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment


def switch_key_storage(vault: Vault, key: bytes, env: KeyEnvironment, target: KeyStorage) -> None:
    """Move the key to the keychain or under a (new) passphrase; audited, never plain text."""
    if not key_matches(key, vault.metadata.key_check):
        raise VaultError("The key given does not belong to this vault; nothing was changed.")
    current = vault.metadata.key_storage
    if target is current:
        raise VaultError(f"The key is already kept by {target.value}; nothing was changed.")
    paths = vault.paths
    vault_id = vault.metadata.vault_id
    if target is KeyStorage.KEYCHAIN:
        if not env.keychain_is_secure:
            raise KeychainUnavailable(env.backend_name)
        keychain = Keychain(env.backend)
        keychain.store(vault_id, key)
        if keychain.fetch(vault_id) != key:
            raise VaultError("The OS keychain did not keep the vault key; nothing was changed.")
    else:
        vault_keys.write_key_file(paths, vault_id, key, env.ask_passphrase())
    new_metadata = dataclasses.replace(vault.metadata, key_storage=target)
    new_metadata.save(paths.metadata)
    vault.metadata = new_metadata
    if current is KeyStorage.KEYCHAIN:
        with contextlib.suppress(Exception):
            Keychain(env.backend).forget(vault_id)
    else:
        with contextlib.suppress(FileNotFoundError):
            paths.key_file.unlink()
    vault.record_key_event("key storage changed", {"from": current.value, "to": target.value})


def change_passphrase(vault: Vault, key: bytes, new_passphrase: str) -> None:
    """Re-wrap the key under a new passphrase (the key file is replaced atomically)."""
    if vault.metadata.key_storage is not KeyStorage.PASSPHRASE:
        raise VaultError(
            "This vault's key is in the OS keychain, not under a passphrase; "
            "use `key storage passphrase` to protect it with one."
        )
    if not key_matches(key, vault.metadata.key_check):
        raise VaultError("The key given does not belong to this vault; nothing was changed.")
    vault_keys.write_key_file(vault.paths, vault.metadata.vault_id, key, new_passphrase)
    vault.record_key_event("passphrase changed", {"key_storage": "passphrase"})
