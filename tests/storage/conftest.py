from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from journal_desktop.domain import (
    Account,
    AssetClass,
    Instrument,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths, key_wrapping
from tests.fakes import InMemoryKeyringFake

TEST_PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def fake_keyring() -> InMemoryKeyringFake:
    return InMemoryKeyringFake()


@pytest.fixture
def key_env(fake_keyring: InMemoryKeyringFake) -> KeyEnvironment:
    return KeyEnvironment(backend=fake_keyring, passphrase=lambda: TEST_PASSPHRASE)


@pytest.fixture
def paths(tmp_path: Path) -> VaultPaths:
    return VaultPaths(tmp_path / "vault")


@pytest.fixture
def vault(paths: VaultPaths, key_env: KeyEnvironment) -> Iterator[Vault]:
    v = Vault.init(paths, key_env, KeyStorage.KEYCHAIN)
    try:
        yield v
    finally:
        v.close()


def snapshot_files(directory: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes, to prove a failure changed nothing."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def real_keychain_required() -> bool:
    return os.environ.get("JOURNAL_DESKTOP_TEST_KEYCHAIN") == "1"


@dataclass(frozen=True, slots=True)
class Position:
    """A stored account and instrument that trades and executions can point at."""

    account: Account
    instrument: Instrument


@pytest.fixture
def position(vault: Vault) -> Position:
    account = vault.accounts.add(Account(name="Main", broker="IBKR", broker_account_id="U1"))
    instrument = vault.instruments.add(Instrument(symbol="ES", asset_class=AssetClass.FUTURE))
    return Position(account, instrument)


TRADE_OPENED = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)


def make_trade(position: Position, **changes: Any) -> Trade:
    """A closed long trade on the position; `changes` override any field."""
    values: dict[str, Any] = {
        "account_id": position.account.id,
        "instrument_id": position.instrument.id,
        "direction": TradeDirection.LONG,
        "status": TradeStatus.CLOSED,
        "quantity": Decimal(2),
        "entry_price": Decimal("5120.25"),
        "exit_price": Decimal("5124.75"),
        "opened_at": TRADE_OPENED,
        "closed_at": TRADE_OPENED + timedelta(minutes=20),
        "gross_pnl": Decimal(450),
        "fees": Decimal("4.2"),
        "net_pnl": Decimal("445.8"),
    }
    values.update(changes)
    return Trade(**values)


__all__ = [
    "TEST_PASSPHRASE",
    "TRADE_OPENED",
    "Position",
    "key_wrapping",
    "make_trade",
    "real_keychain_required",
    "snapshot_files",
]
