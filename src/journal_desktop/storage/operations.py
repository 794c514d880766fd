"""Small operations over the vault that the CLI and the UI share.

They keep the rules ("one journal entry per day; writing to a day that has one updates it") in
one place, so no front end re-implements them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from journal_desktop.domain.records import JournalEntry, Mood
from journal_desktop.storage.vault import Vault


def write_journal(
    vault: Vault,
    day: date,
    *,
    plan: str | None = None,
    review: str | None = None,
    mood: Mood | None = None,
) -> JournalEntry:
    """Create the day's entry, or change only the given parts of the existing one."""
    with vault.transaction():
        existing = vault.journal.for_day(day)
        if existing is None:
            return vault.journal.add(
                JournalEntry(day=day, plan=plan or "", review=review or "", mood=mood)
            )
        changes: dict[str, Any] = {}
        if plan is not None:
            changes["plan"] = plan
        if review is not None:
            changes["review"] = review
        if mood is not None:
            changes["mood"] = mood
        return vault.journal.update(dataclasses.replace(existing, **changes))
