"""Repositories: the only code that holds SQL for the journal's records."""

from journal_desktop.storage.repositories.attachments import AttachmentRepository
from journal_desktop.storage.repositories.base import (
    ConcurrentChange,
    RecordRepository,
    StorageContext,
)
from journal_desktop.storage.repositories.imports import ImportBatchRepository
from journal_desktop.storage.repositories.records import (
    AccountRepository,
    ExecutionRepository,
    InstrumentRepository,
    JournalEntryRepository,
    TagRepository,
    TradeRepository,
)
from journal_desktop.storage.repositories.settings import SettingsRepository

__all__ = [
    "AccountRepository",
    "AttachmentRepository",
    "ConcurrentChange",
    "ExecutionRepository",
    "ImportBatchRepository",
    "InstrumentRepository",
    "JournalEntryRepository",
    "RecordRepository",
    "SettingsRepository",
    "StorageContext",
    "TagRepository",
    "TradeRepository",
]
