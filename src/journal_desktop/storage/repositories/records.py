"""Repositories for accounts, instruments, executions, trades, journal entries and tags."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Context, Decimal
from typing import Any, ClassVar

from journal_desktop.domain.records import (
    Account,
    AssetClass,
    Execution,
    Instrument,
    JournalEntry,
    Mood,
    Side,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.storage import codec
from journal_desktop.storage.codec import Column
from journal_desktop.storage.errors import DuplicateRecord
from journal_desktop.storage.repositories.base import RecordRepository

_OPT_DEC = (codec.enc_optional(codec.enc_decimal), codec.dec_optional(codec.dec_decimal))
_OPT_UTC = (codec.enc_optional(codec.enc_utc), codec.dec_optional(codec.dec_utc))
_OPT_UUID = (codec.enc_optional(codec.enc_uuid), codec.dec_optional(codec.dec_uuid))
_OPT_DAY = (codec.enc_optional(codec.enc_day), codec.dec_optional(codec.dec_day))
_DEC = (codec.enc_decimal, codec.dec_decimal)
_UTC = (codec.enc_utc, codec.dec_utc)
_UUID = (codec.enc_uuid, codec.dec_uuid)


class AccountRepository(RecordRepository[Account]):
    table = "accounts"
    record_type = "account"
    human_name = "account"
    record_class = Account
    columns = (
        Column("name"),
        Column("broker"),
        Column("broker_account_id"),
        Column("currency"),
    )

    def by_name(self, name: str) -> Account | None:
        found = self._select_where("deleted = 0 AND name = ?", (name,))
        return found[0] if found else None


class InstrumentRepository(RecordRepository[Instrument]):
    table = "instruments"
    record_type = "instrument"
    human_name = "instrument"
    record_class = Instrument
    columns = (
        Column("symbol"),
        Column("asset_class", codec.enc_enum, codec.dec_enum(AssetClass)),
        Column("currency"),
        Column("multiplier", *_DEC),
        Column("underlying"),
        Column("expiry", *_OPT_DAY),
        Column("strike", *_OPT_DEC),
        Column("option_right"),
    )

    def by_symbol(self, symbol: str) -> list[Instrument]:
        return self._select_where("deleted = 0 AND symbol = ?", (symbol,))


class ExecutionRepository(RecordRepository[Execution]):
    table = "executions"
    record_type = "execution"
    human_name = "execution"
    record_class = Execution
    columns = (
        Column("account_id", *_UUID),
        Column("instrument_id", *_UUID),
        Column("side", codec.enc_enum, codec.dec_enum(Side)),
        Column("quantity", *_DEC),
        Column("price", *_DEC),
        Column("executed_at", *_UTC),
        Column("commission", *_DEC),
        Column("fees", *_DEC),
        Column("broker_execution_id"),
        Column("import_batch_id", *_OPT_UUID),
        Column("fingerprint"),
    )

    def existing_fingerprints(self, fingerprints: Sequence[str]) -> set[str]:
        """Which of these fingerprints are already stored (live).

        `fingerprint <> ''` lets SQLite use the partial unique index on fingerprints (without
        it, each lookup scans the whole executions table). They are asked a few thousand at a
        time: encoding 100,000 of them as one JSON text is one C call that holds the GIL for
        30-40 ms, which froze the desktop app's window during an import on the worker.
        """
        found: set[str] = set()
        for start in range(0, len(fingerprints), _FINGERPRINTS_PER_QUERY):
            chunk = fingerprints[start : start + _FINGERPRINTS_PER_QUERY]
            rows = self.db.query(
                "SELECT fingerprint FROM executions WHERE deleted = 0 AND fingerprint <> '' "
                "AND fingerprint IN (SELECT value FROM json_each(?))",
                (json.dumps(list(chunk)),),
            )
            found.update(str(r[0]) for r in rows)
        return found

    def in_batch(self, batch_id: uuid.UUID) -> list[Execution]:
        return self._select_where(
            "deleted = 0 AND import_batch_id = ?", (str(batch_id),), order_by="executed_at, rowid"
        )

    def for_position(self, account_id: uuid.UUID, instrument_id: uuid.UUID) -> list[Execution]:
        return self._select_where(
            "deleted = 0 AND account_id = ? AND instrument_id = ?",
            (str(account_id), str(instrument_id)),
            order_by="executed_at, rowid",
        )


class TradeRepository(RecordRepository[Trade]):
    table = "trades"
    record_type = "trade"
    human_name = "trade"
    record_class = Trade
    columns = (
        Column("account_id", *_UUID),
        Column("instrument_id", *_UUID),
        Column("direction", codec.enc_enum, codec.dec_enum(TradeDirection)),
        Column("status", codec.enc_enum, codec.dec_enum(TradeStatus)),
        Column("quantity", *_DEC),
        Column("entry_price", *_DEC),
        Column("exit_price", *_OPT_DEC),
        Column("opened_at", *_UTC),
        Column("closed_at", *_OPT_UTC),
        Column("gross_pnl", *_DEC),
        Column("fees", *_DEC),
        Column("net_pnl", *_DEC),
        Column("fills", codec.enc_fills, codec.dec_fills),
        Column("notes"),
        Column("tag_ids", codec.enc_uuid_list, codec.dec_uuid_list),
        Column("setup"),
        Column("mistakes", codec.enc_text_list, codec.dec_text_list),
        Column("rating"),
        Column("initial_risk", *_OPT_DEC),
        Column("stop_price", *_OPT_DEC),
    )
    purge_on_delete: ClassVar[dict[str, object]] = {"notes": "", "setup": "", "mistakes": ()}

    def derived_columns(self) -> Sequence[str]:
        return ("gross_pnl_e8", "fees_e8", "net_pnl_e8")

    def derived_values(self, record: Trade) -> Sequence[Any]:
        return (
            codec.to_e8(record.gross_pnl),
            codec.to_e8(record.fees),
            codec.to_e8(record.net_pnl),
        )

    def for_position(self, account_id: uuid.UUID, instrument_id: uuid.UUID) -> list[Trade]:
        return self._select_where(
            "deleted = 0 AND account_id = ? AND instrument_id = ?",
            (str(account_id), str(instrument_id)),
            order_by="opened_at, rowid",
        )

    def closed_between(self, start: datetime, end: datetime) -> list[Trade]:
        return self._select_where(
            "deleted = 0 AND closed_at >= ? AND closed_at < ?",
            (codec.enc_utc(start), codec.enc_utc(end)),
            order_by="closed_at, rowid",
        )

    def with_tag(self, tag_id: uuid.UUID) -> list[Trade]:
        return self._select_where(
            "deleted = 0 AND EXISTS (SELECT 1 FROM json_each(trades.tag_ids) WHERE value = ?)",
            (str(tag_id),),
            order_by="opened_at, rowid",
        )

    def search_notes(self, query: str) -> list[Trade]:
        """Trades whose notes or setup match a full-text query (FTS5 when the build has it)."""
        if self._has_fts():
            return self._select_where(
                "deleted = 0 AND rowid IN (SELECT rowid FROM trades_fts WHERE trades_fts MATCH ?)",
                (fts_phrase(query),),
                order_by="opened_at, rowid",
            )
        like = f"%{escape_like(query)}%"
        return self._select_where(
            "deleted = 0 AND (notes LIKE ? ESCAPE '\\' OR setup LIKE ? ESCAPE '\\')",
            (like, like),
            order_by="opened_at, rowid",
        )

    def _has_fts(self) -> bool:
        return bool(self.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'trades_fts'"))

    def encode_new(
        self,
        trade: Trade,
        stamps: str,
        stamp: str,
        texts: DecimalTexts,
        ids: IdTexts | None = None,
    ) -> tuple[Any, ...]:
        """`encode` of a new trade stamped with `batch_stamps`, for bulk paths: the same
        values, built without a column encoder per field (tested against `encode`)."""
        text = ids or str
        fills = ", ".join(
            f'["{text(fill.execution_id)}", "{texts(fill.quantity)}"]' for fill in trade.fills
        )
        exit_price = trade.exit_price
        closed_at = trade.closed_at
        return (
            str(trade.id),
            1,
            0,
            stamps,
            stamp,
            text(trade.account_id),
            text(trade.instrument_id),
            trade.direction.value,
            trade.status.value,
            texts(trade.quantity),
            texts(trade.entry_price),
            None if exit_price is None else texts(exit_price),
            utc_text(trade.opened_at),
            None if closed_at is None else utc_text(closed_at),
            texts(trade.gross_pnl),
            texts(trade.fees),
            texts(trade.net_pnl),
            f"[{fills}]",
            trade.notes,
            codec.enc_uuid_list(trade.tag_ids) if trade.tag_ids else "[]",
            trade.setup,
            codec.enc_text_list(trade.mistakes) if trade.mistakes else "[]",
            trade.rating,
            None if trade.initial_risk is None else texts(trade.initial_risk),
            None if trade.stop_price is None else texts(trade.stop_price),
            e8_units(trade.gross_pnl),
            e8_units(trade.fees),
            e8_units(trade.net_pnl),
        )


#: How many fingerprints `existing_fingerprints` asks about per query.
_FINGERPRINTS_PER_QUERY = 2_000


class DecimalTexts:
    """`canonical_decimal`, remembered per value: a bulk write encodes the same prices,
    sizes and fees many times over (equal values have one canonical text)."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[Decimal, str] = {}

    def __call__(self, value: Decimal) -> str:
        text = self._known.get(value)
        if text is None:
            text = self._known[value] = codec.enc_decimal(value)
        return text


class IdTexts:
    """`str` of ids, remembered per id object: a bulk write names the same few account and
    instrument ids (and each new execution's id) many times over. Keyed by identity, so no
    UUID is hashed; each entry keeps its object alive, so an identity is never reused."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[int, tuple[uuid.UUID, str]] = {}

    def remember(self, value: uuid.UUID, text: str) -> None:
        self._known[id(value)] = (value, text)

    def __call__(self, value: uuid.UUID) -> str:
        entry = self._known.get(id(value))
        if entry is None or entry[0] is not value:
            entry = self._known[id(value)] = (value, str(value))
        return entry[1]


def utc_text(value: datetime) -> str:
    """`codec.enc_utc`, quicker for the aware UTC times records hold."""
    if value.utcoffset() == _NO_OFFSET and value.year >= 1000:
        return value.isoformat(timespec="microseconds")[:26] + "Z"
    return codec.enc_utc(value)


def e8_units(value: Decimal) -> int:
    """`codec.to_e8`, quicker for amounts with at most 8 decimal places and 20 digits (no
    rounding can happen, so the plain product is exact)."""
    _sign, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and exponent >= -8 and len(digits) <= 20:
        units = int(value.scaleb(8, context=_E8_CONTEXT))
        if -(2**63) <= units < 2**63:
            return units
    return codec.to_e8(value)


_NO_OFFSET = timedelta(0)
_E8_CONTEXT = Context(prec=40)


class JournalEntryRepository(RecordRepository[JournalEntry]):
    table = "journal_entries"
    record_type = "journal_entry"
    human_name = "journal entry"
    record_class = JournalEntry
    columns = (
        Column("day", codec.enc_day, codec.dec_day),
        Column("plan"),
        Column("review"),
        Column(
            "mood", codec.enc_optional(codec.enc_enum), codec.dec_optional(codec.dec_enum(Mood))
        ),
    )
    purge_on_delete: ClassVar[dict[str, object]] = {"plan": "", "review": "", "mood": None}

    def check_unique(self, record: JournalEntry) -> None:
        other = self.for_day(record.day)
        if other is not None and other.id != record.id:
            raise DuplicateRecord(f"A journal entry for {record.day.isoformat()}")

    def for_day(self, day: date) -> JournalEntry | None:
        found = self._select_where("deleted = 0 AND day = ?", (codec.enc_day(day),))
        return found[0] if found else None

    def search(self, query: str) -> list[JournalEntry]:
        has_fts = self.db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'journal_fts'")
        if has_fts:
            return self._select_where(
                "deleted = 0 AND rowid IN "
                "(SELECT rowid FROM journal_fts WHERE journal_fts MATCH ?)",
                (fts_phrase(query),),
                order_by="day",
            )
        like = f"%{escape_like(query)}%"
        return self._select_where(
            "deleted = 0 AND (plan LIKE ? ESCAPE '\\' OR review LIKE ? ESCAPE '\\')",
            (like, like),
            order_by="day",
        )


class TagRepository(RecordRepository[Tag]):
    table = "tags"
    record_type = "tag"
    human_name = "tag"
    record_class = Tag
    columns = (Column("name"), Column("color"))

    def check_unique(self, record: Tag) -> None:
        other = self.by_name(record.name)
        if other is not None and other.id != record.id:
            raise DuplicateRecord(f"A tag named {other.name!r}")

    def by_name(self, name: str) -> Tag | None:
        found = self._select_where("deleted = 0 AND name = ? COLLATE NOCASE", (name,))
        return found[0] if found else None


def fts_phrase(query: str) -> str:
    """A user's words as FTS5 terms that all must match; quotes keep syntax characters inert.

    NUL cannot appear in an FTS5 query even inside quotes (it ends the string early), so it
    is treated as a space.
    """
    words = [w for w in query.replace("\x00", " ").split() if w]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
