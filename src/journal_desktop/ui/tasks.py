"""One thread owns the vault; the GUI thread only ever receives results.

SQLCipher connections belong to the thread that opened them, and Argon2id, imports and big
queries would freeze the window if they ran on the GUI thread. So every piece of vault work is
a small function of the `Vault`, submitted to `VaultTasks`, run in order on a single worker
thread, and its result (or error) is handed back to a callback on the GUI thread through a
queued Qt signal. A mutation names the `ChangeSet` it makes; `changes_applied` then lets each
view decide whether it needs to refresh, so no view polls and none reloads after every edit.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from shiboken6 import isValid

if TYPE_CHECKING:
    # Only for type hints: the storage package (SQLCipher, cryptography, the repositories) is
    # imported by the worker when it opens the vault, not on the way to the first paint.
    from journal_desktop.storage.vault import Vault

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often a long task may report progress to the GUI, at most (seconds).
PROGRESS_INTERVAL = 0.05


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What a mutation changed, so each view can tell whether it is affected."""

    trades: bool = False
    executions: bool = False
    journal: bool = False
    tags: bool = False
    attachments: bool = False
    imports: bool = False
    accounts: bool = False
    settings: bool = False
    backups: bool = False

    @classmethod
    def everything(cls) -> ChangeSet:
        return cls(**{f.name: True for f in fields(cls)})

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


class Cancelled(Exception):
    """Raised inside long work when the user pressed cancel; its transaction rolls back."""


class VaultLocked(Exception):
    """Work reached the worker after the vault was locked or closed."""

    def __init__(self) -> None:
        super().__init__("The journal is locked.")


class Progress:
    """Handed to long work: report how far it got, and learn whether it should stop.

    `report` raises `Cancelled` once the user cancelled, so work that reports often stops
    promptly without checking a flag itself; called from the worker thread only.
    """

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()
        self._last = 0.0

    def report(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL or (total and done >= total):
            self._last = now
            self._emit(done, total, text)

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class TaskHandle:
    """What `VaultTasks.run` returns: a way to cancel long work and to drop its callbacks."""

    def __init__(self, progress: Progress | None = None) -> None:
        self._progress = progress
        self.discarded = False

    def cancel(self) -> None:
        """Ask long work to stop; its failure callback then receives `Cancelled`."""
        if self._progress is not None:
            self._progress.cancel()

    def discard(self) -> None:
        """Forget the callbacks: the result is no longer wanted (the view moved on)."""
        self.discarded = True


class GuiBridge(QObject):
    """Lives on the GUI thread and runs, there, the callables other threads post to it.

    The callables travel through a thread-safe queue, and only an argument-less signal crosses
    the thread boundary: Qt never has to hold a Python object, so no reference counting of
    Python objects happens inside Qt's queued-connection machinery.
    """

    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._wake.connect(self._drain)

    def post(self, call: Callable[[], None]) -> None:
        """Called from any thread."""
        self._calls.put(call)
        self._wake.emit()

    @Slot()
    def _drain(self) -> None:
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            call()


FailureCallback = Callable[[BaseException], None]


class VaultTasks(QObject):
    """The single owner of the open vault, and the queue of work for it.

    Work runs strictly in submission order on one thread. Callbacks run on the GUI thread,
    and are skipped when their `owner` widget has been deleted meanwhile or the handle was
    discarded. Failures without an `on_failure` are announced by `task_failed`.
    """

    #: A mutation finished; the argument is the `ChangeSet` it declared.
    changes_applied = Signal(object)
    #: True while any submitted work is queued or running.
    busy_changed = Signal(bool)
    #: Work failed and no failure callback was given; a sentence for the user.
    task_failed = Signal(str)
    #: The vault was opened (True) or closed (False).
    vault_state_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault")
        self._bridge = GuiBridge()
        self._vault: Vault | None = None  # touched only on the worker thread
        self._pending = 0  # touched only on the GUI thread
        self._is_open = False  # the GUI thread's view of the vault state
        self._shut_down = False

    # -- state seen from the GUI thread --------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._is_open

    @property
    def busy(self) -> bool:
        return self._pending > 0

    # -- opening and closing -------------------------------------------------------------------

    def open(
        self,
        opener: Callable[[], Vault],
        *,
        on_success: Callable[[Vault], None] | None = None,
        on_failure: FailureCallback | None = None,
    ) -> TaskHandle:
        """Open (or create) the vault on the worker thread, so its connection lives there.

        `on_success` receives the vault only to read plain facts (paths, metadata); all other
        use of it goes through `run`.
        """

        def work(_: Vault | None) -> Vault:
            if self._vault is not None:
                self._vault.close()
                self._vault = None
            vault = opener()
            self._vault = vault
            return vault

        def opened(vault: Vault) -> None:
            self._is_open = True
            self.vault_state_changed.emit(True)
            if on_success is not None:
                on_success(vault)

        return self._submit(work, opened, on_failure, None, None, needs_vault=False)

    def close(self, on_done: Callable[[None], None] | None = None) -> TaskHandle:
        """Close the database and drop the key; queued work after this fails as locked."""

        def work(_: Vault | None) -> None:
            if self._vault is not None:
                vault, self._vault = self._vault, None
                vault.close()

        def closed(_: None) -> None:
            self._is_open = False
            self.vault_state_changed.emit(False)
            if on_done is not None:
                on_done(None)

        return self._submit(work, closed, None, None, None, needs_vault=False)

    def shutdown(self) -> None:
        """At exit: close the vault and wait for the worker to finish what it holds.

        Calling it again does nothing; work submitted afterwards fails as locked.
        """
        if self._shut_down:
            return
        self.close()
        self._shut_down = True
        self._executor.shutdown(wait=True)
        self._is_open = False

    # -- work ----------------------------------------------------------------------------------

    def run(
        self,
        work: Callable[[Vault], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
        changes: ChangeSet | None = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Run `work(vault)` on the worker; a mutation passes the `changes` it makes."""
        return self._submit(
            lambda vault: work(_require(vault)),
            on_success,
            on_failure,
            changes,
            owner,
        )

    def run_with_progress(
        self,
        work: Callable[[Vault, Progress], T],
        *,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureCallback | None = None,
        changes: ChangeSet | None = None,
        owner: QObject | None = None,
    ) -> TaskHandle:
        """Long work: it reports through `Progress`, and the handle's `cancel` stops it."""
        handle_box: list[TaskHandle] = []

        def emit(done: int, total: int, text: str) -> None:
            if on_progress is None:
                return

            def call() -> None:
                handle = handle_box[0]
                if not handle.discarded and (owner is None or isValid(owner)):
                    on_progress(done, total, text)

            self._bridge.post(call)

        progress = Progress(emit)
        handle = self._submit(
            lambda vault: work(_require(vault), progress),
            on_success,
            on_failure,
            changes,
            owner,
            progress=progress,
        )
        handle_box.append(handle)
        return handle

    def _submit(
        self,
        work: Callable[[Vault | None], Any],
        on_success: Callable[[Any], None] | None,
        on_failure: FailureCallback | None,
        changes: ChangeSet | None,
        owner: QObject | None,
        *,
        progress: Progress | None = None,
        needs_vault: bool = True,
    ) -> TaskHandle:
        handle = TaskHandle(progress)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def finish(result: Any, error: BaseException | None) -> None:
            self._pending -= 1
            if self._pending == 0:
                self.busy_changed.emit(False)
            if error is None and changes:
                self.changes_applied.emit(changes)
            if handle.discarded or (owner is not None and not isValid(owner)):
                return
            if error is None:
                if on_success is not None:
                    on_success(result)
            elif on_failure is not None:
                on_failure(error)
            elif not isinstance(error, VaultLocked | Cancelled):
                self.task_failed.emit(describe_error(error))

        def job() -> None:
            try:
                result = work(self._vault)
            except BaseException as raised:  # every failure goes to the GUI
                error = raised  # `raised` is unbound when the except block ends
                if not isinstance(error, VaultLocked | Cancelled):
                    log.debug("vault task failed: %s", type(error).__name__)
                self._bridge.post(lambda: finish(None, error))
                return
            self._bridge.post(lambda: finish(result, None))

        if self._shut_down:
            # The app is closing: the work is not run, and its owner learns why.
            self._bridge.post(lambda: finish(None, VaultLocked()))
        else:
            self._executor.submit(job)
        return handle


def _require(vault: Vault | None) -> Vault:
    if vault is None:
        raise VaultLocked
    return vault


def describe_error(error: BaseException) -> str:
    """One sentence for the user; never the data that was being processed."""
    # Imported here: by the time work has failed the worker has loaded these long ago.
    from journal_desktop.domain.imported import ImportFileError
    from journal_desktop.domain.records import InvalidRecord
    from journal_desktop.storage.errors import VaultError

    if isinstance(error, VaultError | ImportFileError | InvalidRecord | VaultLocked):
        return str(error)
    return f"Something went wrong ({type(error).__name__}). Nothing was saved."
