"""The OS keychain, through `keyring`, and the judgement of whether it is safe to use.

`keyring` quietly resolves to a backend that fails, or to a plain-text file (keyrings.alt), on
machines without a real keychain. Storing the vault key there would be storing it in plain
text, so such backends count as "no keychain" and the vault falls back to a passphrase.
"""

from __future__ import annotations

from typing import Any, Protocol

SERVICE_NAME = "journal-desktop"

#: Backends that keep secrets in an OS-protected store.
_SECURE_BACKEND_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.kwallet",
)


class KeyringBackend(Protocol):
    """The part of a keyring backend the vault uses (a real one or a test fake)."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


def default_backend() -> Any:
    import keyring

    return keyring.get_keyring()


def describe_backend(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_secure_backend(backend: object) -> bool:
    """True only for backends that keep secrets in an OS-protected keychain.

    A chainer is judged by the backend it would write to (its highest-priority member).
    """
    module = type(backend).__module__
    if module == "keyring.backends.chainer":
        members = list(getattr(backend, "backends", ()))
        return bool(members) and is_secure_backend(members[0])
    if getattr(backend, "is_test_fake_secure", False) is True:
        return True
    return any(module == m or module.startswith(m + ".") for m in _SECURE_BACKEND_MODULES)


def entry_name(vault_id: str) -> str:
    return f"vault-{vault_id}"


class Keychain:
    """Stores and fetches one vault's database key (as hex) under the service's entry."""

    def __init__(self, backend: KeyringBackend) -> None:
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        return self._backend

    def store(self, vault_id: str, key: bytes) -> None:
        self._backend.set_password(SERVICE_NAME, entry_name(vault_id), key.hex())

    def fetch(self, vault_id: str) -> bytes | None:
        value = self._backend.get_password(SERVICE_NAME, entry_name(vault_id))
        if value is None:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            return None
        return key if len(key) == 32 else None

    def forget(self, vault_id: str) -> None:
        self._backend.delete_password(SERVICE_NAME, entry_name(vault_id))
