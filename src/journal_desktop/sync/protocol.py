"""The sync wire format: the one definition both the server and the client use.

Every body is a JSON object; binary values are standard base64 (canonical, padded). Two
exceptions: attachment blobs (`/v1/blobs/{id}`) travel as raw `application/octet-stream` bodies,
and the items endpoints (`GET` and `POST /v1/items`) also speak msgpack (`application/msgpack`,
by content negotiation), where ciphertext is a msgpack bin value: both are large, opaque
ciphertext, and base64 would add a third to every transfer and cost time on both sides.

Every wire type is declared once, as an `Obj` of `fields` (its `SPEC`): parsing, serialising
and the JSON Schemas of the server's OpenAPI description all come from that declaration.
Parsing is strict on purpose: an unknown field, a wrong type or a bad base64 string is a
`ProtocolError` naming what was wrong, which the server answers with 422, so a confused or
hostile peer never gets a half-understood request applied. No I/O happens here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from journal_desktop.sync.fields import (
    Array,
    Blob,
    Choice,
    Email,
    Flag,
    Ident,
    Int,
    Invalid,
    Member,
    Obj,
    OpaqueObject,
    ProtocolError,
    QueryInt,
    Text,
)
from journal_desktop.sync.fields import b64decode as b64decode
from journal_desktop.sync.fields import b64encode as b64encode
from journal_desktop.sync.fields import normalise_email as normalise_email

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
#: Largest integer on the wire: the largest every JSON reader (JavaScript included) keeps exact.
MAX_INT = 2**53 - 1
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

#: Media types: JSON everywhere; msgpack also on the items endpoints; raw bytes for blobs.
JSON = "application/json"
MSGPACK = "application/msgpack"
OCTET_STREAM = "application/octet-stream"

MAX_RECOVERY_CODE_CHARS = 64
MAX_TOTP_CODE_CHARS = 16

_IDENT = Ident(MAX_ID_CHARS)
_SECRET = Blob(MIN_AUTH_SECRET_BYTES, MAX_AUTH_SECRET_BYTES, "the Argon2id-derived auth secret")
_SALT = Blob(MIN_SALT_BYTES, MAX_SALT_BYTES)
_WRAPPED_KEYS = OpaqueObject(MAX_WRAPPED_KEYS_BYTES)
_TIME = Int(0, MAX_INT, "seconds since the epoch (UTC)")
_CIPHERTEXT = Blob(0, MAX_ITEM_BYTES, "the item's ciphertext")


def _required(field: Any) -> Member:
    return Member(field)


def _optional(field: Any) -> Member:
    return Member(field, optional=True)


class _Wire:
    """Parsing and serialising through the type's `SPEC` (set right after each class)."""

    SPEC: ClassVar[Obj]
    #: Where a value of this type sits when none is named, for error messages ("kdf.salt: ...").
    WHERE: ClassVar[str] = "body"

    @classmethod
    def from_json(cls, value: object, where: str | None = None) -> Self:
        parsed: Self = cls.SPEC.read(value, where or cls.WHERE, False)
        return parsed

    @classmethod
    def from_wire(cls, value: object, where: str = "body", *, binary: bool = False) -> Self:
        """Parse a decoded JSON value, or with `binary` a decoded msgpack value."""
        parsed: Self = cls.SPEC.read(value, where, binary)
        return parsed

    def to_json(self) -> dict[str, Any]:
        return self.SPEC.dump(self, False)

    def to_wire(self, *, binary: bool = False) -> dict[str, Any]:
        """The JSON form, or with `binary` the msgpack form (bytes left as bytes)."""
        return self.SPEC.dump(self, binary)


@dataclass(frozen=True)
class KdfParams(_Wire):
    """Argon2id parameters the client derives its master key and auth secret with."""

    memory_kib: int
    iterations: int
    parallelism: int
    algorithm: str = KDF_ALGORITHM

    WHERE: ClassVar[str] = "kdf"


KdfParams.SPEC = Obj(
    "KdfParams",
    KdfParams,
    {
        "algorithm": _required(Choice((KDF_ALGORITHM,))),
        "memory_kib": _required(Int(MIN_KDF_MEMORY_KIB, MAX_KDF_MEMORY_KIB)),
        "iterations": _required(Int(MIN_KDF_ITERATIONS, MAX_KDF_ITERATIONS)),
        "parallelism": _required(Int(1, MAX_KDF_PARALLELISM)),
    },
    description="Argon2id parameters; never below the floor of 64 MiB and 3 iterations",
)
_KDF = KdfParams.SPEC

#: What prelogin answers for an email without an account (and what new clients should use).
DEFAULT_KDF = KdfParams(memory_kib=MIN_KDF_MEMORY_KIB, iterations=MIN_KDF_ITERATIONS, parallelism=4)


@dataclass(frozen=True)
class Prelogin(_Wire):
    kdf: KdfParams
    salt: bytes

    WHERE: ClassVar[str] = "prelogin"


Prelogin.SPEC = Obj("Prelogin", Prelogin, {"kdf": _required(_KDF), "salt": _required(_SALT)})


@dataclass(frozen=True)
class RegisterRequest(_Wire):
    email: str
    auth_secret: bytes
    kdf: KdfParams
    salt: bytes
    wrapped_keys: dict[str, Any]


RegisterRequest.SPEC = Obj(
    "RegisterRequest",
    RegisterRequest,
    {
        "email": _required(Email(MAX_EMAIL_CHARS)),
        "auth_secret": _required(_SECRET),
        "kdf": _required(_KDF),
        "salt": _required(_SALT),
        "wrapped_keys": _required(_WRAPPED_KEYS),
    },
)


@dataclass(frozen=True)
class AccountCreated(_Wire):
    """The body of a 201 from POST /v1/accounts."""

    account_id: str


AccountCreated.SPEC = Obj("AccountCreated", AccountCreated, {"account_id": _required(_IDENT)})

_TOTP_CODE = Text(MAX_TOTP_CODE_CHARS, "a current 6-digit TOTP code")
_RECOVERY_CODE = Text(MAX_RECOVERY_CODE_CHARS, "an unused recovery code")


@dataclass(frozen=True)
class LoginRequest(_Wire):
    email: str
    auth_secret: bytes
    device_name: str
    totp_code: str | None = None
    recovery_code: str | None = None


LoginRequest.SPEC = Obj(
    "LoginRequest",
    LoginRequest,
    {
        "email": _required(Email(MAX_EMAIL_CHARS)),
        "auth_secret": _required(_SECRET),
        "device_name": _required(Text(MAX_DEVICE_NAME_CHARS)),
        "totp_code": _optional(_TOTP_CODE),
        "recovery_code": _optional(_RECOVERY_CODE),
    },
)


@dataclass(frozen=True)
class LoginResponse(_Wire):
    token: str
    session_id: str

    WHERE: ClassVar[str] = "response"


LoginResponse.SPEC = Obj(
    "LoginResponse",
    LoginResponse,
    {"token": _required(Text(128, "the bearer token")), "session_id": _required(_IDENT)},
)


@dataclass(frozen=True)
class SessionInfo(_Wire):
    """One signed-in device; times are seconds since the epoch (UTC)."""

    session_id: str
    device_name: str
    created_at: int
    last_seen_at: int
    address: str
    current: bool

    WHERE: ClassVar[str] = "session"


SessionInfo.SPEC = Obj(
    "SessionInfo",
    SessionInfo,
    {
        "session_id": _required(_IDENT),
        "device_name": _required(Text(MAX_DEVICE_NAME_CHARS)),
        "created_at": _required(_TIME),
        "last_seen_at": _required(_TIME),
        "address": _required(Text(64)),
        "current": _required(Flag()),
    },
)


@dataclass(frozen=True)
class SessionList(_Wire):
    sessions: list[SessionInfo]


SessionList.SPEC = Obj(
    "SessionList", SessionList, {"sessions": _required(Array(SessionInfo.SPEC, 10_000))}
)


@dataclass(frozen=True)
class Revoked(_Wire):
    """How many sessions a revocation or a credentials change ended."""

    revoked: int


Revoked.SPEC = Obj("Revoked", Revoked, {"revoked": _required(Int(0, MAX_INT))})


@dataclass(frozen=True)
class AccountKeys(_Wire):
    kdf: KdfParams
    salt: bytes
    wrapped_keys: dict[str, Any]

    WHERE: ClassVar[str] = "keys"


AccountKeys.SPEC = Obj(
    "AccountKeys",
    AccountKeys,
    {"kdf": _required(_KDF), "salt": _required(_SALT), "wrapped_keys": _required(_WRAPPED_KEYS)},
)


@dataclass(frozen=True)
class Item(_Wire):
    """One stored encrypted item as the server holds it; `seq` orders the account's writes."""

    id: str
    type: str
    version: int
    deleted: bool
    ciphertext: bytes
    seq: int

    WHERE: ClassVar[str] = "item"


Item.SPEC = Obj(
    "Item",
    Item,
    {
        "id": _required(_IDENT),
        "type": _required(_IDENT),
        "version": _required(Int(1, MAX_INT)),
        "deleted": _required(Flag()),
        "ciphertext": _required(_CIPHERTEXT),
        "seq": _required(Int(1, MAX_INT)),
    },
)


@dataclass(frozen=True)
class PullResponse(_Wire):
    items: list[Item]
    next_since: int
    more: bool

    WHERE: ClassVar[str] = "response"


PullResponse.SPEC = Obj(
    "PullResponse",
    PullResponse,
    {
        "items": _required(Array(Item.SPEC, MAX_PULL_LIMIT, "in seq order")),
        "next_since": _required(Int(0, MAX_INT, "the cursor for the next pull")),
        "more": _required(Flag()),
    },
)


@dataclass(frozen=True)
class Write(_Wire):
    """A client write: accepted only if `base_version` is the stored version (0 for new)."""

    id: str
    type: str
    base_version: int
    version: int
    deleted: bool
    ciphertext: bytes


def _check_write(write: Write) -> None:
    if write.version <= write.base_version:
        raise Invalid("must be greater than base_version", ".version")


Write.SPEC = Obj(
    "Write",
    Write,
    {
        "id": _required(_IDENT),
        "type": _required(_IDENT),
        "base_version": _required(Int(0, MAX_INT, "the stored version it replaces; 0 for new")),
        "version": _required(Int(1, MAX_INT, "greater than base_version")),
        "deleted": _required(Flag()),
        "ciphertext": _required(_CIPHERTEXT),
    },
    check=_check_write,
)


@dataclass(frozen=True)
class PushRequest(_Wire):
    idempotency_key: str
    writes: list[Write]


def _check_push(push: PushRequest) -> None:
    ids = {w.id for w in push.writes}
    if len(ids) != len(push.writes):
        raise Invalid("the same id appears twice", ".writes")


PushRequest.SPEC = Obj(
    "PushRequest",
    PushRequest,
    {
        "idempotency_key": _required(_IDENT),
        "writes": _required(Array(Write.SPEC, MAX_WRITES_PER_REQUEST, "each id at most once")),
    },
    check=_check_push,
)


@dataclass(frozen=True)
class Accepted(_Wire):
    id: str
    version: int
    seq: int


Accepted.SPEC = Obj(
    "Accepted",
    Accepted,
    {
        "id": _required(_IDENT),
        "version": _required(Int(1, MAX_INT)),
        "seq": _required(Int(1, MAX_INT)),
    },
)


@dataclass(frozen=True)
class Conflict(_Wire):
    """A refused write; `current` is the stored copy (None if the base named a missing item)."""

    id: str
    current: Item | None


Conflict.SPEC = Obj(
    "Conflict",
    Conflict,
    {"id": _required(_IDENT), "current": Member(Item.SPEC, nullable=True)},
)


@dataclass(frozen=True)
class PushResponse(_Wire):
    accepted: list[Accepted]
    conflicts: list[Conflict]

    WHERE: ClassVar[str] = "response"


PushResponse.SPEC = Obj(
    "PushResponse",
    PushResponse,
    {
        "accepted": _required(Array(Accepted.SPEC, MAX_WRITES_PER_REQUEST)),
        "conflicts": _required(Array(Conflict.SPEC, MAX_WRITES_PER_REQUEST)),
    },
)


@dataclass(frozen=True)
class Manifest(_Wire):
    """The client's authenticated manifest as stored; counter 0 and no blob before the first."""

    counter: int
    blob: bytes | None

    WHERE: ClassVar[str] = "manifest"


Manifest.SPEC = Obj(
    "Manifest",
    Manifest,
    {
        "counter": _required(Int(0, MAX_INT)),
        "blob": Member(Blob(0, MAX_MANIFEST_BYTES), optional=True, nullable=True),
    },
)


@dataclass(frozen=True)
class ManifestPut(_Wire):
    """Replace the manifest if the stored counter is `base_counter`; the counter only grows."""

    base_counter: int
    counter: int
    blob: bytes


def _check_manifest_put(put: ManifestPut) -> None:
    if put.counter <= put.base_counter:
        raise Invalid("must be greater than base_counter", ".counter")


ManifestPut.SPEC = Obj(
    "ManifestPut",
    ManifestPut,
    {
        "base_counter": _required(Int(0, MAX_INT)),
        "counter": _required(Int(1, MAX_INT, "greater than base_counter")),
        "blob": _required(Blob(0, MAX_MANIFEST_BYTES)),
    },
    check=_check_manifest_put,
)


@dataclass(frozen=True)
class CredentialsChange(_Wire):
    """PUT /v1/account/credentials: prove the current auth secret (and, with two-factor sign-in
    on, a current TOTP code or a recovery code), replace everything derived from the passphrase
    (auth secret, KDF parameters, salt, wrapped keys) at once."""

    current_auth_secret: bytes
    auth_secret: bytes
    kdf: KdfParams
    salt: bytes
    wrapped_keys: dict[str, Any]
    totp_code: str | None = None
    recovery_code: str | None = None


CredentialsChange.SPEC = Obj(
    "CredentialsChange",
    CredentialsChange,
    {
        "current_auth_secret": _required(_SECRET),
        "auth_secret": _required(_SECRET),
        "kdf": _required(_KDF),
        "salt": _required(_SALT),
        "wrapped_keys": _required(_WRAPPED_KEYS),
        "totp_code": _optional(_TOTP_CODE),
        "recovery_code": _optional(_RECOVERY_CODE),
    },
)


@dataclass(frozen=True)
class AccountDeletion(_Wire):
    """DELETE /v1/account: the current auth secret, so a stolen token alone cannot delete (and,
    with two-factor sign-in on, a current TOTP code or a recovery code)."""

    auth_secret: bytes
    totp_code: str | None = None
    recovery_code: str | None = None


AccountDeletion.SPEC = Obj(
    "AccountDeletion",
    AccountDeletion,
    {
        "auth_secret": _required(_SECRET),
        "totp_code": _optional(_TOTP_CODE),
        "recovery_code": _optional(_RECOVERY_CODE),
    },
)


@dataclass(frozen=True)
class CodeRequest(_Wire):
    """Body of POST /v1/2fa/totp/enable and /disable: a 6-digit TOTP code (disable also takes a
    recovery code)."""

    code: str


CodeRequest.SPEC = Obj(
    "CodeRequest",
    CodeRequest,
    {"code": _required(Text(MAX_RECOVERY_CODE_CHARS, "a TOTP code (disable: or a recovery code)"))},
)


@dataclass(frozen=True)
class TotpSetup(_Wire):
    """A new, pending TOTP secret (base32) and its otpauth:// URI for an authenticator app."""

    secret: str
    otpauth_uri: str

    WHERE: ClassVar[str] = "response"


TotpSetup.SPEC = Obj(
    "TotpSetup",
    TotpSetup,
    {"secret": _required(Text(64, "base32")), "otpauth_uri": _required(Text(1024))},
)


@dataclass(frozen=True)
class RecoveryCodes(_Wire):
    """The body of POST /v1/2fa/totp/enable: ten single-use recovery codes, shown once."""

    recovery_codes: list[str]


RecoveryCodes.SPEC = Obj(
    "RecoveryCodes",
    RecoveryCodes,
    {"recovery_codes": _required(Array(Text(MAX_RECOVERY_CODE_CHARS), 100))},
)


def read_recovery_codes(value: object) -> list[str]:
    codes: RecoveryCodes = RecoveryCodes.SPEC.read(value, "response", False)
    return codes.recovery_codes


@dataclass(frozen=True)
class SecurityEvent(_Wire):
    """One entry of the account's login history (`at` is seconds since the epoch, UTC; `id`
    is the entry's number in the account's own history, 1 for the first)."""

    id: int
    at: int
    event: str
    address: str
    device_name: str

    WHERE: ClassVar[str] = "event"


SecurityEvent.SPEC = Obj(
    "SecurityEvent",
    SecurityEvent,
    {
        "id": _required(Int(1, MAX_INT)),
        "at": _required(_TIME),
        "event": _required(Text(40)),
        "address": _required(Text(64)),
        "device_name": _required(Text(MAX_DEVICE_NAME_CHARS)),
    },
)


@dataclass(frozen=True)
class SecurityEvents(_Wire):
    """The body of GET /v1/security-events, newest first."""

    events: list[SecurityEvent]


SecurityEvents.SPEC = Obj(
    "SecurityEvents",
    SecurityEvents,
    {"events": _required(Array(SecurityEvent.SPEC, MAX_EVENTS_LIMIT, "newest first"))},
)


def read_security_events(value: object) -> list[SecurityEvent]:
    events: SecurityEvents = SecurityEvents.SPEC.read(value, "response", False)
    return events.events


@dataclass(frozen=True)
class Health(_Wire):
    status: str


Health.SPEC = Obj("Health", Health, {"status": _required(Choice(("ok",)))})


@dataclass(frozen=True)
class ErrorBody(_Wire):
    """Every 4xx and 5xx answer: a stable machine code, and sometimes what was wrong.

    `current` comes with 409 manifest_conflict: the stored manifest.
    """

    error: str
    detail: str | None = None
    current: Manifest | None = None


ErrorBody.SPEC = Obj(
    "Error",
    ErrorBody,
    {
        "error": _required(Text(64, "a stable machine-readable code")),
        "detail": _optional(Text(2000, "what was wrong, for people")),
        "current": _optional(Manifest.SPEC),
    },
)

#: Query parameters.
PULL_SINCE = QueryInt("since", 0, MAX_INT, description="items written after this seq")
PULL_LIMIT = QueryInt("limit", DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, minimum=1)
EVENTS_LIMIT = QueryInt("limit", DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT, minimum=1)
PRELOGIN_EMAIL = Email(MAX_EMAIL_CHARS)
BLOB_ID = _IDENT
SESSION_ID = _IDENT


def check_blob_id(blob_id: str) -> str:
    """A blob id as it appears in the path: letters, digits or _.:- and at most 128 long."""
    if not blob_id or len(blob_id) > MAX_ID_CHARS or not blob_id.isascii():
        raise ProtocolError("path.blob_id: must be 1 to 128 letters, digits or _.:-")
    try:
        return str(BLOB_ID.read(blob_id, "path.blob_id", False))
    except ProtocolError:
        raise ProtocolError("path.blob_id: must be 1 to 128 letters, digits or _.:-") from None


def read_account_id(value: object) -> str:
    """The body of a 201 from POST /v1/accounts."""
    created: AccountCreated = AccountCreated.SPEC.read(value, "response", False)
    return created.account_id


def read_sessions(value: object) -> list[SessionInfo]:
    found: SessionList = SessionList.SPEC.read(value, "response", False)
    return found.sessions


def parse_int_param(params: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    """A non-negative integer query parameter (digits only), or a ProtocolError."""
    return QueryInt(name, default, maximum).read(params)
