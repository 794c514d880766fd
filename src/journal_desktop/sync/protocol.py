"""The sync wire format: the one definition both the server and the client use.

Every body is a JSON object; binary values are standard base64 (canonical, padded). The one
exception is attachment blobs (`/v1/blobs/{id}`), which travel as raw `application/octet-stream`
bodies: they are large, opaque ciphertext, and base64 would add a third to every transfer.
Parsing is strict on purpose: an unknown field, a wrong type or a bad base64 string is a
`ProtocolError` naming what was wrong, which the server answers with 422, so a confused or
hostile peer never gets a half-understood request applied. No I/O happens here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Largest request body the server reads, in bytes (answered 413 beyond it).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Most writes in one push, and most items one pull returns.
MAX_WRITES_PER_REQUEST = 500
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
#: Largest ciphertext of one item (a padded record or one attachment chunk), in bytes.
MAX_ITEM_BYTES = 256 * 1024
#: Largest blob (an encrypted attachment chunk). Blobs travel as raw bytes, not base64: PUT and
#: GET /v1/blobs/{id} carry `application/octet-stream` bodies, so a chunk costs no 4/3 inflation.
MAX_BLOB_BYTES = 4 * 1024 * 1024
#: Default per-account quota on stored ciphertext (items plus blobs), in bytes.
DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024
#: Largest serialised `wrapped_keys` object, and largest manifest blob, in bytes.
MAX_WRAPPED_KEYS_BYTES = 16 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
#: `auth_secret` is the half of a 64-byte Argon2id output; anything shorter is not one.
MIN_AUTH_SECRET_BYTES = 32
MAX_AUTH_SECRET_BYTES = 64
MIN_SALT_BYTES = 16
MAX_SALT_BYTES = 64
MAX_EMAIL_CHARS = 254
MAX_DEVICE_NAME_CHARS = 100
MAX_ID_CHARS = 128
MAX_INT = 2**62
#: Most security events one GET /v1/security-events returns (newest first).
MAX_EVENTS_LIMIT = 500
DEFAULT_EVENTS_LIMIT = 100
#: The client-side KDF floor (DESIGN: never below Argon2id 64 MiB, t=3); the server refuses
#: weaker parameters at registration so it can never be used to hand out a downgrade.
KDF_ALGORITHM = "argon2id"
MIN_KDF_MEMORY_KIB = 65536
MIN_KDF_ITERATIONS = 3
MAX_KDF_MEMORY_KIB = 4 * 1024 * 1024
MAX_KDF_ITERATIONS = 64
MAX_KDF_PARALLELISM = 16

_IDENT = re.compile(r"[A-Za-z0-9_.:-]+")


class ProtocolError(ValueError):
    """A body or parameter that does not follow the wire format; `detail` says what and where."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, where: str) -> bytes:
    """Decode canonical standard base64, or raise a ProtocolError naming `where`."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ProtocolError(f"{where}: not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise ProtocolError(f"{where}: not canonical base64")
    return data


class _Reader:
    """Reads the fields of one JSON object, checking types; `done()` rejects leftovers."""

    def __init__(self, value: object, where: str) -> None:
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected a JSON object")
        self._obj: dict[str, Any] = value
        self._where = where
        self._seen: set[str] = set()

    def _get(self, name: str, optional: bool) -> Any:
        self._seen.add(name)
        if name not in self._obj or (optional and self._obj[name] is None):
            if optional:
                return None
            raise ProtocolError(f"{self._where}.{name}: missing")
        return self._obj[name]

    def path(self, name: str) -> str:
        return f"{self._where}.{name}"

    def text(self, name: str, max_chars: int, *, optional: bool = False) -> str | None:
        value = self._get(name, optional)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise ProtocolError(f"{self.path(name)}: expected a string")
        if len(value) > max_chars:
            raise ProtocolError(f"{self.path(name)}: longer than {max_chars} characters")
        return value

    def req_text(self, name: str, max_chars: int) -> str:
        value = self.text(name, max_chars)
        assert value is not None
        return value

    def ident(self, name: str) -> str:
        value = self.req_text(name, MAX_ID_CHARS)
        if not _IDENT.fullmatch(value):
            raise ProtocolError(f"{self.path(name)}: must be letters, digits or _.:-")
        return value

    def integer(self, name: str, minimum: int = 0, maximum: int = MAX_INT) -> int:
        value = self._get(name, False)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ProtocolError(f"{self.path(name)}: expected an integer")
        if not minimum <= value <= maximum:
            raise ProtocolError(f"{self.path(name)}: must be between {minimum} and {maximum}")
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name, False)
        if not isinstance(value, bool):
            raise ProtocolError(f"{self.path(name)}: expected true or false")
        return value

    def blob(
        self, name: str, min_len: int, max_len: int, *, optional: bool = False
    ) -> bytes | None:
        text = self.text(name, (max_len + 2) // 3 * 4, optional=optional)
        if text is None:  # only an optional field reaches here without text
            return None
        data = b64decode(text, self.path(name))
        if not min_len <= len(data) <= max_len:
            raise ProtocolError(f"{self.path(name)}: must be {min_len} to {max_len} bytes")
        return data

    def req_blob(self, name: str, min_len: int, max_len: int) -> bytes:
        value = self.blob(name, min_len, max_len)
        assert value is not None
        return value

    def array(self, name: str, max_len: int) -> list[Any]:
        value = self._get(name, False)
        if not isinstance(value, list):
            raise ProtocolError(f"{self.path(name)}: expected a list")
        if len(value) > max_len:
            raise ProtocolError(f"{self.path(name)}: more than {max_len} entries")
        return value

    def raw(self, name: str) -> Any:
        return self._get(name, False)

    def done(self) -> None:
        unknown = sorted(set(self._obj) - self._seen)
        if unknown:
            raise ProtocolError(f"{self._where}: unknown field {unknown[0]!r}")


def normalise_email(email: str) -> str:
    """The one spelling of an email the server stores and compares (trimmed, lower case)."""
    return email.strip().lower()


def _email(reader: _Reader, name: str = "email") -> str:
    email = normalise_email(reader.req_text(name, MAX_EMAIL_CHARS))
    local, at, domain = email.partition("@")
    if not at or not local or not domain or any(c.isspace() for c in email):
        raise ProtocolError(f"{reader.path(name)}: not an email address")
    return email


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters the client derives its master key and auth secret with."""

    memory_kib: int
    iterations: int
    parallelism: int
    algorithm: str = KDF_ALGORITHM

    @classmethod
    def from_json(cls, value: object, where: str = "kdf") -> KdfParams:
        r = _Reader(value, where)
        if r.req_text("algorithm", 32) != KDF_ALGORITHM:
            raise ProtocolError(f"{where}.algorithm: must be {KDF_ALGORITHM!r}")
        params = cls(
            memory_kib=r.integer("memory_kib", MIN_KDF_MEMORY_KIB, MAX_KDF_MEMORY_KIB),
            iterations=r.integer("iterations", MIN_KDF_ITERATIONS, MAX_KDF_ITERATIONS),
            parallelism=r.integer("parallelism", 1, MAX_KDF_PARALLELISM),
        )
        r.done()
        return params

    def to_json(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "memory_kib": self.memory_kib,
            "iterations": self.iterations,
            "parallelism": self.parallelism,
        }


#: What prelogin answers for an email without an account (and what new clients should use).
DEFAULT_KDF = KdfParams(memory_kib=MIN_KDF_MEMORY_KIB, iterations=MIN_KDF_ITERATIONS, parallelism=4)


@dataclass(frozen=True)
class Prelogin:
    kdf: KdfParams
    salt: bytes

    @classmethod
    def from_json(cls, value: object) -> Prelogin:
        r = _Reader(value, "prelogin")
        out = cls(
            KdfParams.from_json(r.raw("kdf")), r.req_blob("salt", MIN_SALT_BYTES, MAX_SALT_BYTES)
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {"kdf": self.kdf.to_json(), "salt": b64encode(self.salt)}


def _wrapped_keys(r: _Reader) -> dict[str, Any]:
    value = r.raw("wrapped_keys")
    if not isinstance(value, dict):
        raise ProtocolError(f"{r.path('wrapped_keys')}: expected a JSON object")
    if len(json.dumps(value, separators=(",", ":"))) > MAX_WRAPPED_KEYS_BYTES:
        raise ProtocolError(f"{r.path('wrapped_keys')}: larger than {MAX_WRAPPED_KEYS_BYTES} bytes")
    return value


@dataclass(frozen=True)
class RegisterRequest:
    email: str
    auth_secret: bytes
    kdf: KdfParams
    salt: bytes
    wrapped_keys: dict[str, Any]

    @classmethod
    def from_json(cls, value: object) -> RegisterRequest:
        r = _Reader(value, "body")
        out = cls(
            email=_email(r),
            auth_secret=r.req_blob("auth_secret", MIN_AUTH_SECRET_BYTES, MAX_AUTH_SECRET_BYTES),
            kdf=KdfParams.from_json(r.raw("kdf"), "body.kdf"),
            salt=r.req_blob("salt", MIN_SALT_BYTES, MAX_SALT_BYTES),
            wrapped_keys=_wrapped_keys(r),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "auth_secret": b64encode(self.auth_secret),
            "kdf": self.kdf.to_json(),
            "salt": b64encode(self.salt),
            "wrapped_keys": self.wrapped_keys,
        }


@dataclass(frozen=True)
class LoginRequest:
    email: str
    auth_secret: bytes
    device_name: str
    totp_code: str | None = None
    recovery_code: str | None = None

    @classmethod
    def from_json(cls, value: object) -> LoginRequest:
        r = _Reader(value, "body")
        out = cls(
            email=_email(r),
            auth_secret=r.req_blob("auth_secret", MIN_AUTH_SECRET_BYTES, MAX_AUTH_SECRET_BYTES),
            device_name=r.req_text("device_name", MAX_DEVICE_NAME_CHARS),
            totp_code=r.text("totp_code", 16, optional=True),
            recovery_code=r.text("recovery_code", 64, optional=True),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "email": self.email,
            "auth_secret": b64encode(self.auth_secret),
            "device_name": self.device_name,
        }
        if self.totp_code is not None:
            body["totp_code"] = self.totp_code
        if self.recovery_code is not None:
            body["recovery_code"] = self.recovery_code
        return body


@dataclass(frozen=True)
class LoginResponse:
    token: str
    session_id: str

    @classmethod
    def from_json(cls, value: object) -> LoginResponse:
        r = _Reader(value, "response")
        out = cls(r.req_text("token", 128), r.ident("session_id"))
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "session_id": self.session_id}


@dataclass(frozen=True)
class SessionInfo:
    """One signed-in device; times are seconds since the epoch (UTC)."""

    session_id: str
    device_name: str
    created_at: int
    last_seen_at: int
    address: str
    current: bool

    @classmethod
    def from_json(cls, value: object) -> SessionInfo:
        r = _Reader(value, "session")
        out = cls(
            session_id=r.ident("session_id"),
            device_name=r.req_text("device_name", MAX_DEVICE_NAME_CHARS),
            created_at=r.integer("created_at"),
            last_seen_at=r.integer("last_seen_at"),
            address=r.req_text("address", 64),
            current=r.flag("current"),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "device_name": self.device_name,
            "created_at": self.created_at,
            "last_seen_at": self.last_seen_at,
            "address": self.address,
            "current": self.current,
        }


@dataclass(frozen=True)
class AccountKeys:
    kdf: KdfParams
    salt: bytes
    wrapped_keys: dict[str, Any]

    @classmethod
    def from_json(cls, value: object) -> AccountKeys:
        r = _Reader(value, "keys")
        out = cls(
            KdfParams.from_json(r.raw("kdf")),
            r.req_blob("salt", MIN_SALT_BYTES, MAX_SALT_BYTES),
            _wrapped_keys(r),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": self.kdf.to_json(),
            "salt": b64encode(self.salt),
            "wrapped_keys": self.wrapped_keys,
        }


@dataclass(frozen=True)
class Item:
    """One stored encrypted item as the server holds it; `seq` orders the account's writes."""

    id: str
    type: str
    version: int
    deleted: bool
    ciphertext: bytes
    seq: int

    @classmethod
    def from_json(cls, value: object, where: str = "item") -> Item:
        r = _Reader(value, where)
        out = cls(
            id=r.ident("id"),
            type=r.ident("type"),
            version=r.integer("version", 1),
            deleted=r.flag("deleted"),
            ciphertext=r.req_blob("ciphertext", 0, MAX_ITEM_BYTES),
            seq=r.integer("seq", 1),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "deleted": self.deleted,
            "ciphertext": b64encode(self.ciphertext),
            "seq": self.seq,
        }


@dataclass(frozen=True)
class PullResponse:
    items: list[Item]
    next_since: int
    more: bool

    @classmethod
    def from_json(cls, value: object) -> PullResponse:
        r = _Reader(value, "response")
        raw = r.array("items", MAX_PULL_LIMIT)
        out = cls(
            [Item.from_json(v, f"response.items[{i}]") for i, v in enumerate(raw)],
            r.integer("next_since"),
            r.flag("more"),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "next_since": self.next_since,
            "more": self.more,
        }


@dataclass(frozen=True)
class Write:
    """A client write: accepted only if `base_version` is the stored version (0 for new)."""

    id: str
    type: str
    base_version: int
    version: int
    deleted: bool
    ciphertext: bytes

    @classmethod
    def from_json(cls, value: object, where: str) -> Write:
        r = _Reader(value, where)
        out = cls(
            id=r.ident("id"),
            type=r.ident("type"),
            base_version=r.integer("base_version", 0),
            version=r.integer("version", 1),
            deleted=r.flag("deleted"),
            ciphertext=r.req_blob("ciphertext", 0, MAX_ITEM_BYTES),
        )
        r.done()
        if out.version <= out.base_version:
            raise ProtocolError(f"{where}.version: must be greater than base_version")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "base_version": self.base_version,
            "version": self.version,
            "deleted": self.deleted,
            "ciphertext": b64encode(self.ciphertext),
        }


@dataclass(frozen=True)
class PushRequest:
    idempotency_key: str
    writes: list[Write]

    @classmethod
    def from_json(cls, value: object) -> PushRequest:
        r = _Reader(value, "body")
        key = r.ident("idempotency_key")
        raw = r.array("writes", MAX_WRITES_PER_REQUEST)
        writes = [Write.from_json(v, f"body.writes[{i}]") for i, v in enumerate(raw)]
        r.done()
        ids = [w.id for w in writes]
        if len(set(ids)) != len(ids):
            raise ProtocolError("body.writes: the same id appears twice")
        return cls(key, writes)

    def to_json(self) -> dict[str, Any]:
        return {
            "idempotency_key": self.idempotency_key,
            "writes": [w.to_json() for w in self.writes],
        }


@dataclass(frozen=True)
class Accepted:
    id: str
    version: int
    seq: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "seq": self.seq}


@dataclass(frozen=True)
class Conflict:
    """A refused write; `current` is the stored copy (None if the base named a missing item)."""

    id: str
    current: Item | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "current": None if self.current is None else self.current.to_json()}


@dataclass(frozen=True)
class PushResponse:
    accepted: list[Accepted]
    conflicts: list[Conflict]

    @classmethod
    def from_json(cls, value: object) -> PushResponse:
        r = _Reader(value, "response")
        accepted = []
        for i, raw in enumerate(r.array("accepted", MAX_WRITES_PER_REQUEST)):
            a = _Reader(raw, f"response.accepted[{i}]")
            accepted.append(Accepted(a.ident("id"), a.integer("version", 1), a.integer("seq", 1)))
            a.done()
        conflicts = []
        for i, raw in enumerate(r.array("conflicts", MAX_WRITES_PER_REQUEST)):
            c = _Reader(raw, f"response.conflicts[{i}]")
            current = c.raw("current")
            conflicts.append(
                Conflict(
                    c.ident("id"),
                    None if current is None else Item.from_json(current, c.path("current")),
                )
            )
            c.done()
        r.done()
        return cls(accepted, conflicts)

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": [a.to_json() for a in self.accepted],
            "conflicts": [c.to_json() for c in self.conflicts],
        }


@dataclass(frozen=True)
class Manifest:
    """The client's authenticated manifest as stored; counter 0 and no blob before the first."""

    counter: int
    blob: bytes | None

    @classmethod
    def from_json(cls, value: object) -> Manifest:
        r = _Reader(value, "manifest")
        out = cls(r.integer("counter"), r.blob("blob", 0, MAX_MANIFEST_BYTES, optional=True))
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "counter": self.counter,
            "blob": None if self.blob is None else b64encode(self.blob),
        }


@dataclass(frozen=True)
class ManifestPut:
    """Replace the manifest if the stored counter is `base_counter`; the counter only grows."""

    base_counter: int
    counter: int
    blob: bytes

    @classmethod
    def from_json(cls, value: object) -> ManifestPut:
        r = _Reader(value, "body")
        out = cls(
            r.integer("base_counter"),
            r.integer("counter", 1),
            r.req_blob("blob", 0, MAX_MANIFEST_BYTES),
        )
        r.done()
        if out.counter <= out.base_counter:
            raise ProtocolError("body.counter: must be greater than base_counter")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "base_counter": self.base_counter,
            "counter": self.counter,
            "blob": b64encode(self.blob),
        }


@dataclass(frozen=True)
class CredentialsChange:
    """PUT /v1/account/credentials: prove the current auth secret, replace everything derived
    from the passphrase (auth secret, KDF parameters, salt, wrapped keys) at once."""

    current_auth_secret: bytes
    auth_secret: bytes
    kdf: KdfParams
    salt: bytes
    wrapped_keys: dict[str, Any]

    @classmethod
    def from_json(cls, value: object) -> CredentialsChange:
        r = _Reader(value, "body")
        bounds = (MIN_AUTH_SECRET_BYTES, MAX_AUTH_SECRET_BYTES)
        out = cls(
            current_auth_secret=r.req_blob("current_auth_secret", *bounds),
            auth_secret=r.req_blob("auth_secret", *bounds),
            kdf=KdfParams.from_json(r.raw("kdf"), "body.kdf"),
            salt=r.req_blob("salt", MIN_SALT_BYTES, MAX_SALT_BYTES),
            wrapped_keys=_wrapped_keys(r),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "current_auth_secret": b64encode(self.current_auth_secret),
            "auth_secret": b64encode(self.auth_secret),
            "kdf": self.kdf.to_json(),
            "salt": b64encode(self.salt),
            "wrapped_keys": self.wrapped_keys,
        }


@dataclass(frozen=True)
class AccountDeletion:
    """DELETE /v1/account: the current auth secret, so a stolen token alone cannot delete."""

    auth_secret: bytes

    @classmethod
    def from_json(cls, value: object) -> AccountDeletion:
        r = _Reader(value, "body")
        out = cls(r.req_blob("auth_secret", MIN_AUTH_SECRET_BYTES, MAX_AUTH_SECRET_BYTES))
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {"auth_secret": b64encode(self.auth_secret)}


@dataclass(frozen=True)
class CodeRequest:
    """Body of POST /v1/2fa/totp/enable and /disable: a 6-digit TOTP code (disable also takes a
    recovery code)."""

    code: str

    @classmethod
    def from_json(cls, value: object) -> CodeRequest:
        r = _Reader(value, "body")
        out = cls(r.req_text("code", 64))
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code}


@dataclass(frozen=True)
class TotpSetup:
    """A new, pending TOTP secret (base32) and its otpauth:// URI for an authenticator app."""

    secret: str
    otpauth_uri: str

    @classmethod
    def from_json(cls, value: object) -> TotpSetup:
        r = _Reader(value, "response")
        out = cls(r.req_text("secret", 64), r.req_text("otpauth_uri", 1024))
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {"secret": self.secret, "otpauth_uri": self.otpauth_uri}


def read_recovery_codes(value: object) -> list[str]:
    """The body of POST /v1/2fa/totp/enable: `{"recovery_codes": [ten strings]}`."""
    r = _Reader(value, "response")
    codes = r.array("recovery_codes", 100)
    r.done()
    if not all(isinstance(c, str) and len(c) <= 64 for c in codes):
        raise ProtocolError("response.recovery_codes: expected short strings")
    return list(codes)


@dataclass(frozen=True)
class SecurityEvent:
    """One entry of the account's login history (`at` is seconds since the epoch, UTC)."""

    id: int
    at: int
    event: str
    address: str
    device_name: str

    @classmethod
    def from_json(cls, value: object) -> SecurityEvent:
        r = _Reader(value, "event")
        out = cls(
            id=r.integer("id", 1),
            at=r.integer("at"),
            event=r.req_text("event", 40),
            address=r.req_text("address", 64),
            device_name=r.req_text("device_name", MAX_DEVICE_NAME_CHARS),
        )
        r.done()
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "event": self.event,
            "address": self.address,
            "device_name": self.device_name,
        }


def read_security_events(value: object) -> list[SecurityEvent]:
    """The body of GET /v1/security-events: `{"events": [...]}`, newest first."""
    r = _Reader(value, "response")
    events = [SecurityEvent.from_json(v) for v in r.array("events", MAX_EVENTS_LIMIT)]
    r.done()
    return events


def check_blob_id(blob_id: str) -> str:
    """A blob id as it appears in the path: letters, digits or _.:- and at most 128 long."""
    if not blob_id or len(blob_id) > MAX_ID_CHARS or not _IDENT.fullmatch(blob_id):
        raise ProtocolError("path.blob_id: must be 1 to 128 letters, digits or _.:-")
    return blob_id


def read_account_id(value: object) -> str:
    """The body of a 201 from POST /v1/accounts."""
    r = _Reader(value, "response")
    account_id = r.ident("account_id")
    r.done()
    return account_id


def read_sessions(value: object) -> list[SessionInfo]:
    r = _Reader(value, "response")
    sessions = [SessionInfo.from_json(v) for v in r.array("sessions", 10_000)]
    r.done()
    return sessions


def parse_int_param(params: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    """A non-negative integer query parameter (digits only), or a ProtocolError."""
    text = params.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise ProtocolError(f"query.{name}: expected a non-negative integer")
    value = int(text)
    if value > maximum:
        raise ProtocolError(f"query.{name}: must be at most {maximum}")
    return value
