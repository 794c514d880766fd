"""Import batches: one record per imported file, with the file itself kept in the vault.

Keeping the original lets a trader re-check a disputed figure against exactly what the broker
sent, long after the download is gone; it is encrypted with the rest of the vault.
"""

from __future__ import annotations

import uuid

from journal_desktop.domain.records import ImportBatch
from journal_desktop.storage import codec
from journal_desktop.storage.codec import Column
from journal_desktop.storage.errors import RecordNotFound
from journal_desktop.storage.repositories.base import RecordRepository


class ImportBatchRepository(RecordRepository[ImportBatch]):
    table = "import_batches"
    record_type = "import_batch"
    human_name = "import"
    record_class = ImportBatch
    columns = (
        Column("filename"),
        Column("format_name"),
        Column("timezone"),
        Column("imported_at", codec.enc_utc, codec.dec_utc),
        Column("sha256"),
        Column("size"),
        Column("execution_count"),
        Column("duplicate_count"),
    )

    def add_with_file(self, batch: ImportBatch, data: bytes) -> ImportBatch:
        with self.db.transaction():
            stored = self.add(batch)
            self.db.execute(
                "INSERT INTO import_batch_files (batch_id, data) VALUES (?, ?)",
                (str(stored.id), data),
            )
        return stored

    def original_file(self, batch_id: uuid.UUID) -> bytes:
        row = self.db.query_one(
            "SELECT data FROM import_batch_files WHERE batch_id = ?", (str(batch_id),)
        )
        if row is None:
            raise RecordNotFound(f"original file of import {batch_id}")
        return bytes(row[0])

    def newest_first(self) -> list[ImportBatch]:
        return self._select_where("deleted = 0", (), order_by="imported_at DESC, rowid DESC")

    def _after_delete(self, record: ImportBatch) -> None:
        self.db.execute("DELETE FROM import_batch_files WHERE batch_id = ?", (str(record.id),))
