"""The main window: a sidebar of screens, the trade detail on demand, lock and auto-lock.

Screens are created once and kept (switching is instant and keeps their state); hidden screens
only mark themselves stale when the vault changes. Standard shortcuts live on menu actions so
they are discoverable: Ctrl+1..5 screens, Ctrl+N new trade, Ctrl+F search, Ctrl+I import,
Ctrl+L lock. Geometry and the current screen survive a restart through QSettings.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from journal_desktop import __version__
from journal_desktop.storage.keychain import KeyringBackend
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.busy_indicator import BusyIndicator
from journal_desktop.ui.idle import AUTO_LOCK_SETTING, IdleWatcher, parse_minutes
from journal_desktop.ui.lock import LockController
from journal_desktop.ui.resources import APP_ICON, icon, with_selected_tint
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import THEME_SETTING, ThemeManager, palette_colors

APP_TITLE = "Journal Desktop"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
SCREEN_KEY = "window/screen"


class MainWindow(QMainWindow):
    """The journal's window. `screens` and `detail` default to the real screens."""

    def __init__(
        self,
        tasks: VaultTasks,
        *,
        backend: KeyringBackend,
        screens: Sequence[type[Screen]] | None = None,
        detail: type[Screen] | None = None,
        settings: QSettings | None = None,
        theme: ThemeManager | None = None,
    ) -> None:
        super().__init__()
        if screens is None:
            from journal_desktop.ui.screens import detail_screen, sidebar_screens

            screens = sidebar_screens()
            detail = detail_screen() if detail is None else detail
        self.tasks = tasks
        self.settings = settings if settings is not None else QSettings()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.theme = theme if theme is not None else ThemeManager(app, self)
        self.setWindowIcon(icon(APP_ICON))
        self.setObjectName("MainWindow")

        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setAccessibleName("Screens")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(210)
        self.sidebar.setSpacing(2)
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.stack = QStackedWidget(self)
        self.screens: list[Screen] = []
        for number, cls in enumerate(screens, start=1):
            screen = cls(tasks, self.stack)
            self.screens.append(screen)
            self.stack.addWidget(screen)
            item = QListWidgetItem(cls.title)
            item.setToolTip(f"{cls.title} (Ctrl+{number})" if number <= 9 else cls.title)
            item.setSizeHint(QSize(0, 36))
            self.sidebar.addItem(item)
            signal = getattr(screen, "open_trade", None)
            if isinstance(signal, SignalInstance):
                signal.connect(self.open_trade)
            day_signal = getattr(screen, "day_selected", None)
            if isinstance(day_signal, SignalInstance):
                day_signal.connect(self.show_day)
        self.detail: Screen | None = None
        if detail is not None:
            self.detail = detail(tasks, self.stack)
            self.stack.addWidget(self.detail)
            closed = getattr(self.detail, "closed", None)
            if isinstance(closed, SignalInstance):
                closed.connect(self.close_detail)
        self._return_to = 0
        self.sidebar.currentRowChanged.connect(self._sidebar_moved)
        # Clicking the highlighted item again (e.g. from the trade detail) also goes there.
        self.sidebar.itemClicked.connect(lambda item: self.show_screen(self.sidebar.row(item)))
        self._style_sidebar()
        self.theme.changed.connect(self._style_sidebar)

        content = QWidget(self)
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.content = content
        self.outer = QStackedWidget(self)
        self.outer.addWidget(content)
        self.setCentralWidget(self.outer)
        QWidget.setTabOrder(self.sidebar, self.stack)

        self.locker = LockController(tasks, backend, self.outer, content, self)
        self.locker.locked.connect(self._locked)
        self.locker.unlocked.connect(self._unlocked)
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(self.lock)

        self._build_actions()
        self._build_status_bar()
        self._connect_settings_screen()
        tasks.task_failed.connect(self.show_failure)

        self._restore_window()
        self._load_vault_facts()

    # -- actions -------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.import_action = self._action("&Import a file…", "Ctrl+I", self.import_file, file_menu)
        self.lock_action = self._action("&Lock", "Ctrl+L", self.lock, file_menu)
        file_menu.addSeparator()
        quit_action = self._action(
            "&Quit", QKeySequence(QKeySequence.StandardKey.Quit), self.close, file_menu
        )
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        trade_menu = menu.addMenu("&Trades")
        self.new_trade_action = self._action("&New trade…", "Ctrl+N", self.new_trade, trade_menu)
        self.find_action = self._action("&Find trades…", "Ctrl+F", self.find_trades, trade_menu)
        go_menu = menu.addMenu("&Go")
        self.screen_actions: list[QAction] = []
        for index, screen in enumerate(self.screens):
            shortcut = f"Ctrl+{index + 1}" if index < 9 else ""
            title = screen.title.replace("&", "&&")  # a literal "&", not a mnemonic
            action = self._action(title, shortcut, _bind(self.show_screen, index), go_menu)
            action.setIcon(icon(type(screen).icon_name))
            self.screen_actions.append(action)
        help_menu = menu.addMenu("&Help")
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts",
            QKeySequence(QKeySequence.StandardKey.HelpContents),
            self._show_shortcuts,
            help_menu,
        )
        about = self._action("&About Journal Desktop", "", self._about, help_menu)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        self.vault_actions = [
            self.import_action,
            self.lock_action,
            self.new_trade_action,
            self.find_action,
            *self.screen_actions,
        ]

    def _action(
        self,
        text: str,
        shortcut: str | QKeySequence,
        slot: Callable[[], object],
        menu: object,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)  # type: ignore[attr-defined]
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_status_bar(self) -> None:
        self.busy = BusyIndicator(self.tasks, self)
        self.statusBar().addPermanentWidget(self.busy)

    def _style_sidebar(self) -> None:
        """A quiet column in the window colour with a rounded highlight; redone per theme."""
        colors = palette_colors()
        selected = self.palette().color(QPalette.ColorRole.HighlightedText)
        for row, screen in enumerate(self.screens):
            base = icon(type(screen).icon_name)
            item = self.sidebar.item(row)
            if item is not None:
                item.setIcon(with_selected_tint(base, selected, self.sidebar.iconSize()))
        self.sidebar.setStyleSheet(
            "QListWidget#Sidebar { background: palette(window); "
            f"border-right: 1px solid {colors.grid.name()}; padding-top: 8px; }}"
            "QListWidget#Sidebar::item { padding: 4px 10px; margin: 0 8px; border-radius: 6px; }"
            "QListWidget#Sidebar::item:selected { background: palette(highlight); "
            "color: palette(highlighted-text); }"
            "QListWidget#Sidebar::item:hover:!selected { "
            f"background: {colors.grid.name()}; }}"
        )

    def _connect_settings_screen(self) -> None:
        for screen in self.screens:
            for name, slot in (
                ("lock_requested", self.lock),
                ("theme_changed", self.theme.set_mode),
                ("auto_lock_changed", self.idle.set_minutes),
                ("key_storage_changed", self._key_storage_changed),
            ):
                signal = getattr(screen, name, None)
                if isinstance(signal, SignalInstance):
                    signal.connect(slot)

    def _key_storage_changed(self, key_storage: object) -> None:
        if isinstance(key_storage, KeyStorage):
            self.locker.key_storage = key_storage

    # -- screens -------------------------------------------------------------------------------

    @property
    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def show_screen(self, index: int, *, ask: bool = True) -> None:
        """Switch to a sidebar screen; unsaved trade notes are never dropped silently."""
        if self.locker.is_locked or not 0 <= index < len(self.screens):
            return
        if ask and not self._may_leave_detail():
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(self._return_to)
            self.sidebar.blockSignals(False)
            return
        screen = self.screens[index]
        self.stack.setCurrentWidget(screen)
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(index)
        self.sidebar.blockSignals(False)
        self.setWindowTitle(f"{screen.title} — {APP_TITLE}")
        _focus_first_child(screen)

    def _sidebar_moved(self, row: int) -> None:
        if row >= 0:
            self.show_screen(row)

    def _screen_with(self, method: str) -> tuple[int, Screen] | None:
        for index, screen in enumerate(self.screens):
            if callable(getattr(screen, method, None)):
                return index, screen
        return None

    def open_trade(self, trade_id: uuid.UUID | None) -> None:
        """Show a trade in the detail screen (None: a new manual trade)."""
        if self.detail is None or self.locker.is_locked:
            self.statusBar().showMessage("The trade detail screen is not available.", 5000)
            return
        if self.stack.currentWidget() is not self.detail:
            self._return_to = max(self.stack.currentIndex(), 0)
        self.stack.setCurrentWidget(self.detail)
        self.setWindowTitle(f"{self.detail.title or 'Trade'} — {APP_TITLE}")
        self.detail.show_trade(trade_id)  # type: ignore[attr-defined]

    def close_detail(self) -> None:
        # The detail screen has asked about unsaved changes before it emitted `closed`.
        self.show_screen(min(self._return_to, len(self.screens) - 1), ask=False)

    def _may_leave_detail(self) -> bool:
        """True unless the trade detail is showing unsaved changes the trader wants to keep
        editing (it asks: save, discard or stay)."""
        if self.detail is None or self.stack.currentWidget() is not self.detail:
            return True
        confirm = getattr(self.detail, "confirm_leave", None)
        return bool(confirm()) if callable(confirm) else True

    def show_day(self, day: object) -> None:
        """A day picked on the dashboard's calendar opens in the journal."""
        found = self._screen_with("select_day")
        if found is None:
            return
        self.show_screen(found[0])
        if self.stack.currentWidget() is found[1]:
            found[1].select_day(day)  # type: ignore[attr-defined]

    def save_pending_edits(self) -> None:
        """Hand every screen's unsaved typing to the worker, before a lock or quit closes
        the vault: work runs in order, so these saves land before the close."""
        for screen in (*self.screens, self.detail):
            save_now = getattr(screen, "save_now", None)
            if callable(save_now):
                save_now()
        if self.detail is not None and getattr(self.detail, "dirty", False):
            save = getattr(self.detail, "save", None)
            if callable(save):
                save()

    def new_trade(self) -> None:
        self.open_trade(None)

    def find_trades(self) -> None:
        found = self._screen_with("focus_search")
        if found is not None:
            self.show_screen(found[0])
            found[1].focus_search()  # type: ignore[attr-defined]

    def import_file(self) -> None:
        found = self._screen_with("choose_file")
        if found is not None:
            self.show_screen(found[0])
            found[1].choose_file()  # type: ignore[attr-defined]

    # -- lock ----------------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.locker.is_locked

    def lock(self) -> None:
        if not self.locker.is_locked:
            self.save_pending_edits()
        self.locker.lock()

    def _locked(self) -> None:
        self.idle.stop()
        self.statusBar().clearMessage()
        for action in self.vault_actions:
            action.setEnabled(False)
        self.setWindowTitle(f"Locked — {APP_TITLE}")

    def _unlocked(self, _metadata: object) -> None:
        for action in self.vault_actions:
            action.setEnabled(True)
        current = self.stack.currentWidget()
        title = current.title if isinstance(current, Screen) else ""
        self.setWindowTitle(f"{title} — {APP_TITLE}" if title else APP_TITLE)
        for screen in (*self.screens, self.detail):
            if screen is not None:
                screen.mark_stale()
        self._load_vault_facts()

    def _load_vault_facts(self) -> None:
        """Paths and key mode for the lock screen; theme and auto-lock from the settings."""

        def read(vault: Vault) -> tuple[VaultPaths, KeyStorage, str | None, str | None]:
            return (
                vault.paths,
                vault.metadata.key_storage,
                vault.settings.get(THEME_SETTING),
                vault.settings.get(AUTO_LOCK_SETTING),
            )

        self.tasks.run(read, on_success=self._vault_facts, owner=self)

    def _vault_facts(self, facts: tuple[VaultPaths, KeyStorage, str | None, str | None]) -> None:
        paths, key_storage, theme, auto_lock = facts
        self.locker.set_vault(paths, key_storage)
        self.theme.set_mode(theme or "system")
        self.idle.set_minutes(parse_minutes(auto_lock))
        self.idle.start()

    # -- status --------------------------------------------------------------------------------

    def show_failure(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    def shortcuts_text(self) -> str:
        """Every menu action with a shortcut, as an HTML table (Help > Keyboard shortcuts)."""
        rows = [
            (_plain(action.text()).rstrip("…"), action.shortcut())
            for action in self.actions()
            if not action.shortcut().isEmpty()
        ]
        cells = "".join(
            f"<tr><td>{html.escape(name)}</td><td>&nbsp;&nbsp;<b>"
            f"{html.escape(key.toString(QKeySequence.SequenceFormat.NativeText))}</b></td></tr>"
            for name, key in rows
        )
        return f"<table>{cells}</table>"

    def _show_shortcuts(self) -> None:
        QMessageBox.information(self, f"Keyboard shortcuts — {APP_TITLE}", self.shortcuts_text())

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<b>{APP_TITLE}</b> {__version__}<br>An encrypted, local-first trading journal.",
        )

    # -- geometry ------------------------------------------------------------------------------

    def _restore_window(self) -> None:
        geometry = self.settings.value(GEOMETRY_KEY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self._default_geometry()
        state = self.settings.value(STATE_KEY)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        wanted = self.settings.value(SCREEN_KEY)
        names = [type(s).__name__ for s in self.screens]
        self.show_screen(names.index(wanted) if wanted in names else 0)

    def _default_geometry(self) -> None:
        """1280x800, or nine tenths of a smaller screen, centred."""
        available = self.screen().availableGeometry()
        width = min(1280, int(available.width() * 0.9))
        height = min(800, int(available.height() * 0.9))
        self.resize(width, height)
        self.move(available.center() - self.rect().center())

    def save_window(self) -> None:
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState())
        current = self.stack.currentWidget()
        if current is self.detail and self.screens:
            current = self.screens[min(self._return_to, len(self.screens) - 1)]
        if current is not None:
            self.settings.setValue(SCREEN_KEY, type(current).__name__)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.locker.is_locked:
            if not self._may_leave_detail():
                event.ignore()
                return
            self.save_pending_edits()
        self.save_window()
        self.idle.stop()
        super().closeEvent(event)


def _plain(text: str) -> str:
    """A menu text without its mnemonic markers ("&&" is a literal ampersand)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _bind(slot: Callable[[int], None], index: int) -> Callable[[], None]:
    return lambda: slot(index)


def _focus_first_child(screen: QWidget) -> None:
    """Put the keyboard focus on the screen's first control, in its tab order."""
    if not screen.isVisible():
        return
    widget = screen.nextInFocusChain()
    for _ in range(500):  # a long focus chain is not worth a stall
        if widget is None or widget is screen:
            return
        if (
            screen.isAncestorOf(widget)
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        widget = widget.nextInFocusChain()
