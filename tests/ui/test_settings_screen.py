"""Security & settings over a real vault: locking, theme, key storage, backups, audit, restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from journal_desktop.storage import vault_keys
from journal_desktop.storage.backup import KeyKind, list_backups, read_backup_info
from journal_desktop.storage.errors import WrongPassphrase
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault, read_metadata
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui import dialogs
from journal_desktop.ui.settings_screen import SettingsScreen
from journal_desktop.ui.tasks import VaultTasks
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import PASSPHRASE, run_sync, wait_idle

BACKUP_PASSPHRASE = "a backup passphrase"
NEW_PASSPHRASE = "a brand new passphrase"


class Prompts:
    """Stands in for the passphrase dialog: answers in order, and records what was asked."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, bool]] = []

    def __call__(self, _parent: object, title: str, _prompt: str, *, confirm: bool) -> str | None:
        self.asked.append((title, confirm))
        return self.answers.pop(0)


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Prompts]:
    def install(*answers: str | None) -> Prompts:
        fake = Prompts(*answers)
        monkeypatch.setattr(dialogs, "ask_passphrase", fake)
        return fake

    return install


@pytest.fixture
def screen(qtbot: QtBot, tasks: VaultTasks, ui_key_env: KeyEnvironment) -> SettingsScreen:
    widget = SettingsScreen(tasks, key_env=ui_key_env)
    qtbot.addWidget(widget)
    widget.show()
    wait_idle(qtbot, tasks)
    assert widget.keys.state is not None
    return widget


def stored(qtbot: QtBot, tasks: VaultTasks, key: str) -> str | None:
    return run_sync(qtbot, tasks, lambda v: v.settings.get(key))  # type: ignore[no-any-return]


def test_auto_lock_minutes_are_saved_and_announced(
    qtbot: QtBot, tasks: VaultTasks, screen: SettingsScreen, ui_key_env: KeyEnvironment
) -> None:
    spin = screen.general.auto_lock
    assert spin.value() == 10  # the default, nothing stored yet
    with qtbot.waitSignal(screen.auto_lock_changed, timeout=5_000) as signal:
        spin.setValue(25)
    assert signal.args == [25]
    qtbot.waitUntil(lambda: not screen.general._save_timer.isActive(), timeout=5_000)
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, "ui.auto_lock_minutes") == "25"

    with qtbot.waitSignal(screen.auto_lock_changed, timeout=5_000) as signal:
        spin.setValue(0)
    assert signal.args == [0] and spin.text() == "Never"
    screen.hide()  # leaving the screen writes a pending change at once
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, "ui.auto_lock_minutes") == "0"

    again = SettingsScreen(tasks, key_env=ui_key_env)
    qtbot.addWidget(again)
    again.show()
    wait_idle(qtbot, tasks)
    assert again.general.auto_lock.value() == 0


def test_theme_is_saved_and_announced_and_lock_now_asks_to_lock(
    qtbot: QtBot, tasks: VaultTasks, screen: SettingsScreen
) -> None:
    combo = screen.general.theme
    assert combo.currentData() == "system"
    with qtbot.waitSignal(screen.theme_changed, timeout=5_000) as signal:
        combo.setCurrentIndex(combo.findData("dark"))
    assert signal.args == ["dark"]
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, "ui.theme") == "dark"
    with qtbot.waitSignal(screen.lock_requested, timeout=5_000):
        screen.general.lock_button.click()


def test_backup_now_writes_a_backup_the_header_reader_accepts(
    qtbot: QtBot,
    tasks: VaultTasks,
    screen: SettingsScreen,
    prompts: Callable[..., Prompts],
    ui_paths: VaultPaths,
    tmp_path: Path,
) -> None:
    asked = prompts(BACKUP_PASSPHRASE)
    screen.backups.back_up_to(tmp_path / "journal-backup")
    qtbot.waitUntil(
        lambda: "Wrote an encrypted backup" in screen.backups.status.text(), timeout=60_000
    )
    target = tmp_path / "journal-backup.jdbackup"
    info = read_backup_info(target)
    assert info.key_kind is KeyKind.PASSPHRASE
    assert info.vault_id == read_metadata(ui_paths).vault_id
    assert asked.asked == [("Backup passphrase", True)]  # a new passphrase is typed twice

    # A cancelled prompt writes nothing.
    prompts(None)
    screen.backups.back_up_to(tmp_path / "other.jdbackup")
    wait_idle(qtbot, tasks)
    assert not (tmp_path / "other.jdbackup").exists()


def test_local_backup_now_and_the_age_of_the_newest(
    qtbot: QtBot,
    tasks: VaultTasks,
    screen: SettingsScreen,
    prompts: Callable[..., Prompts],
    ui_paths: VaultPaths,
) -> None:
    section = screen.backups
    assert section.state is not None and section.state.overdue
    assert section.newest.text() == "Newest local backup: none yet"
    red = section.newest.styleSheet()
    asked = prompts()  # a passphrase journal: the open vault holds its key, nothing is asked
    section.local_button.click()
    qtbot.waitUntil(lambda: "Made a local backup" in section.status.text(), timeout=60_000)
    wait_idle(qtbot, tasks)
    assert asked.asked == []
    assert len(list_backups(ui_paths)) == 1
    assert section.state is not None and not section.state.overdue
    assert section.newest.text() == "Newest local backup: just now"
    assert section.newest.styleSheet() != red
    assert section.local_list.count() == 1 and "auto-" in section.local_list.item(0).text()
    assert "newest 7 are kept" in section.schedule.text()
    assert "once a day" in section.schedule.text()
    assert section.every.currentData() == 24


def test_the_backup_schedule_is_chosen_and_kept(
    qtbot: QtBot, tasks: VaultTasks, screen: SettingsScreen
) -> None:
    section = screen.backups
    for label, hours, words in (
        ("Every week", 168, "once a week"),
        ("Off", 0, "None are made"),
        ("Every day", 24, "once a day"),
    ):
        index = section.every.findText(label)
        section.every.setCurrentIndex(index)
        section.every.activated.emit(index)
        qtbot.waitUntil(lambda w=words: w in section.schedule.text(), timeout=10_000)
        wait_idle(qtbot, tasks)
        assert stored(qtbot, tasks, "auto_backup_every_hours") == str(hours)


def _tamper_with_audit_log(vault: Vault) -> None:
    # Like tests/storage/test_audit.py: an attacker with the key drops the append-only
    # triggers and rewrites an entry.
    vault.db.raw.execute("DROP TRIGGER audit_log_no_update")
    vault.db.raw.execute("DROP TRIGGER audit_log_no_delete")
    vault.db.raw.execute("UPDATE audit_log SET device = 'forged' WHERE seq = 1")


def test_audit_verify_says_intact_then_shows_tampering(
    qtbot: QtBot, tasks: VaultTasks, screen: SettingsScreen
) -> None:
    section = screen.audit
    assert section.table.rowCount() == len(section.entries) > 0
    section.verify_button.click()
    qtbot.waitUntil(lambda: "intact" in section.result.text(), timeout=20_000)
    assert section.result.text().startswith("The audit log is intact:")

    run_sync(qtbot, tasks, _tamper_with_audit_log)
    section.verify_button.click()
    qtbot.waitUntil(lambda: "tampered" in section.result.text(), timeout=20_000)
    assert section.result.text().startswith("The audit log was tampered with:")
    assert "intact" not in section.result.text()


def test_key_storage_moves_to_the_keychain_and_back(
    qtbot: QtBot,
    tasks: VaultTasks,
    screen: SettingsScreen,
    prompts: Callable[..., Prompts],
    ui_paths: VaultPaths,
    ui_key_env: KeyEnvironment,
) -> None:
    keys = screen.keys
    assert keys.state is not None and keys.state.storage is KeyStorage.PASSPHRASE
    assert keys.switch_button.isEnabled() and keys.passphrase_button.isVisible()
    keyring = ui_key_env.backend
    assert isinstance(keyring, InMemoryKeyringFake)

    # A wrong current passphrase changes nothing.
    prompts("not the passphrase")
    keys.switch_button.click()
    qtbot.waitUntil(lambda: "passphrase is wrong" in keys.status.text(), timeout=60_000)
    assert read_metadata(ui_paths).key_storage is KeyStorage.PASSPHRASE
    assert keyring.entries == {}

    prompts(PASSPHRASE)
    with qtbot.waitSignal(screen.key_storage_changed, timeout=60_000) as moved:
        keys.switch_button.click()
    assert moved.args == [KeyStorage.KEYCHAIN]
    assert keys.status.text().startswith("Done")
    metadata = read_metadata(ui_paths)
    assert metadata.key_storage is KeyStorage.KEYCHAIN
    assert not ui_paths.key_file.exists()
    assert len(keyring.entries) == 1
    assert not keys.passphrase_button.isVisible()
    assert "OS keychain" in keys.current.text()
    key = vault_keys.load_key(ui_paths, metadata, KeyEnvironment(keyring))

    asked = prompts(NEW_PASSPHRASE)
    keys.switch_button.click()
    qtbot.waitUntil(lambda: "your passphrase" in keys.status.text(), timeout=60_000)
    assert asked.asked == [("Protect the key with a passphrase", True)]
    metadata = read_metadata(ui_paths)
    assert metadata.key_storage is KeyStorage.PASSPHRASE
    assert keyring.entries == {}
    env = KeyEnvironment(keyring, passphrase=lambda: NEW_PASSPHRASE)
    assert vault_keys.load_key(ui_paths, metadata, env) == key
    # Both moves are in the audit log.
    events = run_sync(
        qtbot,
        tasks,
        lambda v: [e.new["event"] for e in v.audit.entries() if e.record_type == "vault" and e.new],
    )
    assert events.count("key storage changed") == 2


def test_change_passphrase(
    qtbot: QtBot,
    screen: SettingsScreen,
    prompts: Callable[..., Prompts],
    ui_paths: VaultPaths,
    ui_key_env: KeyEnvironment,
) -> None:
    asked = prompts(PASSPHRASE, NEW_PASSPHRASE)
    screen.keys.passphrase_button.click()
    qtbot.waitUntil(lambda: screen.keys.status.text().startswith("Done"), timeout=60_000)
    assert [confirm for _, confirm in asked.asked] == [False, True]
    metadata = read_metadata(ui_paths)
    new_env = KeyEnvironment(ui_key_env.backend, passphrase=lambda: NEW_PASSPHRASE)
    vault_keys.load_key(ui_paths, metadata, new_env)
    with pytest.raises(WrongPassphrase):
        vault_keys.load_key(ui_paths, metadata, ui_key_env)


def test_restore_goes_into_an_empty_folder_and_leaves_the_open_journal(
    qtbot: QtBot,
    tasks: VaultTasks,
    screen: SettingsScreen,
    prompts: Callable[..., Prompts],
    ui_key_env: KeyEnvironment,
    tmp_path: Path,
) -> None:
    run_sync(qtbot, tasks, lambda v: v.settings.set("ui.theme", "dark"))
    prompts(BACKUP_PASSPHRASE)
    backup = tmp_path / "b.jdbackup"
    screen.backups.back_up_to(backup)
    qtbot.waitUntil(
        lambda: "Wrote an encrypted backup" in screen.backups.status.text(), timeout=60_000
    )

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something.txt").write_text("mine")
    screen.backups.restore_flow.restore_from(backup, occupied)
    qtbot.waitUntil(lambda: "is not empty" in screen.backups.status.text(), timeout=20_000)
    assert sorted(p.name for p in occupied.iterdir()) == ["something.txt"]

    target = tmp_path / "restored"
    asked = prompts(BACKUP_PASSPHRASE, NEW_PASSPHRASE)
    with qtbot.waitSignal(screen.backups.restore_flow.restored, timeout=120_000):
        screen.backups.restore_flow.restore_from(backup, target)
    assert [confirm for _, confirm in asked.asked] == [False, True]
    assert "journal-desktop --data-dir" in screen.backups.status.text()
    restored_env = KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: NEW_PASSPHRASE)
    with Vault.open(VaultPaths(target), restored_env) as restored:
        assert restored.settings.get("ui.theme") == "dark"
    # The open journal is untouched and still working.
    assert run_sync(qtbot, tasks, lambda v: v.settings.get("ui.theme")) == "dark"
    assert tasks.is_open


def test_the_audit_table_names_changed_fields_never_journal_text(
    qtbot: QtBot, tasks: VaultTasks, screen: SettingsScreen
) -> None:
    from datetime import date

    from journal_desktop.storage import operations

    def write(vault: Vault) -> None:
        operations.write_journal(vault, date(2026, 3, 2), review="Faded the gap, too early")
        operations.write_journal(vault, date(2026, 3, 2), review="Revenge trade after lunch")

    run_sync(qtbot, tasks, write)
    screen.audit.reload()
    wait_idle(qtbot, tasks)
    table = screen.audit.table
    shown = [
        " ".join(table.item(row, column).text() for column in range(table.columnCount()))
        for row in range(table.rowCount())
    ]
    assert "changed review" in shown[0]
    assert shown[1].split()[-1] == "created"
    assert not any("gap" in line or "Revenge" in line for line in shown)


def test_restore_of_this_journals_own_automatic_backup(
    qtbot: QtBot,
    tasks: VaultTasks,
    screen: SettingsScreen,
    prompts: Callable[..., Prompts],
    ui_paths: VaultPaths,
    tmp_path: Path,
) -> None:
    prompts()
    screen.backups.local_button.click()
    qtbot.waitUntil(lambda: "Made a local backup" in screen.backups.status.text(), timeout=60_000)
    local = list_backups(ui_paths)[0].path
    assert read_backup_info(local).key_kind is KeyKind.VAULT

    target = tmp_path / "from-local"
    asked = prompts(PASSPHRASE, NEW_PASSPHRASE)  # this journal's passphrase, then the new one
    with qtbot.waitSignal(screen.backups.restore_flow.restored, timeout=120_000):
        screen.backups.restore_flow.restore_from(local, target)
    assert asked.asked == [
        ("Journal passphrase", False),
        ("Passphrase of the restored journal", True),
    ]
    restored_env = KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: NEW_PASSPHRASE)
    with Vault.open(VaultPaths(target), restored_env) as restored:
        assert restored.metadata.vault_id != read_metadata(ui_paths).vault_id
