"""Fakes for fast unit tests, named as fakes. Integration tests use the real parts."""

from __future__ import annotations


class InMemoryKeyringFake:
    """A fake OS keychain held in a dict. It declares itself secure so that keychain mode can
    be unit-tested quickly; the real Secret Service backend is exercised by the keychain tests.
    """

    is_test_fake_secure = True

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


class InsecureKeyringFake(InMemoryKeyringFake):
    """Stands for keyring's fail or plain-text backends: present, but not a secure keychain."""

    is_test_fake_secure = False
