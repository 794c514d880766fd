"""A trade's screenshots: kept inside the encrypted vault, never as files on disk.

The bytes go into the attachments side table of the SQLCipher database (see
`repositories.attachments`), so they are encrypted at rest like every other page. Only PNG and
JPEG images up to `MAX_SCREENSHOT_BYTES` are accepted, checked by their first bytes rather than
by a file name, so a renamed file of another kind is refused with a clear message.
"""

from __future__ import annotations

import uuid

from journal_desktop.domain.records import Attachment, AttachmentOwner
from journal_desktop.storage.errors import VaultError
from journal_desktop.storage.vault import Vault

#: Screenshots are a few hundred KiB; 20 MiB leaves room for a 4K capture and refuses videos.
MAX_SCREENSHOT_BYTES = 20 * 1024 * 1024

_SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


class ScreenshotRejected(VaultError):
    """The file is not a screenshot the vault keeps; nothing was stored."""


def media_type_of(data: bytes) -> str | None:
    """`image/png` or `image/jpeg` from the bytes themselves; None for anything else."""
    for media_type, signature in _SIGNATURES.items():
        if data.startswith(signature):
            return media_type
    return None


def add_screenshot(vault: Vault, trade_id: uuid.UUID, filename: str, data: bytes) -> Attachment:
    """Store an image on a trade, in one transaction with its audit entry."""
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise ScreenshotRejected(
            f"The image is {len(data) / 1024 / 1024:.1f} MiB; screenshots of up to "
            f"{MAX_SCREENSHOT_BYTES // 1024 // 1024} MiB are kept."
        )
    media_type = media_type_of(data)
    if media_type is None:
        raise ScreenshotRejected("Only PNG and JPEG images can be attached to a trade.")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    if not name:
        name = "screenshot.png" if media_type == "image/png" else "screenshot.jpg"
    with vault.transaction():
        vault.trades.require(trade_id)
        return vault.attachments.attach(
            AttachmentOwner.TRADE, trade_id, name[:255], media_type, data
        )


def screenshots(vault: Vault, trade_id: uuid.UUID) -> list[Attachment]:
    return vault.attachments.for_owner(AttachmentOwner.TRADE, trade_id)


def screenshot_bytes(vault: Vault, attachment_id: uuid.UUID) -> bytes:
    return vault.attachments.data(attachment_id)


def delete_screenshot(vault: Vault, attachment_id: uuid.UUID) -> None:
    """Delete the record (a tombstone for sync) and wipe its bytes from the vault."""
    vault.attachments.delete(attachment_id)
