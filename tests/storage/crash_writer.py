"""A child process for test_crash_safety: writes to a vault in a loop until it is killed.

Run as `python -m tests.storage.crash_writer DATA_DIR ROUND` from the repository root, with
the vault's raw key in hex in the environment variable named by KEY_VARIABLE (never on the
command line, where other users could read it). It prints "ready" once the vault is open.

Each trade batch is one transaction of `size` trades whose notes carry the batch's marker and
size, so the parent can check that no batch was ever stored in part. Journal entries are
created, updated and (with whole batches of trades) deleted in their own transactions.
"""

from __future__ import annotations

import dataclasses
import os
import random
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from journal_desktop.domain import JournalEntry, Trade, TradeDirection, TradeStatus
from journal_desktop.storage import Vault, VaultPaths
from journal_desktop.storage.vault import read_metadata

KEY_VARIABLE = "JOURNAL_DESKTOP_TEST_CRASH_KEY"
OPENED = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)


def batch_notes(marker: str, size: int, filler: int) -> str:
    return f"marker={marker} size={size} " + "w" * filler


def main(argv: list[str]) -> None:
    data_dir, round_number = Path(argv[1]), int(argv[2])
    key = bytes.fromhex(os.environ.pop(KEY_VARIABLE))
    paths = VaultPaths(data_dir)
    vault = Vault.open_with_key(paths, read_metadata(paths), key)
    account = vault.accounts.list_all()[0]
    instrument = vault.instruments.list_all()[0]
    rng = random.Random(round_number)
    print("ready", flush=True)

    batch = 0
    previous_batch: list[Trade] = []
    while True:
        batch += 1
        size = rng.randint(1, 25)
        marker = f"r{round_number}b{batch}"
        notes = batch_notes(marker, size, rng.randint(0, 3000))
        stored = vault.trades.add_many(
            [
                Trade(
                    account_id=account.id,
                    instrument_id=instrument.id,
                    direction=TradeDirection.LONG,
                    status=TradeStatus.CLOSED,
                    quantity=Decimal(size),
                    entry_price=Decimal("100.25"),
                    exit_price=Decimal("101.5"),
                    opened_at=OPENED,
                    closed_at=OPENED + timedelta(minutes=batch),
                    net_pnl=Decimal(n) / 100,
                    notes=notes,
                )
                for n in range(size)
            ]
        )
        day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 20))
        entry = vault.journal.for_day(day)
        if entry is None:
            vault.journal.add(JournalEntry(day=day, plan=marker))
        elif batch % 7 == 0:
            vault.journal.delete(entry.id)
        else:
            vault.journal.update(dataclasses.replace(entry, review=f"{entry.review} {marker}"))
        if batch % 5 == 0 and previous_batch:
            with vault.transaction():  # a whole batch deleted at once, or not at all
                for trade in previous_batch:
                    vault.trades.delete(trade.id)
        previous_batch = stored


if __name__ == "__main__":
    main(sys.argv)
