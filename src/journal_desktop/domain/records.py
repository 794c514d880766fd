"""The journal's records: what a trader's data is, independent of how it is stored or shown.

Every record is ready for sync from the start: a UUID, a version that grows with each change,
a hybrid-logical-clock stamp per field (so two devices' edits merge field by field), and a
`deleted` flag, because a delete must travel to other devices as a tombstone.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from journal_desktop.domain.decimals import parse_decimal


class InvalidRecord(ValueError):
    """A record was given values that cannot describe real trading data."""


class AssetClass(enum.StrEnum):
    STOCK = "stock"
    OPTION = "option"
    FUTURE = "future"
    FOREX = "forex"
    CRYPTO = "crypto"


class Side(enum.StrEnum):
    """The side of one execution. Brokers' "short" and "cover" are a sell and a buy."""

    BUY = "buy"
    SELL = "sell"


class TradeDirection(enum.StrEnum):
    LONG = "long"
    SHORT = "short"


class TradeStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Mood(enum.IntEnum):
    TERRIBLE = 1
    BAD = 2
    NEUTRAL = 3
    GOOD = 4
    GREAT = 5


class AttachmentOwner(enum.StrEnum):
    TRADE = "trade"
    JOURNAL_ENTRY = "journal_entry"


def _new_id() -> uuid.UUID:
    return uuid.uuid4()


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

#: Fields every record has that describe the record rather than the trader's data.
META_FIELDS = frozenset({"id", "version", "deleted", "stamps"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """What every synced record carries besides its own fields.

    `version` is 0 for a record that has never been stored; storage raises it by one with each
    change. `stamps` maps each data field to the text of the HLC stamp of its last change.
    """

    id: uuid.UUID = field(default_factory=_new_id)
    version: int = 0
    deleted: bool = False
    stamps: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.version < 0:
            raise InvalidRecord("a record's version cannot be negative")


def _require_text(value: str, what: str, *, max_length: int = 200) -> None:
    if not value or not value.strip():
        raise InvalidRecord(f"{what} must not be empty")
    if len(value) > max_length:
        raise InvalidRecord(f"{what} is longer than {max_length} characters")


def _require_decimal(value: object, what: str) -> None:
    if not isinstance(value, Decimal):
        raise InvalidRecord(f"{what} must be an exact Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise InvalidRecord(f"{what} must be a finite number")


def _require_utc(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() != timedelta(0):
        raise InvalidRecord(f"{what} must be a UTC time (timezone-aware, offset zero)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Account(Record):
    """A broker account, as the trader names it. `broker_account_id` is the broker's number."""

    name: str
    broker: str = ""
    broker_account_id: str = ""
    currency: str = "USD"

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        _require_text(self.name, "an account's name")
        _require_text(self.currency, "an account's currency", max_length=10)


@dataclass(frozen=True, slots=True, kw_only=True)
class Instrument(Record):
    """What was traded. `multiplier` turns a price move into money (100 for most options)."""

    symbol: str
    asset_class: AssetClass
    currency: str = "USD"
    multiplier: Decimal = Decimal(1)
    underlying: str = ""
    expiry: date | None = None
    strike: Decimal | None = None
    option_right: str = ""  # "C" or "P" for options, empty otherwise

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        _require_text(self.symbol, "an instrument's symbol", max_length=64)
        _require_text(self.currency, "an instrument's currency", max_length=10)
        _require_decimal(self.multiplier, "the contract multiplier")
        if self.multiplier <= 0:
            raise InvalidRecord("the contract multiplier must be positive")
        if self.strike is not None:
            _require_decimal(self.strike, "the strike")
        if self.option_right not in ("", "C", "P"):
            raise InvalidRecord("an option's right must be C or P")


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution(Record):
    """One fill at the broker. Quantity is always positive; the side says which way."""

    account_id: uuid.UUID
    instrument_id: uuid.UUID
    side: Side
    quantity: Decimal
    price: Decimal
    executed_at: datetime
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    broker_execution_id: str = ""
    import_batch_id: uuid.UUID | None = None
    #: What makes a re-imported fill recognisable (see importing); empty for manual entries.
    fingerprint: str = ""

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        _require_decimal(self.quantity, "an execution's quantity")
        _require_decimal(self.price, "an execution's price")
        _require_decimal(self.commission, "an execution's commission")
        _require_decimal(self.fees, "an execution's fees")
        if self.quantity <= 0:
            raise InvalidRecord("an execution's quantity must be positive")
        _require_utc(self.executed_at, "an execution's time")


@dataclass(frozen=True, slots=True)
class Fill:
    """The part of one execution that belongs to a trade (a flip splits one execution in two)."""

    execution_id: uuid.UUID
    quantity: Decimal


def _named_amounts(*names: str) -> tuple[tuple[str, str], ...]:
    """Each field with how an error names it, made once: a bulk import validates tens of
    thousands of trades, and building the messages for every one cost more than the checks."""
    return tuple((name, f"a trade's {name.replace('_', ' ')}") for name in names)


_TRADE_AMOUNTS = _named_amounts("quantity", "entry_price", "gross_pnl", "fees", "net_pnl")
_TRADE_OPTIONAL_AMOUNTS = _named_amounts("exit_price", "initial_risk", "stop_price")


@dataclass(frozen=True, slots=True, kw_only=True)
class Trade(Record):
    """A round trip, flat to flat, with everything the trader writes about it."""

    account_id: uuid.UUID
    instrument_id: uuid.UUID
    direction: TradeDirection
    status: TradeStatus
    quantity: Decimal
    entry_price: Decimal
    opened_at: datetime
    exit_price: Decimal | None = None
    closed_at: datetime | None = None
    gross_pnl: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    net_pnl: Decimal = Decimal(0)
    fills: tuple[Fill, ...] = ()
    notes: str = ""
    tag_ids: tuple[uuid.UUID, ...] = ()
    setup: str = ""
    mistakes: tuple[str, ...] = ()
    rating: int | None = None
    initial_risk: Decimal | None = None
    stop_price: Decimal | None = None

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        for name, what in _TRADE_AMOUNTS:
            _require_decimal(getattr(self, name), what)
        for name, what in _TRADE_OPTIONAL_AMOUNTS:
            if getattr(self, name) is not None:
                _require_decimal(getattr(self, name), what)
        if self.quantity <= 0:
            raise InvalidRecord("a trade's quantity must be positive")
        _require_utc(self.opened_at, "a trade's open time")
        if self.closed_at is not None:
            _require_utc(self.closed_at, "a trade's close time")
            if self.closed_at < self.opened_at:
                raise InvalidRecord("a trade cannot close before it opens")
        if self.status is TradeStatus.CLOSED and (
            self.closed_at is None or self.exit_price is None
        ):
            raise InvalidRecord("a closed trade needs a close time and an exit price")
        if self.rating is not None and not 0 <= self.rating <= 5:
            raise InvalidRecord("a trade's rating must be between 0 and 5")
        if self.initial_risk is not None and self.initial_risk <= 0:
            raise InvalidRecord("a trade's initial risk must be a positive amount")
        if len(set(self.tag_ids)) != len(self.tag_ids):
            raise InvalidRecord("a trade lists the same tag twice")

    @property
    def r_multiple(self) -> Decimal | None:
        """Net P&L in units of the risk the trader planned to take, when a risk was set."""
        if self.initial_risk is None or self.status is not TradeStatus.CLOSED:
            return None
        return self.net_pnl / self.initial_risk


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry(Record):
    """One trading day's plan before the open and review after the close (Markdown)."""

    day: date
    plan: str = ""
    review: str = ""
    mood: Mood | None = None

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise InvalidRecord("a journal entry's day must be a calendar date, not a time")
        if self.mood is not None and (isinstance(self.mood, bool) or self.mood not in tuple(Mood)):
            raise InvalidRecord("a journal entry's mood must be one of the five moods (1-5)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag(Record):
    name: str
    color: str = ""

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        _require_text(self.name, "a tag's name", max_length=80)
        if self.color and not (
            len(self.color) == 7
            and self.color.startswith("#")
            and all(c in _HEX_DIGITS for c in self.color[1:])
        ):
            raise InvalidRecord("a tag's colour must look like #RRGGBB")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportBatch(Record):
    """One imported file: its executions point here, and undoing it removes exactly them."""

    filename: str
    format_name: str
    timezone: str
    imported_at: datetime
    sha256: str
    size: int
    execution_count: int
    duplicate_count: int = 0

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        _require_text(self.filename, "an import's file name", max_length=255)
        _require_utc(self.imported_at, "an import's time")
        if self.size < 0 or self.execution_count < 0 or self.duplicate_count < 0:
            raise InvalidRecord("an import's counts cannot be negative")


#: The largest attachment the vault accepts; screenshots are far smaller.
MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment(Record):
    """An image or file kept inside the vault; its bytes travel separately from this record."""

    owner_type: AttachmentOwner
    owner_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    sha256: str

    def __post_init__(self) -> None:
        Record.__post_init__(self)
        _require_text(self.filename, "an attachment's file name", max_length=255)
        if "/" in self.filename or "\\" in self.filename or "\x00" in self.filename:
            raise InvalidRecord("an attachment's file name must not contain a path")
        if not 0 <= self.size <= MAX_ATTACHMENT_BYTES:
            raise InvalidRecord("an attachment must be at most 64 MiB")
        if len(self.sha256) != 64 or not all(c in "0123456789abcdef" for c in self.sha256):
            raise InvalidRecord("an attachment's digest must be a SHA-256 hex string")


def amount(value: object) -> Decimal:
    """Shorthand for building records from text: `amount("12.50")`."""
    return parse_decimal(value)
