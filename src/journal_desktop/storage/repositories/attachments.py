"""Attachments (screenshots, files): metadata as a synced record, bytes in a side table.

Listing a trade's screenshots never reads their bytes; the bytes are read one at a time when
shown, and wiped from the vault when the attachment is deleted.
"""

from __future__ import annotations

import hashlib
import uuid

from journal_desktop.domain.records import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    AttachmentOwner,
    InvalidRecord,
)
from journal_desktop.storage import codec
from journal_desktop.storage.codec import Column
from journal_desktop.storage.errors import RecordNotFound
from journal_desktop.storage.repositories.base import RecordRepository


class AttachmentRepository(RecordRepository[Attachment]):
    table = "attachments"
    record_type = "attachment"
    human_name = "attachment"
    record_class = Attachment
    columns = (
        Column("owner_type", codec.enc_enum, codec.dec_enum(AttachmentOwner)),
        Column("owner_id", codec.enc_uuid, codec.dec_uuid),
        Column("filename"),
        Column("media_type"),
        Column("size"),
        Column("sha256"),
    )

    def attach(
        self,
        owner_type: AttachmentOwner,
        owner_id: uuid.UUID,
        filename: str,
        media_type: str,
        data: bytes,
    ) -> Attachment:
        """Store the bytes and their record together, in one transaction."""
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidRecord("an attachment must be at most 64 MiB")
        record = Attachment(
            owner_type=owner_type,
            owner_id=owner_id,
            filename=filename,
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        with self.db.transaction():
            stored = self.add(record)
            self.db.execute(
                "INSERT INTO attachment_data (attachment_id, data) VALUES (?, ?)",
                (str(stored.id), data),
            )
        return stored

    def data(self, attachment_id: uuid.UUID) -> bytes:
        row = self.db.query_one(
            "SELECT a.sha256, d.data FROM attachments a JOIN attachment_data d "
            "ON d.attachment_id = a.id WHERE a.id = ? AND a.deleted = 0",
            (str(attachment_id),),
        )
        if row is None:
            raise RecordNotFound(f"attachment with id {attachment_id}")
        data = bytes(row[1])
        if hashlib.sha256(data).hexdigest() != row[0]:
            raise RecordNotFound(f"intact copy of attachment {attachment_id} (its bytes changed)")
        return data

    def for_owner(self, owner_type: AttachmentOwner, owner_id: uuid.UUID) -> list[Attachment]:
        return self._select_where(
            "deleted = 0 AND owner_type = ? AND owner_id = ?",
            (owner_type.value, str(owner_id)),
        )

    def _after_delete(self, record: Attachment) -> None:
        self.db.execute("DELETE FROM attachment_data WHERE attachment_id = ?", (str(record.id),))

    def total_bytes(self) -> int:
        return int(
            self.db.scalar("SELECT coalesce(sum(size), 0) FROM attachments WHERE deleted = 0")
        )
