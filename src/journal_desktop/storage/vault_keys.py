"""Making, storing and finding a vault's database key, in the keychain or under a passphrase.

The key is 32 random bytes from the OS, given to SQLCipher as a raw key. It is never written
anywhere in plain text: either the OS keychain holds it, or `journal.key` holds it wrapped
under Argon2id(passphrase) with AES-256-GCM.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from journal_desktop.storage import key_wrapping
from journal_desktop.storage.atomic_files import write_atomic_bytes
from journal_desktop.storage.errors import (
    KeychainEntryMissing,
    KeychainUnavailable,
    NotAVault,
    VaultError,
    WeakKeyParameters,
    WrongKey,
    WrongPassphrase,
)
from journal_desktop.storage.keychain import (
    Keychain,
    KeyringBackend,
    describe_backend,
    is_secure_backend,
)
from journal_desktop.storage.metadata import KeyStorage, VaultMetadata, key_matches
from journal_desktop.storage.paths import VaultPaths

KEY_FILE_FORMAT = "journal-desktop-key/1"
_KEY_FILE_PURPOSE = "journal-desktop vault database key"

#: Asks for a passphrase when one is needed; the CLI reads the environment or the terminal.
PassphraseSource = Callable[[], str]


def new_database_key() -> bytes:
    return os.urandom(32)


@dataclass(frozen=True, slots=True)
class KeyEnvironment:
    """What key storage has to work with: a keyring backend and a way to ask for a passphrase."""

    backend: KeyringBackend
    passphrase: PassphraseSource | None = None

    @property
    def keychain_is_secure(self) -> bool:
        return is_secure_backend(self.backend)

    @property
    def backend_name(self) -> str:
        return describe_backend(self.backend)

    def ask_passphrase(self) -> str:
        if self.passphrase is None:
            raise VaultError("A passphrase is needed but this caller cannot ask for one.")
        return self.passphrase()


def choose_key_storage(requested: KeyStorage | None, env: KeyEnvironment) -> KeyStorage:
    """The keychain when asked for (or by default) and secure; a passphrase otherwise.

    Asking explicitly for the keychain on a machine without a secure one is an error rather
    than a silent switch, so the person learns why they are being asked for a passphrase.
    """
    if requested is KeyStorage.PASSPHRASE:
        return KeyStorage.PASSPHRASE
    if env.keychain_is_secure:
        return KeyStorage.KEYCHAIN
    if requested is KeyStorage.KEYCHAIN:
        raise KeychainUnavailable(env.backend_name)
    return KeyStorage.PASSPHRASE


def store_new_key(
    paths: VaultPaths, metadata: VaultMetadata, key: bytes, env: KeyEnvironment
) -> None:
    """Put the key where `metadata.key_storage` says, before anything depends on it."""
    if metadata.key_storage is KeyStorage.KEYCHAIN:
        if not env.keychain_is_secure:
            raise KeychainUnavailable(env.backend_name)
        Keychain(env.backend).store(metadata.vault_id, key)
        if Keychain(env.backend).fetch(metadata.vault_id) != key:
            raise VaultError("The OS keychain did not keep the vault key; nothing was created.")
    else:
        write_key_file(paths, metadata.vault_id, key, env.ask_passphrase())


def write_key_file(paths: VaultPaths, vault_id: str, key: bytes, passphrase: str) -> None:
    document = key_wrapping.wrap_key(
        key, passphrase, purpose=_KEY_FILE_PURPOSE, context={"vault_id": vault_id}
    )
    document["format"] = KEY_FILE_FORMAT
    write_atomic_bytes(
        paths.key_file, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    )


def load_key(paths: VaultPaths, metadata: VaultMetadata, env: KeyEnvironment) -> bytes:
    """The database key, checked against the metadata's key check before SQLCipher sees it."""
    if metadata.key_storage is KeyStorage.KEYCHAIN:
        key = Keychain(env.backend).fetch(metadata.vault_id)
        if key is None:
            raise KeychainEntryMissing(metadata.vault_id)
        if not key_matches(key, metadata.key_check):
            raise WrongKey()
        return key
    key = unwrap_key_file(paths, metadata.vault_id, env.ask_passphrase())
    if not key_matches(key, metadata.key_check):
        # The passphrase opened a key file that belongs to another vault.
        raise NotAVault(str(paths.key_file), "its key file belongs to another vault")
    return key


def unwrap_key_file(paths: VaultPaths, vault_id: str, passphrase: str) -> bytes:
    try:
        document = json.loads(paths.key_file.read_bytes())
    except FileNotFoundError:
        raise NotAVault(
            str(paths.data_dir), "the passphrase key file journal.key is missing"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotAVault(str(paths.key_file), "the key file is not valid JSON") from None
    if not isinstance(document, dict) or document.get("format") != KEY_FILE_FORMAT:
        raise NotAVault(str(paths.key_file), "the key file has an unknown format")
    try:
        return key_wrapping.unwrap_key(
            document, passphrase, purpose=_KEY_FILE_PURPOSE, context={"vault_id": vault_id}
        )
    except key_wrapping.UnwrapFailed:
        raise WrongPassphrase() from None
    except key_wrapping.ParametersTooWeak:
        raise WeakKeyParameters("key file") from None
    except key_wrapping.WrappingError as error:
        raise NotAVault(str(paths.key_file), f"the key file is malformed: {error}") from None
