"""The device's clock is stored with every change, so a crash cannot make stamps go back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from journal_desktop.domain.hlc import Hlc
from journal_desktop.domain.records import JournalEntry, Tag
from journal_desktop.storage import KeyEnvironment, Vault, VaultPaths
from journal_desktop.storage.repositories.base import CLOCK_SETTING


def test_every_write_stores_the_newest_stamp(vault: Vault) -> None:
    tag = vault.tags.add(Tag(name="Opening drive"))
    assert vault.settings.get(CLOCK_SETTING) == max(tag.stamps.values())
    entry = vault.journal.add(JournalEntry(day=date(2026, 3, 2), plan="plan"))
    assert vault.settings.get(CLOCK_SETTING) == max(entry.stamps.values())


def test_stamps_after_a_crash_sort_after_stored_ones(
    vault: Vault, paths: VaultPaths, key_env: KeyEnvironment
) -> None:
    far_future = Hlc(9_000_000_000_000, 5, vault.device_id)
    vault.clock.observe(far_future)  # as if an earlier run's clock had run far ahead
    stored = vault.tags.add(Tag(name="Breakout"))
    # No clean close: drop the connection the way a killed process would.
    vault.db.raw.close()

    reopened = Vault.open(paths, key_env)
    try:
        later = reopened.tags.add(Tag(name="Reversal"))
        assert min(later.stamps.values()) > max(stored.stamps.values())
    finally:
        reopened.close()


def test_naive_times_are_refused_in_queries(vault: Vault) -> None:
    with pytest.raises(ValueError, match="time zone"):
        vault.trades.closed_between(datetime(2026, 1, 1), datetime(2026, 2, 1))
