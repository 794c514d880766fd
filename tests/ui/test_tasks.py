"""The worker that owns the vault: order, thread, change sets, failures, cancel, lock."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from journal_desktop.storage.vault import Vault
from journal_desktop.ui.tasks import (
    Cancelled,
    ChangeSet,
    Progress,
    VaultLocked,
    VaultTasks,
    describe_error,
)
from tests.ui.conftest import run_sync, wait_idle


def test_work_runs_off_the_gui_thread_in_submission_order(qtbot: QtBot, tasks: VaultTasks) -> None:
    gui = threading.get_ident()
    seen: list[tuple[int, int]] = []
    delivered: list[int] = []
    for n in range(20):
        tasks.run(
            lambda _v, n=n: seen.append((n, threading.get_ident())) or n,
            on_success=delivered.append,
        )
    wait_idle(qtbot, tasks)
    assert [n for n, _ in seen] == list(range(20))
    assert {ident for _, ident in seen} != {gui}
    assert len({ident for _, ident in seen}) == 1
    assert delivered == list(range(20))


def test_a_mutation_announces_its_change_set(qtbot: QtBot, tasks: VaultTasks) -> None:
    with qtbot.waitSignal(tasks.changes_applied, timeout=10_000) as signal:
        tasks.run(lambda v: v.settings.set("ui.theme", "dark"), changes=ChangeSet(settings=True))
    assert signal.args == [ChangeSet(settings=True)]
    assert run_sync(qtbot, tasks, lambda v: v.settings.get("ui.theme")) == "dark"


def test_a_failure_reaches_its_callback_or_the_task_failed_signal(
    qtbot: QtBot, tasks: VaultTasks
) -> None:
    def boom(_: Vault) -> None:
        raise ValueError("secret trade note")

    errors: list[BaseException] = []
    tasks.run(boom, on_failure=errors.append, changes=ChangeSet(trades=True))
    wait_idle(qtbot, tasks)
    assert isinstance(errors[0], ValueError)
    with qtbot.waitSignal(tasks.task_failed, timeout=10_000) as signal:
        tasks.run(boom)
    # The sentence names the kind of error, never the data the work was handling.
    assert "secret" not in signal.args[0]
    assert "ValueError" in signal.args[0]


def test_no_change_set_is_announced_when_work_fails(qtbot: QtBot, tasks: VaultTasks) -> None:
    announced: list[ChangeSet] = []
    tasks.changes_applied.connect(announced.append)

    def boom(_: Vault) -> None:
        raise RuntimeError

    tasks.run(boom, on_failure=lambda _e: None, changes=ChangeSet(trades=True))
    wait_idle(qtbot, tasks)
    assert announced == []


def test_long_work_reports_progress_and_stops_on_cancel(qtbot: QtBot, tasks: VaultTasks) -> None:
    started = threading.Event()
    release = threading.Event()
    reports: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def long_work(_: Vault, progress: Progress) -> int:
        progress.report(0, 10)
        started.set()
        release.wait(10)
        for n in range(1, 11):
            progress.report(n, 10)
        return 10

    handle = tasks.run_with_progress(
        long_work,
        on_progress=lambda done, total, _t: reports.append((done, total)),
        on_failure=errors.append,
    )
    assert started.wait(10)
    handle.cancel()
    release.set()
    wait_idle(qtbot, tasks)
    assert isinstance(errors[0], Cancelled)
    assert reports == [(0, 10)]


def test_work_after_close_fails_as_locked_and_reopen_works(
    qtbot: QtBot, tasks: VaultTasks, ui_paths, ui_key_env
) -> None:  # type: ignore[no-untyped-def]
    tasks.close()
    errors: list[BaseException] = []
    tasks.run(lambda v: v.counts(), on_failure=errors.append)
    wait_idle(qtbot, tasks)
    assert not tasks.is_open
    assert isinstance(errors[0], VaultLocked)
    tasks.open(lambda: Vault.open(ui_paths, ui_key_env))
    wait_idle(qtbot, tasks)
    assert tasks.is_open
    assert run_sync(qtbot, tasks, lambda v: v.counts().trades) == 0


def test_callbacks_of_a_deleted_owner_are_skipped(qtbot: QtBot, tasks: VaultTasks) -> None:
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    called: list[object] = []
    release = threading.Event()
    tasks.run(lambda _v: release.wait(10), on_success=called.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5_000)
    release.set()
    wait_idle(qtbot, tasks)
    assert called == []


def _alive(widget: object) -> bool:
    from shiboken6 import isValid

    return bool(isValid(widget))


def test_change_sets_combine() -> None:
    both = ChangeSet(trades=True) | ChangeSet(tags=True)
    assert both.trades and both.tags and not both.journal
    assert not ChangeSet()
    assert all(getattr(ChangeSet.everything(), name) for name in ("trades", "settings"))


@pytest.mark.parametrize("error", [VaultLocked(), ValueError("x")])
def test_describe_error_is_one_sentence(error: BaseException) -> None:
    assert describe_error(error).endswith(".")


def test_work_after_shutdown_fails_as_locked_and_shutdown_is_idempotent(
    qtbot: QtBot, tasks: VaultTasks
) -> None:
    tasks.shutdown()
    tasks.shutdown()
    errors: list[BaseException] = []
    tasks.run(lambda v: v.counts(), on_failure=errors.append)
    wait_idle(qtbot, tasks)
    assert not tasks.is_open
    assert isinstance(errors[0], VaultLocked)
