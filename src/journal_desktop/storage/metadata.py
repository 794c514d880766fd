"""`vault.json`: what must be known before the database can be opened, and nothing secret.

It says how the key is stored (keychain or passphrase), which keychain entry holds it, and a
short key check (an HMAC of a fixed label under the key) that tells "wrong key" apart from
"damaged file" without revealing anything about the key.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal_desktop.storage.atomic_files import write_atomic_bytes
from journal_desktop.storage.errors import NotAVault

METADATA_FORMAT = "journal-desktop-vault/1"
_KEY_CHECK_LABEL = b"journal-desktop/key-check/v1"


class KeyStorage(enum.StrEnum):
    KEYCHAIN = "keychain"
    PASSPHRASE = "passphrase"  # noqa: S105 (a mode name, not a secret)


def key_check(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:32]


def key_matches(key: bytes, expected: str) -> bool:
    return hmac.compare_digest(key_check(key), expected)


@dataclass(frozen=True, slots=True)
class VaultMetadata:
    vault_id: str
    key_storage: KeyStorage
    key_check: str
    created_at: str

    def to_json(self) -> bytes:
        document: dict[str, Any] = {
            "format": METADATA_FORMAT,
            "vault_id": self.vault_id,
            "key_storage": self.key_storage.value,
            "key_check": self.key_check,
            "created_at": self.created_at,
        }
        return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()

    def save(self, path: Path) -> None:
        write_atomic_bytes(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> VaultMetadata:
        try:
            document = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise NotAVault(str(path), "its metadata file is not valid JSON") from None
        if not isinstance(document, dict) or document.get("format") != METADATA_FORMAT:
            raise NotAVault(str(path), "its metadata file has an unknown format")
        try:
            return cls(
                vault_id=str(document["vault_id"]),
                key_storage=KeyStorage(document["key_storage"]),
                key_check=str(document["key_check"]),
                created_at=str(document["created_at"]),
            )
        except (KeyError, ValueError):
            raise NotAVault(str(path), "its metadata file is incomplete") from None
