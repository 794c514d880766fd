"""Tag or untag many trades at once, all or nothing.

Bulk tagging goes through the repositories, trade by trade, inside one transaction: each
changed trade gets its new version, its field stamp (so the tag merges correctly on sync) and
its audit entry, exactly as a single edit would, and a failure half-way leaves every trade as
it was. Trades that already have (or lack) the tag are left untouched, so no empty versions
or audit entries are written.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from journal_desktop.domain.records import InvalidRecord, Tag
from journal_desktop.storage.vault import Vault


@dataclass(frozen=True, slots=True)
class TaggingResult:
    """What a bulk tag or untag did."""

    #: The tag, or None when untagging by a name no tag has.
    tag: Tag | None
    #: True when adding created the tag.
    created_tag: bool
    #: Trades that changed.
    changed: int
    #: Trades that already had (adding) or did not have (removing) the tag.
    unchanged: int
    #: Ids that name no live trade (deleted meanwhile, say).
    missing: int


#: Called as (done, total) while many trades are tagged; may raise to cancel (all rolls back).
ProgressCallback = Callable[[int, int], None]


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidRecord("a tag's name must not be empty")
    return cleaned


def add_tag(
    vault: Vault,
    trade_ids: Iterable[uuid.UUID],
    name: str,
    *,
    color: str = "",
    progress: ProgressCallback | None = None,
) -> TaggingResult:
    """Give each trade the tag `name` (matched without regard to case; created if new)."""
    ids = list(dict.fromkeys(trade_ids))
    cleaned = _clean_name(name)
    with vault.transaction():
        tag = vault.tags.by_name(cleaned)
        created = tag is None
        if tag is None:
            tag = vault.tags.add(Tag(name=cleaned, color=color))
        changed = unchanged = missing = 0
        for done, trade_id in enumerate(ids):
            if progress is not None:
                progress(done, len(ids))
            trade = vault.trades.get(trade_id)
            if trade is None:
                missing += 1
            elif tag.id in trade.tag_ids:
                unchanged += 1
            else:
                vault.trades.update(dataclasses.replace(trade, tag_ids=(*trade.tag_ids, tag.id)))
                changed += 1
    return TaggingResult(tag, created, changed, unchanged, missing)


def remove_tag(
    vault: Vault,
    trade_ids: Iterable[uuid.UUID],
    name: str,
    *,
    progress: ProgressCallback | None = None,
) -> TaggingResult:
    """Take the tag `name` off each trade; the tag itself stays for other trades."""
    ids = list(dict.fromkeys(trade_ids))
    cleaned = _clean_name(name)
    with vault.transaction():
        tag = vault.tags.by_name(cleaned)
        if tag is None:
            return TaggingResult(None, False, 0, len(ids), 0)
        changed = unchanged = missing = 0
        for done, trade_id in enumerate(ids):
            if progress is not None:
                progress(done, len(ids))
            trade = vault.trades.get(trade_id)
            if trade is None:
                missing += 1
            elif tag.id not in trade.tag_ids:
                unchanged += 1
            else:
                remaining = tuple(t for t in trade.tag_ids if t != tag.id)
                vault.trades.update(dataclasses.replace(trade, tag_ids=remaining))
                changed += 1
    return TaggingResult(tag, False, changed, unchanged, missing)


def tag_names(vault: Vault) -> list[str]:
    """Every live tag's name, sorted as a trader reads them (for pickers)."""
    return sorted((t.name for t in vault.tags.list_all()), key=str.casefold)
