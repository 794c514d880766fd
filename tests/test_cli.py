"""The command line as a person and a script use it: real processes, the real SQLCipher build.

Passphrase-mode tests set JOURNAL_DESKTOP_PASSPHRASE, so they run anywhere; keychain-mode tests
need the real Secret Service that the test command starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from journal_desktop.storage.keychain import is_secure_backend
from tests.storage.conftest import snapshot_files

VAULT_PASS = "cli vault passphrase"
#: The real broker exports in shared/, which sits beside the repository (also in CI).
SHARED_SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
BACKUP_PASS = "cli backup passphrase"


def run(
    data_dir: Path,
    *args: str,
    passphrase: str | None = VAULT_PASS,
    backup_passphrase: str | None = None,
    keyring_backend: str | None = None,
    new_passphrase: str | None = None,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for variable in (
        "JOURNAL_DESKTOP_PASSPHRASE",
        "JOURNAL_DESKTOP_BACKUP_PASSPHRASE",
        "JOURNAL_DESKTOP_NEW_PASSPHRASE",
    ):
        env.pop(variable, None)
    if new_passphrase is not None:
        env["JOURNAL_DESKTOP_NEW_PASSPHRASE"] = new_passphrase
    if passphrase is not None:
        env["JOURNAL_DESKTOP_PASSPHRASE"] = passphrase
    if backup_passphrase is not None:
        env["JOURNAL_DESKTOP_BACKUP_PASSPHRASE"] = backup_passphrase
    if keyring_backend is not None:
        env["PYTHON_KEYRING_BACKEND"] = keyring_backend
    return subprocess.run(
        [sys.executable, "-m", "journal_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    """Non-zero exit, one sentence on stderr naming the problem, and no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("journal-desktop: "), message
    assert len(message.splitlines()) == 1, message
    for phrase in phrases:
        assert phrase in message, message


FAIL_BACKEND = "keyring.backends.fail.Keyring"


@pytest.fixture
def passphrase_vault(tmp_path: Path) -> Path:
    data_dir = tmp_path / "vault"
    result = run(data_dir, "init", "--key-storage", "passphrase")
    assert result.returncode == 0, result.stderr
    return data_dir


def test_init_status_and_journal_round_trip(passphrase_vault: Path) -> None:
    written = run(
        passphrase_vault,
        "journal",
        "write",
        "--date",
        "2026-03-02",
        "--text",
        "Faded the gap in NVDA-zebra-quartz",
        "--mood",
        "good",
    )
    assert written.returncode == 0, written.stderr
    plan = run(
        passphrase_vault,
        "journal",
        "write",
        "--date",
        "2026-03-02",
        "--section",
        "plan",
        "--text",
        "Only A+ setups",
    )
    assert plan.returncode == 0, plan.stderr

    shown = run(passphrase_vault, "journal", "show", "--date", "2026-03-02", "--json")
    assert shown.returncode == 0, shown.stderr
    entry = json.loads(shown.stdout)
    assert entry == {
        "date": "2026-03-02",
        "plan": "Only A+ setups",
        "review": "Faded the gap in NVDA-zebra-quartz",
        "mood": "good",
        "version": 2,
    }

    status = run(passphrase_vault, "status", "--json")
    assert status.returncode == 0, status.stderr
    document = json.loads(status.stdout)
    assert document["key_storage"] == "passphrase"
    assert document["schema_version"] >= 1
    assert document["counts"]["journal_entries"] == 1
    assert document["vault_path"].endswith("journal.db")
    assert "keyring_backend" in document
    # Writing the journal made the first automatic local backup.
    assert document["newest_backup_age_seconds"] is not None

    for path in passphrase_vault.rglob("*"):
        if path.is_file():
            assert b"zebra-quartz" not in path.read_bytes(), path


def test_missing_day_exits_non_zero(passphrase_vault: Path) -> None:
    result = run(passphrase_vault, "journal", "show", "--date", "2026-01-01")
    assert result.returncode == 1
    assert "No journal entry" in result.stderr


def test_bad_date_is_a_usage_error(passphrase_vault: Path) -> None:
    result = run(passphrase_vault, "journal", "write", "--date", "03/02/2026", "--text", "x")
    assert_clean_failure(result, "YYYY-MM-DD")
    assert result.returncode == 2


def test_wrong_passphrase_changes_nothing(passphrase_vault: Path) -> None:
    before = snapshot_files(passphrase_vault)
    result = run(
        passphrase_vault,
        "journal",
        "write",
        "--date",
        "2026-03-02",
        "--text",
        "x",
        passphrase="not the passphrase",
    )
    assert_clean_failure(result, "passphrase is wrong")
    assert snapshot_files(passphrase_vault) == before


def test_no_passphrase_and_no_terminal_is_a_clear_error(passphrase_vault: Path) -> None:
    before = snapshot_files(passphrase_vault)
    result = run(passphrase_vault, "status", passphrase=None)
    assert_clean_failure(result, "JOURNAL_DESKTOP_PASSPHRASE")
    assert snapshot_files(passphrase_vault) == before


def test_init_refuses_an_existing_vault(passphrase_vault: Path) -> None:
    before = snapshot_files(passphrase_vault)
    result = run(passphrase_vault, "init", "--key-storage", "passphrase")
    assert_clean_failure(result, "already exists")
    assert snapshot_files(passphrase_vault) == before


def test_short_new_passphrase_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path / "v", "init", "--key-storage", "passphrase", passphrase="short")
    assert_clean_failure(result, "too short")
    assert not (tmp_path / "v").exists() or not any((tmp_path / "v").iterdir())


def test_no_vault_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "nothing-here", "status")
    assert_clean_failure(result, "No vault was found", "init")


def test_a_plain_sqlite_file_is_not_a_vault(passphrase_vault: Path) -> None:
    import sqlite3

    database = passphrase_vault / "journal.db"
    database.unlink()
    plain = sqlite3.connect(database)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    before = snapshot_files(passphrase_vault)
    result = run(passphrase_vault, "status")
    assert_clean_failure(result, "not a Journal Desktop vault", "unencrypted")
    assert snapshot_files(passphrase_vault) == before


def test_insecure_keyring_forces_passphrase_mode(tmp_path: Path) -> None:
    refused = run(tmp_path / "a", "init", "--key-storage", "keychain", keyring_backend=FAIL_BACKEND)
    assert_clean_failure(refused, "No secure OS keychain", "--key-storage passphrase")
    assert not (tmp_path / "a" / "vault.json").exists()

    fallback = run(tmp_path / "b", "init", keyring_backend=FAIL_BACKEND)
    assert fallback.returncode == 0, fallback.stderr
    assert "No secure OS keychain" in fallback.stderr
    meta = json.loads((tmp_path / "b" / "vault.json").read_text())
    assert meta["key_storage"] == "passphrase"
    assert (tmp_path / "b" / "journal.key").exists()


def test_audit_verify_detects_tampering(passphrase_vault: Path) -> None:
    run(passphrase_vault, "journal", "write", "--date", "2026-03-02", "--text", "first")
    run(passphrase_vault, "journal", "write", "--date", "2026-03-02", "--text", "second")
    ok = run(passphrase_vault, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout

    from journal_desktop.storage import vault_keys
    from journal_desktop.storage.database import Database
    from journal_desktop.storage.metadata import VaultMetadata
    from journal_desktop.storage.paths import VaultPaths
    from journal_desktop.storage.vault_keys import KeyEnvironment
    from tests.fakes import InMemoryKeyringFake

    paths = VaultPaths(passphrase_vault)
    key = vault_keys.load_key(
        paths,
        VaultMetadata.load(paths.metadata),
        KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: VAULT_PASS),
    )
    db = Database.open(paths.database, key)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET new = replace(new, 'first', 'FIRST') WHERE seq = 2")
    db.close()

    tampered = run(passphrase_vault, "audit", "verify")
    assert tampered.returncode == 1
    assert "tampered" in tampered.stderr
    assert "Traceback" not in tampered.stderr


def test_export_warns_and_writes_owner_only(passphrase_vault: Path, tmp_path: Path) -> None:
    run(passphrase_vault, "journal", "write", "--date", "2026-03-02", "--text", "export me")
    to_stdout = run(passphrase_vault, "export", "--format", "json")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert "NOT encrypted" in to_stdout.stderr
    document = json.loads(to_stdout.stdout)
    assert document["journal_entries"][0]["review"] == "export me"

    target = tmp_path / "export.json"
    to_file = run(passphrase_vault, "export", "--format", "json", "--output", str(target))
    assert to_file.returncode == 0, to_file.stderr
    assert json.loads(target.read_text())["journal_entries"][0]["review"] == "export me"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_check_reports_a_damaged_page(passphrase_vault: Path) -> None:
    for day in range(1, 29):
        run_result = run(
            passphrase_vault,
            "journal",
            "write",
            "--date",
            f"2026-02-{day:02d}",
            "--text",
            "filler text " * 400,
        )
        assert run_result.returncode == 0, run_result.stderr
    sound = run(passphrase_vault, "check")
    assert sound.returncode == 0, sound.stderr

    database = passphrase_vault / "journal.db"
    data = bytearray(database.read_bytes())
    page = 4096
    assert len(data) > 10 * page
    middle = (len(data) // page // 2) * page
    data[middle + 100 : middle + 110] = bytes(10)
    database.write_bytes(bytes(data))
    before = snapshot_files(passphrase_vault)
    damaged = run(passphrase_vault, "check")
    assert damaged.returncode == 1
    assert "damaged" in damaged.stderr
    assert "restore" in damaged.stderr
    assert "Traceback" not in damaged.stderr
    assert snapshot_files(passphrase_vault) == before


def test_backup_and_restore_round_trip(passphrase_vault: Path, tmp_path: Path) -> None:
    run(passphrase_vault, "journal", "write", "--date", "2026-03-02", "--text", "keep me safe")
    backup_file = tmp_path / "journal.jdbackup"
    made = run(passphrase_vault, "backup", str(backup_file), backup_passphrase=BACKUP_PASS)
    assert made.returncode == 0, made.stderr
    assert b"keep me safe" not in backup_file.read_bytes()

    restored_dir = tmp_path / "restored"
    wrong = run(
        restored_dir,
        "restore",
        str(backup_file),
        "--key-storage",
        "passphrase",
        passphrase="another vault passphrase",
        backup_passphrase="wrong backup passphrase",
    )
    assert_clean_failure(wrong)
    assert not restored_dir.exists() or not any(restored_dir.iterdir())

    restored = run(
        restored_dir,
        "restore",
        str(backup_file),
        "--key-storage",
        "passphrase",
        passphrase="another vault passphrase",
        backup_passphrase=BACKUP_PASS,
    )
    assert restored.returncode == 0, restored.stderr
    shown = run(
        restored_dir,
        "journal",
        "show",
        "--date",
        "2026-03-02",
        "--json",
        passphrase="another vault passphrase",
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["review"] == "keep me safe"

    refused = run(
        restored_dir,
        "restore",
        str(backup_file),
        backup_passphrase=BACKUP_PASS,
        passphrase="another vault passphrase",
    )
    assert_clean_failure(refused, "not empty")


def _real_keychain() -> bool:
    return is_secure_backend(keyring.get_keyring())


@pytest.mark.keychain
def test_keychain_mode_end_to_end(tmp_path: Path) -> None:
    if not _real_keychain():
        if os.environ.get("JOURNAL_DESKTOP_TEST_KEYCHAIN") == "1":
            pytest.fail("the test command promised a real keychain, but keyring has none")
        pytest.skip("no secure OS keychain here; `bash scripts/test.sh` starts one")
    data_dir = tmp_path / "kc"
    created = run(data_dir, "init", passphrase=None)
    assert created.returncode == 0, created.stderr
    meta = json.loads((data_dir / "vault.json").read_text())
    assert meta["key_storage"] == "keychain"
    assert not (data_dir / "journal.key").exists()
    entry = f"vault-{meta['vault_id']}"
    try:
        key_hex = keyring.get_password("journal-desktop", entry)
        assert key_hex is not None and len(key_hex) == 64
        written = run(
            data_dir, "journal", "write", "--date", "2026-03-03", "--text", "kc", passphrase=None
        )
        assert written.returncode == 0, written.stderr
        for path in data_dir.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                assert key_hex.encode() not in content
                assert bytes.fromhex(key_hex) not in content

        keyring.delete_password("journal-desktop", entry)
        before = snapshot_files(data_dir)
        missing = run(data_dir, "status", passphrase=None)
        assert_clean_failure(missing, "keychain has no usable key")
        assert snapshot_files(data_dir) == before
    finally:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password("journal-desktop", entry)


def test_change_passphrase(passphrase_vault: Path) -> None:
    changed = run(
        passphrase_vault, "key", "change-passphrase", new_passphrase="a brand new passphrase"
    )
    assert changed.returncode == 0, changed.stderr
    old = run(passphrase_vault, "status")
    assert_clean_failure(old, "passphrase is wrong")
    new = run(passphrase_vault, "audit", "show", "--json", passphrase="a brand new passphrase")
    assert new.returncode == 0, new.stderr
    events = [e["new"].get("event") for e in json.loads(new.stdout) if e["action"] == "key"]
    assert "passphrase changed" in events


@pytest.mark.keychain
def test_switch_between_keychain_and_passphrase(passphrase_vault: Path) -> None:
    if not _real_keychain():
        if os.environ.get("JOURNAL_DESKTOP_TEST_KEYCHAIN") == "1":
            pytest.fail("the test command promised a real keychain, but keyring has none")
        pytest.skip("no secure OS keychain here; `bash scripts/test.sh` starts one")
    meta = json.loads((passphrase_vault / "vault.json").read_text())
    entry = f"vault-{meta['vault_id']}"
    try:
        to_keychain = run(passphrase_vault, "key", "storage", "keychain")
        assert to_keychain.returncode == 0, to_keychain.stderr
        assert not (passphrase_vault / "journal.key").exists()
        assert keyring.get_password("journal-desktop", entry) is not None
        opened = run(passphrase_vault, "status", "--json", passphrase=None)
        assert opened.returncode == 0, opened.stderr
        assert json.loads(opened.stdout)["key_storage"] == "keychain"

        back = run(
            passphrase_vault,
            "key",
            "storage",
            "passphrase",
            passphrase=None,
            new_passphrase="passphrase number two",
        )
        assert back.returncode == 0, back.stderr
        assert keyring.get_password("journal-desktop", entry) is None
        reopened = run(passphrase_vault, "status", "--json", passphrase="passphrase number two")
        assert reopened.returncode == 0, reopened.stderr
        assert json.loads(reopened.stdout)["key_storage"] == "passphrase"
    finally:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password("journal-desktop", entry)
