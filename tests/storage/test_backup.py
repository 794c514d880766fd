"""Encrypted backups: round trips, no plaintext, tamper detection, clean failure, rotation."""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import pytest

from journal_desktop.domain.records import (
    Account,
    AssetClass,
    AttachmentOwner,
    Execution,
    Instrument,
    JournalEntry,
    Mood,
    Side,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.storage import (
    KeyEnvironment,
    KeyStorage,
    Vault,
    VaultPaths,
    backup_format,
    vault_keys,
)
from journal_desktop.storage import backup as backups
from journal_desktop.storage.backup_format import (
    LENGTH,
    MAGIC,
    BackupDamaged,
    KeyKind,
    NotABackup,
    WrongBackupKey,
    WrongBackupPassphrase,
)
from journal_desktop.storage.errors import BackupError, DataDirNotEmpty, DiskFull, VaultError
from tests.fakes import InMemoryKeyringFake
from tests.storage.conftest import TEST_PASSPHRASE, snapshot_files

BACKUP_PASSPHRASE = "a different backup passphrase"
NOTE_CANARY = "ZEBRACANARY breakout above the opening range"
PLAN_CANARY = "PLANCANARY wait for the pullback"
ATTACHMENT_CANARY = b"ATTACHMENTCANARY screenshot bytes"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def fill(vault: Vault, *, big_attachment: bool = False) -> None:
    """Records of every kind, with distinctive text to look for in the backup's bytes."""
    account = vault.accounts.add(Account(name="Main", broker="IBKR", broker_account_id="U123"))
    stock = vault.instruments.add(Instrument(symbol="AAPL", asset_class=AssetClass.STOCK))
    opened = datetime(2024, 2, 1, 14, 30, tzinfo=UTC)
    vault.executions.add(
        Execution(
            account_id=account.id,
            instrument_id=stock.id,
            side=Side.BUY,
            quantity=Decimal("10"),
            price=Decimal("180.25"),
            executed_at=opened,
            broker_execution_id="E1",
        )
    )
    tag = vault.tags.add(Tag(name="breakout", color="#00aa00"))
    trade = vault.trades.add(
        Trade(
            account_id=account.id,
            instrument_id=stock.id,
            direction=TradeDirection.LONG,
            status=TradeStatus.CLOSED,
            quantity=Decimal("10"),
            entry_price=Decimal("180.25"),
            exit_price=Decimal("182.00"),
            opened_at=opened,
            closed_at=opened + timedelta(hours=1),
            net_pnl=Decimal("17.50"),
            notes=NOTE_CANARY,
            tag_ids=(tag.id,),
        )
    )
    vault.journal.add(JournalEntry(day=date(2024, 2, 1), plan=PLAN_CANARY, mood=Mood(4)))
    data = ATTACHMENT_CANARY * 100
    if big_attachment:  # several 1 MiB chunks; random, so it cannot shrink
        data += os.urandom(int(2.5 * 1024 * 1024))
    vault.attachments.attach(AttachmentOwner.TRADE, trade.id, "chart.png", "image/png", data)
    vault.settings.set("ui.theme", "dark")


def contents(vault: Vault) -> dict[str, object]:
    """Everything a trader wrote, in a form that compares with ==."""
    return {
        "accounts": vault.accounts.list_all(include_deleted=True),
        "instruments": vault.instruments.list_all(include_deleted=True),
        "executions": vault.executions.list_all(include_deleted=True),
        "trades": vault.trades.list_all(include_deleted=True),
        "journal": vault.journal.list_all(include_deleted=True),
        "tags": vault.tags.list_all(include_deleted=True),
        "attachments": vault.attachments.list_all(include_deleted=True),
        "attachment_data": [vault.attachments.data(a.id) for a in vault.attachments.list_all()],
        "settings": vault.settings.all(),
    }


def tree(directory: Path) -> tuple[list[str], dict[str, bytes]]:
    """Every entry (folders too) and every file's bytes under `directory`."""
    entries = sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))
    return entries, snapshot_files(directory)


@dataclass(frozen=True)
class SourceBackup:
    """One passphrase backup of a filled vault, made once for the whole module."""

    data: bytes
    vault_id: str
    contents: dict[str, object]
    audit_entries: int


@pytest.fixture(scope="module")
def source_backup(tmp_path_factory: pytest.TempPathFactory) -> SourceBackup:
    root = tmp_path_factory.mktemp("source")
    env = KeyEnvironment(backend=InMemoryKeyringFake())
    with Vault.init(VaultPaths(root / "vault"), env, KeyStorage.KEYCHAIN) as vault:
        fill(vault, big_attachment=True)
        backups.write_backup(vault, root / "full.jdbackup", BACKUP_PASSPHRASE)
        return SourceBackup(
            data=(root / "full.jdbackup").read_bytes(),
            vault_id=vault.metadata.vault_id,
            contents=contents(vault),
            audit_entries=vault.counts().audit_entries,
        )


@pytest.fixture
def area(tmp_path: Path) -> Path:
    """A folder holding the restore target and a neighbour file that must survive."""
    folder = tmp_path / "area"
    folder.mkdir()
    (folder / "neighbour.txt").write_bytes(b"leave me alone")
    return folder


def chunk_frames(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each length-prefixed chunk after the header."""
    (header_length,) = LENGTH.unpack_from(data, len(MAGIC))
    position = len(MAGIC) + LENGTH.size + header_length
    frames = []
    while position < len(data):
        (length,) = LENGTH.unpack_from(data, position)
        frames.append((position, position + LENGTH.size + length))
        position += LENGTH.size + length
    return frames


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def header_offset(data: bytes, marker: bytes, *, last: bool = False) -> int:
    """Where the value after a JSON key starts (first or last occurrence in the header)."""
    find = data.rindex if last else data.index
    return find(marker, 0, chunk_frames(data)[0][0]) + len(marker) + 2


def swap_first_chunks(data: bytes) -> bytes:
    (a0, a1), (b0, b1) = chunk_frames(data)[:2]
    return data[:a0] + data[b0:b1] + data[a0:a1] + data[b1:]


def drop_final_chunk(data: bytes) -> bytes:
    return data[: chunk_frames(data)[-1][0]]


def repeat_first_chunk(data: bytes) -> bytes:
    start, end = chunk_frames(data)[0]
    return data[:end] + data[start:end] + data[end:]


def huge_header_length(data: bytes) -> bytes:
    return MAGIC + LENGTH.pack(0x7FFFFFFF) + data[len(MAGIC) + LENGTH.size :]


def huge_chunk_length(data: bytes) -> bytes:
    start = chunk_frames(data)[1][0]
    return data[:start] + LENGTH.pack(0x7FFFFFFF) + data[start + LENGTH.size :]


ALTERED_HEADER = r"header was altered"
#: How each alteration is made, and the words that show which defence caught it (the restore's
#: own integrity check would catch many of them too, but these must be caught earlier).
TAMPERINGS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "magic bit": (lambda d: flip(d, 3), "not a Journal Desktop backup"),
    "header length bit": (lambda d: flip(d, len(MAGIC) + 3), "header is not valid JSON"),
    "header vault id bit": (
        lambda d: flip(d, header_offset(d, b'"vault_id"', last=True)),
        ALTERED_HEADER,
    ),
    "header created time bit": (
        lambda d: flip(d, header_offset(d, b'"created_at"') + 3),
        ALTERED_HEADER,
    ),
    # A flipped bit in base64 text may leave valid base64 (a different salt) or not.
    "header kdf salt bit": (
        lambda d: flip(d, header_offset(d, b'"salt"') + 1),
        ALTERED_HEADER + "|its key is malformed",
    ),
    "header wrapped key bit": (
        lambda d: flip(d, header_offset(d, b'"wrapped_key"') + 5),
        ALTERED_HEADER + "|its key is malformed",
    ),
    # A copy of the context that the reader ignores: only the header hash can notice this.
    "header unread field bit": (
        lambda d: flip(d, header_offset(d, b'"context"') + 15),
        "chunk 0 failed authentication",
    ),
    "first chunk bit": (
        lambda d: flip(d, chunk_frames(d)[0][0] + LENGTH.size + 100),
        "chunk 0 failed authentication",
    ),
    "middle chunk bit": (
        lambda d: flip(d, chunk_frames(d)[1][1] - 1),
        "chunk 1 failed authentication",
    ),
    "final chunk bit": (lambda d: flip(d, len(d) - 20), r"chunk \d+ failed authentication"),
    "chunk length bit": (
        lambda d: flip(d, chunk_frames(d)[1][0] + 3),
        "chunk 1 has an impossible length",
    ),
    "cut in the header": (lambda d: d[: len(MAGIC) + 40], "ends in the middle of the header"),
    "cut after the header": (lambda d: d[: chunk_frames(d)[0][0]], "final chunk is missing"),
    "cut in a chunk": (
        lambda d: d[: chunk_frames(d)[1][0] + 5000],
        "ends in the middle of chunk 1",
    ),
    "cut at a chunk boundary": (drop_final_chunk, "final chunk is missing"),
    "last byte missing": (lambda d: d[:-1], r"ends in the middle of chunk \d+"),
    "chunks swapped": (swap_first_chunks, "chunk 0 failed authentication"),
    "chunk repeated": (repeat_first_chunk, "chunk 1 failed authentication"),
    "data after the final chunk": (lambda d: d + b"\x00", "data follows the final chunk"),
    "huge header length": (huge_header_length, "header length is out of range"),
    "huge chunk length": (huge_chunk_length, "chunk 1 has an impossible length"),
}


# -- round trips --------------------------------------------------------------------------------


def test_round_trip_restores_every_record_under_a_new_key(
    vault: Vault,
    paths: VaultPaths,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    tmp_path: Path,
) -> None:
    fill(vault)
    expected = contents(vault)
    info = backups.write_backup(vault, tmp_path / "b.jdbackup", BACKUP_PASSPHRASE)
    assert info.key_kind is KeyKind.PASSPHRASE
    assert info.vault_id == vault.metadata.vault_id
    target = VaultPaths(tmp_path / "restored")

    with backups.restore_backup(
        info.path, target, key_env, backup_passphrase=BACKUP_PASSPHRASE
    ) as restored:
        assert contents(restored) == expected
        assert [t.id for t in restored.trades.search_notes("ZEBRACANARY")] == [
            t.id for t in vault.trades.list_all()
        ]
        assert restored.audit.verify().ok
        assert restored.counts().audit_entries == vault.counts().audit_entries + 1
        event = restored.audit.entries(limit=1)[0]
        assert event.action == "key"
        assert event.new is not None
        assert event.new["event"] == "vault restored from backup"
        assert event.new["source_vault_id"] == vault.metadata.vault_id
        assert event.new["backup_created_at"].startswith(info.created_at.strftime("%Y-%m-%dT"))
        assert restored.metadata.vault_id != vault.metadata.vault_id
        assert restored.device_id != vault.device_id
        new_key = vault_keys.load_key(target, restored.metadata, key_env)
    old_key = vault_keys.load_key(paths, vault.metadata, key_env)
    assert new_key != old_key
    assert new_key.hex() not in str(event.new)
    assert len(fake_keyring.entries) == 2

    with Vault.open(target, key_env) as reopened:  # vault.json and keychain entry are in place
        assert contents(reopened) == expected


def test_restore_in_passphrase_key_mode(
    source_backup: SourceBackup,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    tmp_path: Path,
) -> None:
    source = tmp_path / "b.jdbackup"
    source.write_bytes(source_backup.data)
    target = VaultPaths(tmp_path / "restored")

    restored = backups.restore_backup(
        source,
        target,
        key_env,
        backup_passphrase=BACKUP_PASSPHRASE,
        key_storage=KeyStorage.PASSPHRASE,
    )
    restored.close()

    assert restored.metadata.key_storage is KeyStorage.PASSPHRASE
    assert target.key_file.exists()
    assert fake_keyring.entries == {}
    with Vault.open(target, key_env) as reopened:  # opens with TEST_PASSPHRASE
        assert contents(reopened) == source_backup.contents
        assert reopened.counts().audit_entries == source_backup.audit_entries + 1
    assert TEST_PASSPHRASE != BACKUP_PASSPHRASE


# -- no plaintext -------------------------------------------------------------------------------


def test_backup_file_holds_no_plaintext(source_backup: SourceBackup) -> None:
    for text in (NOTE_CANARY.encode(), PLAN_CANARY.encode(), ATTACHMENT_CANARY, b"AAPL"):
        assert text not in source_backup.data
    assert b"SQLite format 3" not in source_backup.data


def test_the_temporary_snapshot_on_disk_is_encrypted(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(vault)
    seen: list[bytes] = []
    original = backups._read_pieces

    def spy(source: BinaryIO, size: int) -> Iterator[bytes]:
        for piece in original(source, size):
            seen.append(piece)
            yield piece

    monkeypatch.setattr(backups, "_read_pieces", spy)
    backups.write_backup(vault, tmp_path / "b.jdbackup", BACKUP_PASSPHRASE)

    on_disk = b"".join(seen)
    assert len(on_disk) > 4096
    assert not on_disk.startswith(b"SQLite format 3")
    for text in (NOTE_CANARY.encode(), PLAN_CANARY.encode(), ATTACHMENT_CANARY, b"CREATE TABLE"):
        assert text not in on_disk


def test_equal_chunks_are_sealed_differently_and_read_back() -> None:
    """Each chunk has its own nonce: equal pieces must not give equal ciphertext."""
    data_key = os.urandom(32)
    header = backup_format.new_header(
        vault_id="v", schema_version=1, created_at=T0, data_key=data_key, vault_key=os.urandom(32)
    )
    piece = b"the same text " * 1000
    frames = list(backup_format.encrypt_stream(header, data_key, [piece, piece, piece]))

    assert len({frame[LENGTH.size : -backup_format.TAG_BYTES] for frame in frames[1:]}) == 3
    stream = io.BytesIO(b"".join(frames))
    read, digest = backup_format.read_header(stream)
    assert read == header
    assert list(backup_format.decrypt_stream(stream, read, digest, data_key)) == [piece] * 3


# -- damaged, altered, wrong secrets ------------------------------------------------------------


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_tampered_backup_is_refused_and_changes_nothing(
    tampering: str,
    source_backup: SourceBackup,
    area: Path,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    tmp_path: Path,
) -> None:
    alter, expected = TAMPERINGS[tampering]
    assert len(chunk_frames(source_backup.data)) >= 3
    damaged = alter(source_backup.data)
    assert damaged != source_backup.data
    source = tmp_path / "damaged.jdbackup"
    source.write_bytes(damaged)
    target = VaultPaths(area / "restored")
    if tampering.startswith("header"):
        target.data_dir.mkdir()  # an existing empty folder must stay empty, too
    before = tree(area)

    with pytest.raises(BackupError, match=expected) as caught:
        backups.restore_backup(source, target, key_env, backup_passphrase=BACKUP_PASSPHRASE)

    assert tree(area) == before
    assert fake_keyring.entries == {}
    if isinstance(caught.value, BackupDamaged):
        assert "nothing was restored" in str(caught.value)


def test_wrong_backup_passphrase(
    source_backup: SourceBackup,
    area: Path,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    tmp_path: Path,
) -> None:
    source = tmp_path / "b.jdbackup"
    source.write_bytes(source_backup.data)
    before = tree(area)

    with pytest.raises(WrongBackupPassphrase, match="backup passphrase is wrong"):
        backups.restore_backup(
            source, VaultPaths(area / "restored"), key_env, backup_passphrase="not it"
        )

    assert tree(area) == before
    assert fake_keyring.entries == {}


def test_failure_after_the_key_is_stored_removes_everything(
    source_backup: SourceBackup,
    area: Path,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "b.jdbackup"
    source.write_bytes(source_backup.data)
    target = VaultPaths(area / "restored")
    target.data_dir.mkdir()
    before = tree(area)
    stored: list[str] = []

    def failing_migrate(*_: object) -> int:
        stored.extend(name for _, name in fake_keyring.entries)
        assert target.database.exists()
        raise DiskFull()

    monkeypatch.setattr(backups, "migrate", failing_migrate)
    with pytest.raises(DiskFull):
        backups.restore_backup(source, target, key_env, backup_passphrase=BACKUP_PASSPHRASE)

    assert len(stored) == 1  # the key really was in the keychain when it failed
    assert tree(area) == before
    assert fake_keyring.entries == {}


def test_restore_refuses_a_folder_that_is_not_empty(
    source_backup: SourceBackup, key_env: KeyEnvironment, tmp_path: Path
) -> None:
    source = tmp_path / "b.jdbackup"
    source.write_bytes(source_backup.data)
    target = VaultPaths(tmp_path / "occupied")
    target.data_dir.mkdir()
    (target.data_dir / "notes.txt").write_bytes(b"mine")
    before = tree(target.data_dir)

    with pytest.raises(DataDirNotEmpty):
        backups.restore_backup(source, target, key_env, backup_passphrase=BACKUP_PASSPHRASE)

    assert tree(target.data_dir) == before


def test_a_file_that_is_not_a_backup(key_env: KeyEnvironment, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"just some notes\n" * 10)
    with pytest.raises(NotABackup):
        backups.read_backup_info(source)
    with pytest.raises(NotABackup):
        backups.restore_backup(source, VaultPaths(tmp_path / "r"), key_env, backup_passphrase="x")
    assert not (tmp_path / "r").exists()


def test_read_backup_info_needs_no_secret(source_backup: SourceBackup, tmp_path: Path) -> None:
    source = tmp_path / "b.jdbackup"
    source.write_bytes(source_backup.data)
    info = backups.read_backup_info(source)
    assert info.vault_id == source_backup.vault_id
    assert info.key_kind is KeyKind.PASSPHRASE
    assert info.schema_version >= 1
    assert info.size == len(source_backup.data)
    assert abs(datetime.now(UTC) - info.created_at) < timedelta(hours=1)


# -- writing failures ---------------------------------------------------------------------------


def test_write_into_a_missing_folder_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    before = tree(tmp_path)
    with pytest.raises(BackupError, match="does not exist"):
        backups.write_backup(vault, tmp_path / "missing" / "b.jdbackup", BACKUP_PASSPHRASE)
    assert tree(tmp_path) == before


def test_failure_while_writing_leaves_no_temp_file(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def disk_fills(source: BinaryIO, size: int) -> Iterator[bytes]:
        yield b"x" * size
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups, "_read_pieces", disk_fills)
    with pytest.raises(DiskFull):
        backups.write_backup(vault, out / "b.jdbackup", BACKUP_PASSPHRASE)
    assert list(out.iterdir()) == []


def test_write_refuses_to_replace_an_existing_file(vault: Vault, tmp_path: Path) -> None:
    target = tmp_path / "b.jdbackup"
    target.write_bytes(b"an older backup")
    with pytest.raises(BackupError, match="already exists"):
        backups.write_backup(vault, target, BACKUP_PASSPHRASE)
    assert target.read_bytes() == b"an older backup"


# -- automatic local backups --------------------------------------------------------------------


@pytest.fixture
def vault_key(vault: Vault, paths: VaultPaths, key_env: KeyEnvironment) -> bytes:
    return vault_keys.load_key(paths, vault.metadata, key_env)


def test_local_backups_rotate_to_keep(vault: Vault, paths: VaultPaths, vault_key: bytes) -> None:
    written = [
        backups.write_local_backup(vault, vault_key, keep=2, now=T0 + timedelta(hours=i))
        for i in range(4)
    ]

    remaining = backups.list_backups(paths)
    assert [b.path for b in remaining] == [written[3], written[2]]
    assert sorted(paths.backups_dir.iterdir()) == sorted(written[2:])
    assert written[3].name == "auto-20240301T150000Z.jdbackup"
    assert remaining[0].created_at == T0 + timedelta(hours=3)
    assert stat.S_IMODE(paths.backups_dir.stat().st_mode) == 0o700
    assert backups.read_backup_info(written[3]).key_kind is KeyKind.VAULT


def test_local_backups_in_the_same_second_get_distinct_names(
    vault: Vault, paths: VaultPaths, vault_key: bytes
) -> None:
    first = backups.write_local_backup(vault, vault_key, now=T0)
    second = backups.write_local_backup(vault, vault_key, now=T0 + timedelta(milliseconds=5))
    assert first != second
    assert [b.path for b in backups.list_backups(paths)] == [second, first]


def test_newest_backup_age_comes_from_the_header_not_mtime(
    vault: Vault, paths: VaultPaths, vault_key: bytes
) -> None:
    assert backups.newest_backup_age(paths) is None
    older = backups.write_local_backup(vault, vault_key, now=T0)
    newer = backups.write_local_backup(vault, vault_key, now=T0 + timedelta(hours=1))
    os.utime(newer, (0, 0))  # a copy from another disk, say
    os.utime(older, (2_000_000_000, 2_000_000_000))

    assert backups.newest_backup_age(paths, now=T0 + timedelta(hours=3)) == timedelta(hours=2)


def test_maybe_auto_backup_respects_the_interval(
    vault: Vault, paths: VaultPaths, vault_key: bytes
) -> None:
    first = backups.maybe_auto_backup(vault, vault_key, now=T0)
    assert first is not None
    assert backups.maybe_auto_backup(vault, vault_key, now=T0 + timedelta(hours=23)) is None
    second = backups.maybe_auto_backup(vault, vault_key, now=T0 + timedelta(hours=24))
    assert second is not None
    short = backups.maybe_auto_backup(
        vault, vault_key, interval=timedelta(minutes=30), now=T0 + timedelta(hours=25)
    )
    assert short is not None
    assert len(backups.list_backups(paths)) == 3


def test_the_vaults_schedule_sets_the_interval(
    vault: Vault, paths: VaultPaths, vault_key: bytes
) -> None:
    assert backups.auto_backup_hours(vault) == 24  # nothing chosen: daily
    backups.set_auto_backup_hours(vault, 168)
    assert backups.maybe_auto_backup(vault, vault_key, now=T0) is not None
    assert backups.maybe_auto_backup(vault, vault_key, now=T0 + timedelta(days=6)) is None
    assert backups.maybe_auto_backup(vault, vault_key, now=T0 + timedelta(days=7)) is not None
    backups.set_auto_backup_hours(vault, 0)
    assert backups.maybe_auto_backup(vault, vault_key, now=T0 + timedelta(days=30)) is None
    assert len(backups.list_backups(paths)) == 2
    with pytest.raises(ValueError, match="every"):
        backups.set_auto_backup_hours(vault, 5)
    vault.settings.set(backups.AUTO_BACKUP_SETTING, "soon")  # unreadable: daily
    assert backups.auto_backup_hours(vault) == 24


def test_the_open_vault_holds_its_key_until_closed(
    vault: Vault, paths: VaultPaths, vault_key: bytes, key_env: KeyEnvironment
) -> None:
    assert vault.open_key == vault_key
    with Vault.open(paths, key_env) as second:
        assert second.open_key == vault_key
    with pytest.raises(VaultError, match="closed"):
        _ = second.open_key


def test_local_backup_refuses_a_key_that_is_not_the_vaults(vault: Vault, paths: VaultPaths) -> None:
    with pytest.raises(BackupError, match="not this vault's key"):
        backups.write_local_backup(vault, os.urandom(32))
    assert backups.list_backups(paths) == []


def test_restore_a_local_backup_with_the_vault_key(
    vault: Vault,
    vault_key: bytes,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    area: Path,
) -> None:
    fill(vault)
    local = backups.write_local_backup(vault, vault_key)
    target = VaultPaths(area / "restored")
    before = tree(area)
    entries = dict(fake_keyring.entries)

    with pytest.raises(BackupError, match="vault's key rather than a passphrase"):
        backups.restore_backup(local, target, key_env, backup_passphrase=BACKUP_PASSPHRASE)
    with pytest.raises(WrongBackupKey):
        backups.restore_backup(local, target, key_env, vault_key=os.urandom(32))
    assert tree(area) == before
    assert fake_keyring.entries == entries

    with backups.restore_backup(local, target, key_env, vault_key=vault_key) as restored:
        assert contents(restored) == contents(vault)
        assert restored.audit.verify().ok
        assert vault_keys.load_key(target, restored.metadata, key_env) != vault_key


def test_a_passphrase_backup_needs_its_passphrase(
    source_backup: SourceBackup, key_env: KeyEnvironment, tmp_path: Path
) -> None:
    source = tmp_path / "b.jdbackup"
    source.write_bytes(source_backup.data)
    with pytest.raises(BackupError, match="protected by a backup passphrase"):
        backups.restore_backup(
            source, VaultPaths(tmp_path / "r"), key_env, vault_key=os.urandom(32)
        )
    assert not (tmp_path / "r").exists()
