"""Creating and opening a vault: keys, refusals, damaged files, full disks and migrations.

Whenever opening fails, the files must be exactly as they were: a vault that cannot be opened
is never "repaired" into a new empty one.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from keyring.backends.chainer import ChainerBackend

from journal_desktop.domain import Account, AttachmentOwner, JournalEntry, Tag
from journal_desktop.storage import KeyEnvironment, KeyStorage, Vault, VaultPaths, vault_keys
from journal_desktop.storage.database import PLAIN_SQLITE_HEADER, Database
from journal_desktop.storage.errors import (
    DiskFull,
    KeychainEntryMissing,
    KeychainUnavailable,
    NewerSchema,
    NotAVault,
    VaultAlreadyExists,
    VaultDamaged,
    VaultError,
    VaultNotFound,
    WeakKeyParameters,
    WrongKey,
    WrongPassphrase,
)
from journal_desktop.storage.keychain import is_secure_backend
from journal_desktop.storage.migrations import LATEST_VERSION, MIGRATIONS, Migration, runner
from journal_desktop.storage.vault import read_metadata
from tests.fakes import InMemoryKeyringFake, InsecureKeyringFake
from tests.storage.conftest import TEST_PASSPHRASE, Position, make_trade, snapshot_files


def passphrase_env(passphrase: str = TEST_PASSPHRASE) -> KeyEnvironment:
    return KeyEnvironment(backend=InsecureKeyringFake(), passphrase=lambda: passphrase)


def key_of(paths: VaultPaths, env: KeyEnvironment) -> bytes:
    return vault_keys.load_key(paths, read_metadata(paths), env)


def files_containing(directory: Path, needle: bytes) -> list[str]:
    return [name for name, data in snapshot_files(directory).items() if needle in data]


# -- passphrase mode: one vault made per module (Argon2id at the real floor is slow) ----------


@pytest.fixture(scope="module")
def passphrase_template(tmp_path_factory: pytest.TempPathFactory) -> VaultPaths:
    paths = VaultPaths(tmp_path_factory.mktemp("template") / "vault")
    # An insecure keyring: init must choose passphrase mode by itself.
    env = passphrase_env()
    with Vault.init(paths, env) as vault:
        vault.tags.add(Tag(name="kept"))
    assert isinstance(env.backend, InsecureKeyringFake)
    assert env.backend.entries == {}
    return paths


@pytest.fixture
def passphrase_paths(passphrase_template: VaultPaths, tmp_path: Path) -> VaultPaths:
    paths = VaultPaths(tmp_path / "copy")
    shutil.copytree(passphrase_template.data_dir, paths.data_dir)
    return paths


def edit_key_file(paths: VaultPaths, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(paths.key_file.read_bytes())
    change(document)
    paths.key_file.write_text(json.dumps(document))


def test_an_insecure_keyring_makes_init_choose_a_passphrase(passphrase_paths: VaultPaths) -> None:
    metadata = read_metadata(passphrase_paths)
    assert metadata.key_storage is KeyStorage.PASSPHRASE
    assert passphrase_paths.key_file.exists()


def test_passphrase_mode_by_choice_keeps_the_keychain_empty(
    paths: VaultPaths, fake_keyring: InMemoryKeyringFake
) -> None:
    env = KeyEnvironment(backend=fake_keyring, passphrase=lambda: TEST_PASSPHRASE)
    assert env.keychain_is_secure
    Vault.init(paths, env, KeyStorage.PASSPHRASE).close()
    assert read_metadata(paths).key_storage is KeyStorage.PASSPHRASE
    assert paths.key_file.exists()
    assert fake_keyring.entries == {}


def test_passphrase_key_file_uses_argon2id_at_or_above_the_floor(
    passphrase_paths: VaultPaths,
) -> None:
    document = json.loads(passphrase_paths.key_file.read_bytes())
    kdf = document["kdf"]
    assert kdf["name"] == "argon2id"
    assert kdf["memory_kib"] >= 64 * 1024
    assert kdf["iterations"] >= 3
    assert len(base64.b64decode(kdf["salt"])) >= 16
    assert document["cipher"] == "aes-256-gcm"
    if os.name == "posix":
        assert passphrase_paths.key_file.stat().st_mode & 0o077 == 0


def test_the_key_is_nowhere_in_plain_text(passphrase_paths: VaultPaths) -> None:
    key = key_of(passphrase_paths, passphrase_env())
    assert len(key) == 32
    for needle in (
        key,
        key.hex().encode(),
        key.hex().upper().encode(),
        base64.b64encode(key),
        base64.urlsafe_b64encode(key),
    ):
        assert files_containing(passphrase_paths.data_dir, needle) == []


def test_the_right_passphrase_opens_the_vault(passphrase_paths: VaultPaths) -> None:
    with Vault.open(passphrase_paths, passphrase_env()) as vault:
        assert vault.tags.by_name("kept") is not None


def test_a_wrong_passphrase_is_refused_and_changes_nothing(passphrase_paths: VaultPaths) -> None:
    before = snapshot_files(passphrase_paths.data_dir)
    with pytest.raises(WrongPassphrase):
        Vault.open(passphrase_paths, passphrase_env("Correct horse battery staple"))
    assert snapshot_files(passphrase_paths.data_dir) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("memory_kib", 1024), ("memory_kib", 64 * 1024 - 1), ("iterations", 1), ("iterations", 2)],
)
def test_lowered_kdf_parameters_are_refused(
    passphrase_paths: VaultPaths, field: str, value: int
) -> None:
    edit_key_file(passphrase_paths, lambda d: d["kdf"].__setitem__(field, value))
    before = snapshot_files(passphrase_paths.data_dir)
    with pytest.raises(WeakKeyParameters):
        Vault.open(passphrase_paths, passphrase_env())
    assert snapshot_files(passphrase_paths.data_dir) == before


def _flip_first_byte(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("wrapped_key", _flip_first_byte(d["wrapped_key"])),
        lambda d: d["kdf"].__setitem__("salt", _flip_first_byte(d["kdf"]["salt"])),
        lambda d: d.__setitem__("nonce", _flip_first_byte(d["nonce"])),
    ],
    ids=["wrapped key", "salt", "nonce"],
)
def test_a_tampered_key_file_is_refused(
    passphrase_paths: VaultPaths, change: Callable[[dict[str, Any]], None]
) -> None:
    edit_key_file(passphrase_paths, change)
    before = snapshot_files(passphrase_paths.data_dir)
    with pytest.raises(WrongPassphrase):
        Vault.open(passphrase_paths, passphrase_env())
    assert snapshot_files(passphrase_paths.data_dir) == before


@pytest.mark.parametrize(
    "content",
    [
        b"not json at all",
        b'{"format": "something-else/1"}',
        b"[]",
        b'{"format": "journal-desktop-key/1", "cipher": "rot13"}',
        b'{"format": "journal-desktop-key/1", "cipher": "aes-256-gcm", "kdf": {"name": "pbkdf2"}}',
    ],
    ids=["not json", "other format", "a list", "unknown cipher", "unknown kdf"],
)
def test_a_malformed_key_file_is_not_a_vault(passphrase_paths: VaultPaths, content: bytes) -> None:
    passphrase_paths.key_file.write_bytes(content)
    before = snapshot_files(passphrase_paths.data_dir)
    with pytest.raises(NotAVault):
        Vault.open(passphrase_paths, passphrase_env())
    assert snapshot_files(passphrase_paths.data_dir) == before


def test_a_missing_key_file_is_not_a_vault(passphrase_paths: VaultPaths) -> None:
    passphrase_paths.key_file.unlink()
    before = snapshot_files(passphrase_paths.data_dir)
    with pytest.raises(NotAVault, match=r"journal\.key"):
        Vault.open(passphrase_paths, passphrase_env())
    assert snapshot_files(passphrase_paths.data_dir) == before


# -- keychain mode (fake keychain) ----------------------------------------------------------


def test_init_in_keychain_mode_keeps_the_key_only_in_the_keychain(
    vault: Vault, fake_keyring: InMemoryKeyringFake, key_env: KeyEnvironment
) -> None:
    vault.close()
    key = key_of(vault.paths, key_env)
    entry = ("journal-desktop", f"vault-{vault.metadata.vault_id}")
    assert fake_keyring.entries == {entry: key.hex()}
    assert not vault.paths.key_file.exists()
    for needle in (key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)):
        assert files_containing(vault.paths.data_dir, needle) == []


def test_init_refuses_an_existing_vault(vault: Vault, key_env: KeyEnvironment) -> None:
    vault.close()
    before = snapshot_files(vault.paths.data_dir)
    for storage in (None, KeyStorage.KEYCHAIN, KeyStorage.PASSPHRASE):
        with pytest.raises(VaultAlreadyExists):
            Vault.init(vault.paths, key_env, storage)
    assert snapshot_files(vault.paths.data_dir) == before


@pytest.mark.parametrize("name", ["journal.db", "vault.json", "journal.key"])
def test_init_refuses_a_folder_holding_any_vault_file(
    paths: VaultPaths,
    key_env: KeyEnvironment,
    fake_keyring: InMemoryKeyringFake,
    name: str,
) -> None:
    paths.data_dir.mkdir(parents=True)
    (paths.data_dir / name).write_bytes(os.urandom(4096))
    before = snapshot_files(paths.data_dir)
    with pytest.raises(VaultAlreadyExists):
        Vault.init(paths, key_env, KeyStorage.KEYCHAIN)
    assert snapshot_files(paths.data_dir) == before
    assert fake_keyring.entries == {}


def test_a_failed_init_leaves_nothing_behind(
    paths: VaultPaths, fake_keyring: InMemoryKeyringFake
) -> None:
    env = KeyEnvironment(backend=fake_keyring, passphrase=None)  # cannot ask for a passphrase
    with pytest.raises(VaultError):
        Vault.init(paths, env, KeyStorage.PASSPHRASE)
    assert not paths.data_dir.exists() or snapshot_files(paths.data_dir) == {}
    assert fake_keyring.entries == {}


def test_a_missing_keychain_entry_is_reported_and_changes_nothing(
    vault: Vault, fake_keyring: InMemoryKeyringFake, key_env: KeyEnvironment
) -> None:
    vault.close()
    fake_keyring.entries.clear()
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(KeychainEntryMissing, match=vault.metadata.vault_id):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


def test_a_keychain_holding_another_vaults_key_is_refused(
    tmp_path: Path, vault: Vault, fake_keyring: InMemoryKeyringFake, key_env: KeyEnvironment
) -> None:
    other = Vault.init(VaultPaths(tmp_path / "other"), key_env, KeyStorage.KEYCHAIN)
    other.close()
    vault.close()
    other_key = key_of(other.paths, key_env)
    fake_keyring.entries[("journal-desktop", f"vault-{vault.metadata.vault_id}")] = other_key.hex()
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(WrongKey):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


@pytest.mark.parametrize("value", ["not hex", "abcd", "00" * 33])
def test_a_garbled_keychain_entry_is_refused(
    vault: Vault, fake_keyring: InMemoryKeyringFake, key_env: KeyEnvironment, value: str
) -> None:
    vault.close()
    fake_keyring.entries[("journal-desktop", f"vault-{vault.metadata.vault_id}")] = value
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises((KeychainEntryMissing, WrongKey)):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


def test_keychain_mode_on_an_insecure_keyring_is_refused(paths: VaultPaths) -> None:
    env = passphrase_env()
    with pytest.raises(KeychainUnavailable):
        Vault.init(paths, env, KeyStorage.KEYCHAIN)
    assert not paths.exists()
    assert not paths.key_file.exists()
    assert isinstance(env.backend, InsecureKeyringFake)
    assert env.backend.entries == {}


# -- judging keyring backends ---------------------------------------------------------------


def _backend_from(module: str) -> object:
    cls = type("Keyring", (), {"__module__": module})
    return cls()


def test_keyring_fail_backend_is_insecure() -> None:
    assert is_secure_backend(keyring.backends.fail.Keyring()) is False


@pytest.mark.parametrize(
    "module",
    ["keyrings.alt.file", "keyrings.alt.Gnome", "keyring.backends.null", "my_company.keyring"],
)
def test_plain_text_and_unknown_backends_are_insecure(module: str) -> None:
    assert is_secure_backend(_backend_from(module)) is False


@pytest.mark.parametrize(
    "module",
    [
        "keyring.backends.SecretService",
        "keyring.backends.libsecret",
        "keyring.backends.macOS",
        "keyring.backends.Windows",
        "keyring.backends.kwallet",
    ],
)
def test_os_keychains_are_secure(module: str) -> None:
    assert is_secure_backend(_backend_from(module)) is True


def test_the_real_secret_service_class_is_secure() -> None:
    from keyring.backends import SecretService

    assert is_secure_backend(SecretService.Keyring()) is True


@pytest.mark.parametrize(
    ("members", "secure"),
    [
        (["keyring.backends.SecretService", "keyrings.alt.file"], True),
        (["keyrings.alt.file", "keyring.backends.SecretService"], False),
        (["keyring.backends.fail"], False),
        ([], False),
    ],
    ids=["secure first", "plain text first", "fail only", "empty"],
)
def test_a_chainer_is_judged_by_its_first_member(
    monkeypatch: pytest.MonkeyPatch, members: list[str], secure: bool
) -> None:
    monkeypatch.setattr(ChainerBackend, "backends", [_backend_from(m) for m in members])
    chainer = ChainerBackend()
    assert type(chainer).__module__ == "keyring.backends.chainer"
    assert is_secure_backend(chainer) is secure


# -- files that are not a vault --------------------------------------------------------------


def test_an_empty_folder_has_no_vault(paths: VaultPaths, key_env: KeyEnvironment) -> None:
    with pytest.raises(VaultNotFound):
        Vault.open(paths, key_env)
    assert not paths.data_dir.exists()


def test_a_plain_sqlite_database_is_not_a_vault(vault: Vault, key_env: KeyEnvironment) -> None:
    vault.close()
    vault.paths.database.unlink()
    plain = sqlite3.connect(vault.paths.database)
    plain.execute("CREATE TABLE trades (notes TEXT)")
    plain.commit()
    plain.close()
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(NotAVault, match="plain"):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


@pytest.mark.parametrize("size", [4096 * 8, 100_000])
def test_random_bytes_are_refused_untouched(
    vault: Vault, key_env: KeyEnvironment, size: int
) -> None:
    vault.close()
    vault.paths.database.write_bytes(os.urandom(size))
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises((VaultDamaged, NotAVault)):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


@pytest.mark.parametrize("content", [b"", b"short"], ids=["empty", "truncated"])
def test_an_empty_or_truncated_database_is_not_a_vault(
    vault: Vault, key_env: KeyEnvironment, content: bytes
) -> None:
    vault.close()
    vault.paths.database.write_bytes(content)
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(NotAVault):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


def test_a_missing_database_is_not_a_vault(vault: Vault, key_env: KeyEnvironment) -> None:
    vault.close()
    vault.paths.database.unlink()
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(NotAVault, match=r"journal\.db"):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


def test_missing_metadata_beside_a_database_is_not_a_vault(
    vault: Vault, key_env: KeyEnvironment
) -> None:
    vault.close()
    vault.paths.metadata.unlink()
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(NotAVault, match=r"vault\.json"):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe", b"{", b"[]", b'{"format": "journal-desktop-vault/1"}', b'{"format": "x"}'],
)
def test_damaged_metadata_is_not_a_vault(
    vault: Vault, key_env: KeyEnvironment, content: bytes
) -> None:
    vault.close()
    vault.paths.metadata.write_bytes(content)
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(NotAVault):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


# -- encryption at rest ----------------------------------------------------------------------

SECRETS = {
    "notes": "ZEBRA-NOTE-quokka-1f3a",
    "setup": "SETUP-WOMBAT-99",
    "mistake": "MISTAKE-ECHIDNA-42",
    "plan": "PLAN-AXOLOTL-77",
    "review": "REVIEW-NARWHAL-13",
    "tag": "TAG-PANGOLIN-5",
    "account": "ACCOUNT-CAPYBARA-8",
    "attachment": "ATTACHMENT-OKAPI-BYTES",
}


def _needles() -> Iterator[bytes]:
    for text in SECRETS.values():
        yield text.encode("utf-8")
        yield text.encode("utf-16-le")


def _write_secrets(vault: Vault, position: Position) -> None:
    vault.accounts.add(Account(name=SECRETS["account"]))
    vault.tags.add(Tag(name=SECRETS["tag"]))
    vault.trades.add(
        make_trade(
            position,
            notes=SECRETS["notes"],
            setup=SECRETS["setup"],
            mistakes=(SECRETS["mistake"],),
        )
    )
    vault.journal.add(
        JournalEntry(day=date(2024, 3, 4), plan=SECRETS["plan"], review=SECRETS["review"])
    )
    vault.attachments.attach(
        AttachmentOwner.JOURNAL_ENTRY,
        position.account.id,
        "note.txt",
        "text/plain",
        SECRETS["attachment"].encode() * 50,
    )


def test_nothing_written_is_readable_in_the_files(vault: Vault, position: Position) -> None:
    _write_secrets(vault, position)
    # While open, recent changes live in the write-ahead log: it must be encrypted too.
    wal = vault.paths.sidecar_files()[0]
    assert wal.exists() and wal.stat().st_size > 0
    for needle in _needles():
        assert files_containing(vault.paths.data_dir, needle) == [], needle
    vault.close()
    assert not wal.exists() or wal.stat().st_size == 0
    for needle in _needles():
        assert files_containing(vault.paths.data_dir, needle) == [], needle


def test_the_database_file_has_no_sqlite_header(vault: Vault, position: Position) -> None:
    _write_secrets(vault, position)
    vault.close()
    head = vault.paths.database.read_bytes()[:16]
    assert len(head) == 16
    assert head != PLAIN_SQLITE_HEADER
    assert not head.startswith(b"SQLite")


def test_data_files_are_private_to_the_owner(vault: Vault) -> None:
    if os.name != "posix":
        pytest.skip("permission bits are POSIX")
    vault.close()
    assert vault.paths.data_dir.stat().st_mode & 0o077 == 0
    for path in (vault.paths.database, vault.paths.metadata):
        assert path.stat().st_mode & 0o077 == 0, path


# -- damage, full disk -------------------------------------------------------------------------


def test_opening_and_closing_without_changes_leaves_the_files_alone(
    vault: Vault, position: Position, key_env: KeyEnvironment
) -> None:
    vault.trades.add(make_trade(position))
    vault.close()
    before = snapshot_files(vault.paths.data_dir)
    with Vault.open(vault.paths, key_env) as reopened:
        reopened.trades.list_all()
    assert snapshot_files(vault.paths.data_dir) == before


def test_a_damaged_page_is_reported_by_the_integrity_check(
    vault: Vault, position: Position, key_env: KeyEnvironment
) -> None:
    vault.trades.add_many([make_trade(position, notes=f"{n} " + "x" * 3000) for n in range(150)])
    page_size = int(vault.db.scalar("PRAGMA page_size"))
    # The root page of the trades table: well past page 1, and read by every scan of trades.
    root = int(vault.db.scalar("SELECT rootpage FROM sqlite_master WHERE name = 'trades'"))
    vault.close()
    database = vault.paths.database
    pages = database.stat().st_size // page_size
    assert pages > 50 and root > 1
    with database.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 100)
        original = handle.read(32)
        handle.seek((root - 1) * page_size + 100)
        handle.write(bytes(b ^ 0xFF for b in original))
    before = snapshot_files(vault.paths.data_dir)

    with Vault.open(vault.paths, key_env) as damaged:
        problems = damaged.integrity_problems()
        assert problems, "a flipped page went unnoticed"
        assert any(str(root) in problem for problem in problems), problems
        assert database.read_bytes() == before["journal.db"]
        with pytest.raises(VaultDamaged, match="damaged"):
            damaged.trades.list_all()
    assert snapshot_files(vault.paths.data_dir) == before


def test_an_undamaged_vault_has_no_integrity_problems(vault: Vault, position: Position) -> None:
    vault.trades.add_many([make_trade(position, notes="y" * 2000) for _ in range(50)])
    assert vault.integrity_problems() == []


def test_a_full_disk_stores_nothing_and_leaves_the_files_as_they_were(
    vault: Vault, position: Position, key_env: KeyEnvironment
) -> None:
    kept = vault.trades.add(make_trade(position, notes="stored before the disk filled"))
    vault.close()
    before = snapshot_files(vault.paths.data_dir)
    with Vault.open(vault.paths, key_env) as reopened:
        counts = reopened.counts()
        reopened.db.limit_pages_for_test(reopened.db.page_count() + 1)
        with pytest.raises(DiskFull, match="unchanged"):
            reopened.trades.add_many(
                [make_trade(position, notes=f"{n} " + "n" * 4000) for n in range(300)]
            )
        assert reopened.counts() == counts
        assert reopened.trades.list_all() == [kept]
        assert reopened.audit.verify().ok
    assert snapshot_files(vault.paths.data_dir) == before


# -- migrations ------------------------------------------------------------------------------


def test_a_vault_from_a_newer_app_is_refused_untouched(
    vault: Vault, key_env: KeyEnvironment
) -> None:
    vault.db.set_user_version(LATEST_VERSION + 1)
    vault.close()
    before = snapshot_files(vault.paths.data_dir)
    with pytest.raises(NewerSchema):
        Vault.open(vault.paths, key_env)
    assert snapshot_files(vault.paths.data_dir) == before


def test_a_new_vault_takes_no_migration_backup(vault: Vault) -> None:
    assert vault.schema_version() == LATEST_VERSION
    assert not vault.paths.migration_backups_dir.exists()


#: The number a migration added after the current latest one would get.
NEXT = LATEST_VERSION + 1


def _add_icon_column(db: Database) -> None:
    db.execute("ALTER TABLE tags ADD COLUMN icon TEXT NOT NULL DEFAULT ''")


def _fail_half_way(db: Database) -> None:
    db.execute("CREATE TABLE half_done (x INTEGER)")
    raise RuntimeError("migration step failed")


def _install_migrations(monkeypatch: pytest.MonkeyPatch, *extra: Migration) -> None:
    # The runner imported these names, so they are replaced where it looks them up.
    migrations = (*MIGRATIONS, *extra)
    monkeypatch.setattr(f"{runner.__name__}.MIGRATIONS", migrations)
    monkeypatch.setattr(f"{runner.__name__}.LATEST_VERSION", migrations[-1].version)


def test_a_migration_takes_a_backup_copy_first(
    vault: Vault, key_env: KeyEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.tags.add(Tag(name="from schema 1"))
    vault.close()
    key = key_of(vault.paths, key_env)
    old_bytes = vault.paths.database.read_bytes()
    _install_migrations(monkeypatch, Migration(NEXT, "tag icons", _add_icon_column))

    with Vault.open(vault.paths, key_env) as migrated:
        assert migrated.schema_version() == NEXT
        columns = {row[1] for row in migrated.db.query("PRAGMA table_info(tags)")}
        assert "icon" in columns
        assert migrated.tags.by_name("from schema 1") is not None

    backups = list(vault.paths.migration_backups_dir.iterdir())
    assert len(backups) == 1
    assert backups[0].name.startswith(f"journal-schema{LATEST_VERSION}-")
    assert backups[0].read_bytes() == old_bytes
    copy = Database.open(backups[0], key)
    try:
        assert copy.user_version() == LATEST_VERSION
        assert copy.scalar("SELECT count(*) FROM tags WHERE name = 'from schema 1'") == 1
    finally:
        copy.close()


@pytest.mark.parametrize(
    "extra",
    [
        (Migration(NEXT, "fails", _fail_half_way),),
        (
            Migration(NEXT, "tag icons", _add_icon_column),
            Migration(NEXT + 1, "fails", _fail_half_way),
        ),
    ],
    ids=["single step", "second of two steps"],
)
def test_a_failing_migration_rolls_back_every_step(
    vault: Vault,
    key_env: KeyEnvironment,
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[Migration, ...],
) -> None:
    vault.close()
    _install_migrations(monkeypatch, *extra)
    with pytest.raises(RuntimeError, match="migration step failed"):
        Vault.open(vault.paths, key_env)
    assert len(list(vault.paths.migration_backups_dir.iterdir())) == 1

    monkeypatch.undo()
    with Vault.open(vault.paths, key_env) as reopened:
        assert reopened.schema_version() == LATEST_VERSION
        tables = {row[0] for row in reopened.db.query("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
        columns = {row[1] for row in reopened.db.query("PRAGMA table_info(tags)")}
        assert "icon" not in columns
