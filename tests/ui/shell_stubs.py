"""Small stand-in screens for the shell's tests (named stubs: they are not the real screens).

The window, lock and start-up tests are about the shell, so they build the window from these
instead of the real screens other modules provide; each stub records what the shell asked of
it and has one focusable control, so focus and keyboard shortcuts can be checked.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import VaultTasks


class StubScreen(Screen):
    depends_on: ClassVar[frozenset[str]] = frozenset({"trades"})
    open_trade = Signal(object)

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.reloads = 0
        self.field = QLineEdit(self)
        self.field.setAccessibleName(f"{self.title} field")
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addStretch(1)

    def reload(self) -> None:
        super().reload()
        self.reloads += 1


class StubDashboard(StubScreen):
    title = "Dashboard"
    icon_name = "dashboard"
    day_selected = Signal(object)


class StubTrades(StubScreen):
    title = "Trades"
    icon_name = "trades"

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.search_requests = 0

    def focus_search(self) -> None:
        self.search_requests += 1
        self.field.setFocus()


class StubJournal(StubScreen):
    title = "Journal"
    icon_name = "journal"

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.days: list[object] = []
        self.saves = 0

    def select_day(self, day: object) -> None:
        self.days.append(day)

    def save_now(self) -> None:
        self.saves += 1


class StubImport(StubScreen):
    title = "Import"
    icon_name = "import"

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.file_requests = 0

    def choose_file(self) -> None:
        self.file_requests += 1


class StubSettings(StubScreen):
    title = "Security & settings"
    icon_name = "settings"
    lock_requested = Signal()
    theme_changed = Signal(str)
    auto_lock_changed = Signal(int)
    key_storage_changed = Signal(object)


class StubDetail(Screen):
    title = "Trade"
    closed = Signal()

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.shown: list[uuid.UUID | None] = []
        self.reloads = 0
        #: Unsaved changes, and what `confirm_leave` answers while there are some.
        self.dirty = False
        self.stay = False
        self.confirmations = 0
        self.saves = 0

    def show_trade(self, trade_id: uuid.UUID | None) -> None:
        self.shown.append(trade_id)

    def confirm_leave(self) -> bool:
        if not self.dirty:
            return True
        self.confirmations += 1
        return not self.stay

    def save(self) -> bool:
        self.saves += 1
        return True

    def reload(self) -> None:
        super().reload()
        self.reloads += 1


STUB_SCREENS: tuple[type[Screen], ...] = (
    StubDashboard,
    StubTrades,
    StubJournal,
    StubImport,
    StubSettings,
)
