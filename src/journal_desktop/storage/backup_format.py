"""The backup file format: a header that wraps a data key, then a stream of sealed chunks.

Layout (all lengths are 4-byte big-endian):

    MAGIC | len | header JSON | len | chunk 0 | len | chunk 1 | ... | len | final chunk

A fresh random data key per backup is wrapped in the header, under Argon2id(passphrase) for a
portable backup or under a key derived from the vault's own key for an automatic local one.
The header fields that matter (format, vault id, schema, time, chunk size, key kind) are bound
into that wrap as associated data. Each chunk is AES-256-GCM under a key derived from the data
key, with the chunk counter as nonce and, as associated data, the hash of the whole header, the
chunk's index and a final-chunk flag: a changed header, a flipped bit, reordered or swapped
chunks and a file cut short (even exactly at a chunk boundary) all fail authentication.

Nothing here touches the database; `backup.py` turns a vault into a payload and back.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from journal_desktop.storage import key_wrapping
from journal_desktop.storage.errors import BackupError, WeakKeyParameters

MAGIC = b"JDBACKUP1\n"
FORMAT = "journal-desktop-backup/1"
CHUNK_SIZE = 1024 * 1024

#: Limits a reader enforces before allocating anything, so a hostile file cannot exhaust memory.
MAX_HEADER_BYTES = 64 * 1024
MIN_CHUNK_SIZE = 4 * 1024
MAX_CHUNK_SIZE = 8 * 1024 * 1024

TAG_BYTES = 16
LENGTH = struct.Struct(">I")

_PASSPHRASE_PURPOSE = "journal-desktop backup data key"  # noqa: S105 (a label, not a secret)
_VAULT_KEK_INFO = b"journal-desktop/backup/vault-kek/v1"
_VAULT_WRAP_PURPOSE = "journal-desktop local backup data key"
_CHUNK_KEY_INFO = b"journal-desktop/backup/chunk-key/v1"
_SNAPSHOT_KEY_INFO = b"journal-desktop/backup/snapshot-key/v1"


class KeyKind(enum.StrEnum):
    """What the data key is wrapped under: a backup passphrase, or the vault's own key."""

    PASSPHRASE = "passphrase"  # noqa: S105 (a mode name, not a secret)
    VAULT = "vault"


class BackupDamaged(BackupError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The backup file is damaged or was altered ({detail}); nothing was restored. "
            "Use another copy of the backup."
        )


class WrongBackupPassphrase(BackupError):
    def __init__(self) -> None:
        super().__init__(
            "The backup passphrase is wrong (or the backup's header was altered); nothing was "
            "restored. Try again with the passphrase chosen when the backup was made."
        )


class WrongBackupKey(BackupError):
    def __init__(self) -> None:
        super().__init__(
            "The vault key given does not open this automatic backup (it belongs to another "
            "vault, or the file was altered); nothing was restored."
        )


class NotABackup(BackupError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"This file is not a Journal Desktop backup ({detail}); choose a .jdbackup file."
        )


# -- keys ---------------------------------------------------------------------------------------


def _hkdf(key: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def snapshot_key(data_key: bytes) -> bytes:
    """The SQLCipher key of the database snapshot inside the payload.

    The snapshot is encrypted under it while it sits in a temp file, so no plaintext page ever
    reaches the disk; deriving it (rather than storing it) keeps key material out of the payload.
    """
    return _hkdf(data_key, _SNAPSHOT_KEY_INFO)


def _chunk_key(data_key: bytes) -> bytes:
    return _hkdf(data_key, _CHUNK_KEY_INFO)


def vault_backup_kek(vault_key: bytes, salt: bytes) -> bytes:
    """The key that wraps a local backup's data key, derived from the vault's database key.

    HKDF with its own label keeps it distinct from the database key, and spares automatic
    backups the Argon2id cost that a passphrase needs (the vault key is already 32 random bytes).
    """
    if len(vault_key) != 32:
        raise ValueError("a vault key is 32 bytes")
    return _hkdf(vault_key, _VAULT_KEK_INFO, salt)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise BackupDamaged("a header field is not text")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        raise BackupDamaged("a header field is not base64") from None


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _wrap_under_vault_key(
    data_key: bytes, vault_key: bytes, context: dict[str, str]
) -> dict[str, Any]:
    salt, nonce = os.urandom(16), os.urandom(12)
    aad = _canonical({"purpose": _VAULT_WRAP_PURPOSE, "context": context, "salt": _b64(salt)})
    wrapped = AESGCM(vault_backup_kek(vault_key, salt)).encrypt(nonce, data_key, aad)
    return {
        "kdf": {"name": "hkdf-sha256", "salt": _b64(salt)},
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
    }


def _unwrap_under_vault_key(
    document: dict[str, Any], vault_key: bytes, context: dict[str, str]
) -> bytes:
    kdf = document.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != "hkdf-sha256":
        raise BackupDamaged("unknown key derivation")
    if document.get("cipher") != "aes-256-gcm":
        raise BackupDamaged("unknown cipher")
    salt, nonce = _unb64(kdf.get("salt")), _unb64(document.get("nonce"))
    wrapped = _unb64(document.get("wrapped_key"))
    if len(salt) != 16 or len(nonce) != 12:
        raise BackupDamaged("a key field has the wrong length")
    aad = _canonical({"purpose": _VAULT_WRAP_PURPOSE, "context": context, "salt": _b64(salt)})
    try:
        key = AESGCM(vault_backup_kek(vault_key, salt)).decrypt(nonce, wrapped, aad)
    except InvalidTag:
        raise WrongBackupKey() from None
    if len(key) != 32:
        raise BackupDamaged("the wrapped key has the wrong length")
    return key


# -- header -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """What a backup says about itself. Authenticated only once its data key is unwrapped."""

    vault_id: str
    schema_version: int
    created_at: datetime
    key_kind: KeyKind
    chunk_size: int
    key_wrap: dict[str, Any]

    def context(self) -> dict[str, str]:
        """The fields bound into the key wrap: changing any of them makes unwrapping fail."""
        return {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "schema_version": str(self.schema_version),
            "created_at": format_time(self.created_at),
            "key": self.key_kind.value,
            "chunk_size": str(self.chunk_size),
        }

    def to_json(self) -> bytes:
        document: dict[str, Any] = {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "schema_version": self.schema_version,
            "created_at": format_time(self.created_at),
            "key": self.key_kind.value,
            "chunk_size": self.chunk_size,
            "cipher": "aes-256-gcm-stream",
            "key_wrap": self.key_wrap,
        }
        return _canonical(document)

    @classmethod
    def from_json(cls, data: bytes) -> BackupHeader:
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BackupDamaged("its header is not valid JSON") from None
        if not isinstance(document, dict):
            raise BackupDamaged("its header is not a JSON object")
        if document.get("format") != FORMAT or document.get("cipher") != "aes-256-gcm-stream":
            raise NotABackup("unknown backup format")
        try:
            header = cls(
                vault_id=_text(document["vault_id"]),
                schema_version=_integer(document["schema_version"]),
                created_at=parse_time(_text(document["created_at"])),
                key_kind=KeyKind(document["key"]),
                chunk_size=_integer(document["chunk_size"]),
                key_wrap=document["key_wrap"],
            )
        except (KeyError, ValueError, TypeError):
            raise BackupDamaged("its header is incomplete") from None
        if not isinstance(header.key_wrap, dict):
            raise BackupDamaged("its header is incomplete")
        if not MIN_CHUNK_SIZE <= header.chunk_size <= MAX_CHUNK_SIZE:
            raise BackupDamaged("its chunk size is out of range")
        return header


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.replace(tzinfo=UTC)


def new_header(
    *,
    vault_id: str,
    schema_version: int,
    created_at: datetime,
    data_key: bytes,
    passphrase: str | None = None,
    vault_key: bytes | None = None,
) -> BackupHeader:
    """A header whose key wrap holds `data_key` under exactly one of passphrase or vault key."""
    if (passphrase is None) == (vault_key is None):
        raise ValueError("give exactly one of passphrase and vault_key")
    kind = KeyKind.PASSPHRASE if passphrase is not None else KeyKind.VAULT
    context = BackupHeader(vault_id, schema_version, created_at, kind, CHUNK_SIZE, {}).context()
    if passphrase is not None:
        wrap = key_wrapping.wrap_key(
            data_key, passphrase, purpose=_PASSPHRASE_PURPOSE, context=context
        )
    elif vault_key is not None:
        wrap = _wrap_under_vault_key(data_key, vault_key, context)
    return BackupHeader(vault_id, schema_version, created_at, kind, CHUNK_SIZE, wrap)


def unwrap_data_key(
    header: BackupHeader, *, passphrase: str | None = None, vault_key: bytes | None = None
) -> bytes:
    """The backup's data key; raises a BackupError that says which secret was missing or wrong."""
    if header.key_kind is KeyKind.VAULT:
        if vault_key is None:
            raise BackupError(
                "This is an automatic local backup, encrypted under its vault's key rather than "
                "a passphrase; restore it with that vault's key (with the vault still unlocked)."
            )
        return _unwrap_under_vault_key(header.key_wrap, vault_key, header.context())
    if passphrase is None:
        raise BackupError(
            "This backup is protected by a backup passphrase; give that passphrase to restore it."
        )
    try:
        return key_wrapping.unwrap_key(
            header.key_wrap, passphrase, purpose=_PASSPHRASE_PURPOSE, context=header.context()
        )
    except key_wrapping.UnwrapFailed:
        raise WrongBackupPassphrase() from None
    except key_wrapping.ParametersTooWeak:
        raise WeakKeyParameters("backup file") from None
    except key_wrapping.WrappingError as error:
        raise BackupDamaged(f"its key is malformed: {error}") from None


# -- framing ------------------------------------------------------------------------------------


def header_frame(header: BackupHeader) -> bytes:
    """Magic, length and header JSON: the bytes every chunk's authentication depends on."""
    body = header.to_json()
    if len(body) > MAX_HEADER_BYTES:
        raise ValueError("backup header too large")
    return MAGIC + LENGTH.pack(len(body)) + body


def _header_digest(frame: bytes) -> bytes:
    return hashlib.sha256(frame).digest()


def _chunk_aad(digest: bytes, index: int, final: bool) -> bytes:
    return digest + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _with_final_flag(pieces: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Each piece with whether it is the last one (one piece of lookahead)."""
    iterator = iter(pieces)
    previous = next(iterator, None)
    if previous is None:
        raise ValueError("a backup payload is never empty")
    for piece in iterator:
        yield previous, False
        previous = piece
    yield previous, True


def encrypt_stream(
    header: BackupHeader, data_key: bytes, pieces: Iterable[bytes]
) -> Iterator[bytes]:
    """The whole backup file, frame by frame, for `write_atomic` to write as it goes."""
    frame = header_frame(header)
    yield frame
    digest = _header_digest(frame)
    aead = AESGCM(_chunk_key(data_key))
    for index, (piece, final) in enumerate(_with_final_flag(pieces)):
        if not 0 < len(piece) <= header.chunk_size:
            raise ValueError("a payload piece is empty or larger than the chunk size")
        sealed = aead.encrypt(_nonce(index), piece, _chunk_aad(digest, index, final))
        yield LENGTH.pack(len(sealed)) + sealed


def _read_exact(stream: BinaryIO, size: int, what: str) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise BackupDamaged(f"it ends in the middle of {what}")
    return data


def read_header(stream: BinaryIO) -> tuple[BackupHeader, bytes]:
    """The header and the digest that binds the chunks to it; reads no further."""
    magic = stream.read(len(MAGIC))
    if magic != MAGIC:
        raise NotABackup("it does not start with the backup marker")
    length_bytes = _read_exact(stream, LENGTH.size, "the header")
    (length,) = LENGTH.unpack(length_bytes)
    if not 0 < length <= MAX_HEADER_BYTES:
        raise BackupDamaged("its header length is out of range")
    body = _read_exact(stream, length, "the header")
    header = BackupHeader.from_json(body)
    return header, _header_digest(magic + length_bytes + body)


def decrypt_stream(
    stream: BinaryIO, header: BackupHeader, digest: bytes, data_key: bytes
) -> Iterator[bytes]:
    """The payload, chunk by chunk, each authenticated before it is yielded.

    Raises BackupDamaged if any chunk fails, if the file ends before the final chunk, or if
    anything follows it. Callers must treat what was yielded as unusable until this finishes.
    """
    aead = AESGCM(_chunk_key(data_key))
    limit = header.chunk_size + TAG_BYTES
    index = 0
    while True:
        length_bytes = stream.read(LENGTH.size)
        if not length_bytes:
            raise BackupDamaged("it was cut short: the final chunk is missing")
        if len(length_bytes) != LENGTH.size:
            raise BackupDamaged("it ends in the middle of a chunk")
        (length,) = LENGTH.unpack(length_bytes)
        if not TAG_BYTES < length <= limit:
            raise BackupDamaged(f"chunk {index} has an impossible length")
        sealed = _read_exact(stream, length, f"chunk {index}")
        piece, final = _open_chunk(aead, sealed, digest, index)
        yield piece
        if final:
            break
        index += 1
    if stream.read(1):
        raise BackupDamaged("unexpected data follows the final chunk")


def _open_chunk(aead: AESGCM, sealed: bytes, digest: bytes, index: int) -> tuple[bytes, bool]:
    """Try the chunk as a middle chunk, then as the final one; the flag is in the AAD only."""
    for final in (False, True):
        try:
            return aead.decrypt(_nonce(index), sealed, _chunk_aad(digest, index, final)), final
        except InvalidTag:
            continue
    raise BackupDamaged(f"chunk {index} failed authentication")
