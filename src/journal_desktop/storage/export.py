"""A plain JSON export of everything in the vault, for the trader's own use.

It is unencrypted by nature; callers warn before writing it and write it owner-only.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from journal_desktop.storage.repositories.base import RecordRepository
from journal_desktop.storage.vault import Vault

EXPORT_FORMAT = "journal-desktop-export/1"


def _records(repository: RecordRepository[Any]) -> list[dict[str, Any]]:
    return [
        {"id": str(record.id), **repository.audit_values(record)}
        for record in repository.list_all()
    ]


def export_document(vault: Vault) -> dict[str, Any]:
    attachments = _records(vault.attachments)
    for item in attachments:
        data = vault.attachments.data(uuid.UUID(item["id"]))
        item["data_base64"] = base64.b64encode(data).decode("ascii")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "vault_id": vault.metadata.vault_id,
        "schema_version": vault.schema_version(),
        "accounts": _records(vault.accounts),
        "instruments": _records(vault.instruments),
        "executions": _records(vault.executions),
        "trades": _records(vault.trades),
        "journal_entries": _records(vault.journal),
        "tags": _records(vault.tags),
        "attachments": attachments,
        "settings": vault.settings.all(),
    }
