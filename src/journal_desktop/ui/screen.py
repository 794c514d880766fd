"""The base of every screen the sidebar reaches: reload lazily, refresh only when affected."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from journal_desktop.ui.tasks import ChangeSet, VaultTasks

#: What a page shows until the journal is open and its first figures are in.
OPENING_TEXT = "Opening your journal…"


class Screen(QWidget):
    """One page of the main window.

    A screen asks the vault for what it shows through `self.tasks`, never directly. When a
    change set that concerns it arrives it reloads at once if visible, or marks itself stale
    and reloads when next shown, so hidden screens cost nothing while the trader works.
    """

    #: Shown in the sidebar and the window title.
    title: ClassVar[str] = ""
    #: Name of the icon file in resources/icons (without .svg).
    icon_name: ClassVar[str] = ""
    #: The change-set fields that make this screen's content out of date.
    depends_on: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._stale = True
        tasks.changes_applied.connect(self.on_changes)

    def on_changes(self, changes: ChangeSet) -> None:
        if not any(getattr(changes, name) for name in self.depends_on):
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def mark_stale(self) -> None:
        """The vault was reopened (after a lock): everything shown may be out of date."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.tasks.is_open:
            self.reload()

    def reload(self) -> None:
        """Ask the vault for this screen's content; the answer arrives in a callback."""
        self._stale = False
