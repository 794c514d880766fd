"""The journal's records and rules, in pure Python.

Nothing here imports Qt, SQL or the network: storage, importers, sync and the UI all depend on
this room, never the other way round.
"""

from journal_desktop.domain.decimals import DecimalValue, canonical_decimal, parse_decimal
from journal_desktop.domain.hlc import Hlc, HybridLogicalClock
from journal_desktop.domain.records import (
    Account,
    AssetClass,
    Attachment,
    AttachmentOwner,
    Execution,
    Fill,
    Instrument,
    InvalidRecord,
    JournalEntry,
    Mood,
    Record,
    Side,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.domain.versioning import record_fields, stamp_new, stamp_update, tombstone

__all__ = [
    "Account",
    "AssetClass",
    "Attachment",
    "AttachmentOwner",
    "DecimalValue",
    "Execution",
    "Fill",
    "Hlc",
    "HybridLogicalClock",
    "Instrument",
    "InvalidRecord",
    "JournalEntry",
    "Mood",
    "Record",
    "Side",
    "Tag",
    "Trade",
    "TradeDirection",
    "TradeStatus",
    "canonical_decimal",
    "parse_decimal",
    "record_fields",
    "stamp_new",
    "stamp_update",
    "tombstone",
]
