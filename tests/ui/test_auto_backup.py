"""The automatic local backup follows changes to the journal whichever screen is open, on the
journal's own schedule, for keychain and passphrase journals alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from journal_desktop.storage.backup import list_backups, set_auto_backup_hours
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.auto_backup import AutoBackup
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.tasks import ChangeSet, VaultTasks
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import PASSPHRASE, wait_idle


@pytest.fixture(params=[KeyStorage.KEYCHAIN, KeyStorage.PASSPHRASE])
def opened(
    request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path
) -> Iterator[tuple[VaultTasks, VaultPaths]]:
    paths = VaultPaths(tmp_path / "vault")
    env = KeyEnvironment(InMemoryKeyringFake(), passphrase=lambda: PASSPHRASE)
    runner = VaultTasks()
    runner.open(lambda: Vault.init(paths, env, request.param))
    wait_idle(qtbot, runner)
    try:
        yield runner, paths
    finally:
        runner.shutdown()


def change(qtbot: QtBot, tasks: VaultTasks, changes: ChangeSet) -> None:
    tasks.run(lambda v: v.settings.set("x", str(id(changes))), changes=changes)
    wait_idle(qtbot, tasks)
    wait_idle(qtbot, tasks)  # the backup runs after the change is announced


def test_a_change_to_the_journal_makes_the_daily_backup_once(
    qtbot: QtBot, opened: tuple[VaultTasks, VaultPaths]
) -> None:
    tasks, paths = opened
    backup = AutoBackup(tasks)
    written: list[object] = []
    backup.written.connect(written.append)
    change(qtbot, tasks, ChangeSet(settings=True))  # not the journal's content
    assert list_backups(paths) == []
    change(qtbot, tasks, ChangeSet(trades=True))
    assert len(list_backups(paths)) == 1
    assert written == [list_backups(paths)[0].path]
    change(qtbot, tasks, ChangeSet(journal=True))  # within the day: no second one
    assert len(list_backups(paths)) == 1


def test_a_schedule_of_off_makes_none(qtbot: QtBot, opened: tuple[VaultTasks, VaultPaths]) -> None:
    tasks, paths = opened
    AutoBackup(tasks)
    tasks.run(lambda v: set_auto_backup_hours(v, 0))
    change(qtbot, tasks, ChangeSet(trades=True))
    assert list_backups(paths) == []


def test_the_main_window_backs_up_without_the_settings_screen_ever_shown(
    qtbot: QtBot, opened: tuple[VaultTasks, VaultPaths]
) -> None:
    tasks, paths = opened
    window = MainWindow(tasks, backend=None)
    qtbot.addWidget(window)
    assert window.screen_if_built(4) is None  # Security & settings, never opened
    change(qtbot, tasks, ChangeSet(imports=True))
    assert len(list_backups(paths)) == 1


def test_a_failed_backup_says_why(
    qtbot: QtBot, opened: tuple[VaultTasks, VaultPaths], monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks, paths = opened
    backup = AutoBackup(tasks)
    paths.backups_dir.parent.mkdir(parents=True, exist_ok=True)
    paths.backups_dir.write_text("a file where the backups folder should be")
    with qtbot.waitSignal(backup.failed, timeout=30_000) as failure:
        tasks.run(lambda v: None, changes=ChangeSet(trades=True))
    assert failure.args[0].startswith("The automatic backup failed:")
