"""The main window: a sidebar of screens, the trade detail on demand, lock and auto-lock.

The window paints before any screen exists: the sidebar lists the screens by name
(`screens.ScreenSpec`) and each screen's module is imported and the screen built the first
time it is shown, from any path that shows it (sidebar, Ctrl+1..5, Ctrl+F, Ctrl+I, a day
picked on the dashboard, restoring the last screen). For the screen the window opens on, the
slow, Qt-free part of its imports (storage, statistics) runs on a background thread right after
the first paint, so the window answers input meanwhile; then its module is imported and the
screen built on the GUI thread. Until then its page says "Opening your journal…". Once
built, screens are kept (switching is instant and keeps their state); hidden screens only
mark themselves stale when the vault changes. Standard shortcuts live on menu actions so they
are discoverable: Ctrl+1..5 screens, Ctrl+N new trade, Ctrl+F search, Ctrl+I import, Ctrl+L
lock. Geometry and the current screen survive a restart through QSettings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from journal_desktop import __version__
from journal_desktop.ui.auto_backup import AutoBackup
from journal_desktop.ui.busy_indicator import BusyIndicator
from journal_desktop.ui.idle import AUTO_LOCK_SETTING, IdleWatcher, parse_minutes
from journal_desktop.ui.lock import LockController
from journal_desktop.ui.resources import APP_ICON, icon, with_selected_tint
from journal_desktop.ui.screen import OPENING_TEXT, Screen
from journal_desktop.ui.screens import ScreenSpec, detail_spec, sidebar_specs
from journal_desktop.ui.tasks import GuiBridge, VaultTasks
from journal_desktop.ui.theme import THEME_SETTING, ThemeManager, palette_colors

if TYPE_CHECKING:
    import uuid

    from journal_desktop.storage.keychain import KeyringBackend
    from journal_desktop.storage.metadata import KeyStorage
    from journal_desktop.storage.paths import VaultPaths
    from journal_desktop.storage.vault import Vault

log = logging.getLogger(__name__)

APP_TITLE = "Journal Desktop"
GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
SCREEN_KEY = "window/screen"
#: The vault's theme choice, mirrored here (it is no secret) so the window paints in it before
#: the vault is open, instead of flashing the system's scheme first.
THEME_KEY = "window/theme"
#: Keys the screens bind themselves (no menu shows them), listed in Help > Keyboard shortcuts.
SCREEN_SHORTCUTS = (
    ("Save the trade's notes or the journal day", QKeySequence.StandardKey.Save),
    ("Paste a screenshot into the trade", QKeySequence.StandardKey.Paste),
    ("Preview the Markdown notes", "Ctrl+Shift+P"),
    ("Back from the trade", "Esc"),
)
#: If no paint event arrives (a window shown minimised), start anyway after this long.
FIRST_PAINT_FALLBACK_MS = 250


class PendingPage(QWidget):
    """Stands in the stack for a screen not built yet: "Opening your journal…", or why the
    screen could not be loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(OPENING_TEXT, self)
        self.label.setAccessibleName("Loading")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        font = self.label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)

    def show_failure(self, text: str) -> None:
        self.label.setText(text)
        self.label.setAccessibleName("Screen not available")


class MainWindow(QMainWindow):
    """The journal's window. `screens` and `detail` default to the real screens, loaded lazily;
    tests pass classes of their own."""

    def __init__(
        self,
        tasks: VaultTasks,
        *,
        backend: KeyringBackend | None,
        screens: Sequence[type[Screen] | ScreenSpec] | None = None,
        detail: type[Screen] | ScreenSpec | None = None,
        settings: QSettings | None = None,
        theme: ThemeManager | None = None,
    ) -> None:
        super().__init__()
        if screens is None:
            screens = sidebar_specs()
            detail = detail_spec() if detail is None else detail
        self.tasks = tasks
        self.settings = settings if settings is not None else QSettings()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.theme = theme if theme is not None else ThemeManager(app, self)
        remembered = self.settings.value(THEME_KEY)
        if isinstance(remembered, str) and remembered != self.theme.mode:
            self.theme.set_mode(remembered)
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
        #: One per sidebar row; the stack holds each one's page (pending, then its screen) at
        #: the same index, and the trade detail after them once it is built.
        self.specs = [s if isinstance(s, ScreenSpec) else ScreenSpec.of(s) for s in screens]
        self._built: list[Screen | None] = [None] * len(self.specs)
        self._pending: list[PendingPage] = []
        for number, spec in enumerate(self.specs, start=1):
            page = PendingPage(self.stack)
            self._pending.append(page)
            self.stack.addWidget(page)
            item = QListWidgetItem(spec.title)
            item.setToolTip(f"{spec.title} (Ctrl+{number})" if number <= 9 else spec.title)
            item.setSizeHint(QSize(0, 36))
            self.sidebar.addItem(item)
        self._detail_spec = (
            None
            if detail is None
            else detail
            if isinstance(detail, ScreenSpec)
            else ScreenSpec.of(detail)
        )
        self._detail: Screen | None = None
        self._current = 0  # the sidebar row shown, or returned to from the trade detail
        #: Where the keyboard focus was when the trade detail opened (a row of the trades
        #: list, a day's trade), given back when the detail closes.
        self._focus_before_detail: QWidget | None = None
        self._bridge = GuiBridge()
        self._painted = False
        self._open_request: tuple[Path, Callable[[], KeyringBackend]] | None = None
        self._lock_when_open = False
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
        tasks.task_failed.connect(self.show_failure)
        self.auto_backup = AutoBackup(tasks, self)
        self.auto_backup.failed.connect(self.show_failure)

        self._restore_window()
        if tasks.is_open:  # otherwise once `open_at_start` has opened it
            self._load_vault_facts()

    # -- start-up ------------------------------------------------------------------------------

    def open_at_start(self, data_dir: Path, find_backend: Callable[[], KeyringBackend]) -> None:
        """Open the vault in `data_dir` once the window has painted (see `LockController`)."""
        self._open_request = (data_dir, find_backend)
        if self._painted:
            self._after_first_paint()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._painted:
            QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self._first_paint_done)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            # After this paint has gone out, not inside it.
            QTimer.singleShot(0, self._first_paint_done)

    def _first_paint_done(self) -> None:
        if not self._painted:
            self._painted = True
            self._after_first_paint()

    def _after_first_paint(self) -> None:
        """The window is on screen: open the vault behind it, and load the screen it shows."""
        if self._open_request is not None:
            data_dir, find_backend = self._open_request
            self._open_request = None
            self.locker.open_at_start(data_dir, find_backend)
        index = self._current
        spec = self.specs[index] if self.specs else None
        if spec is not None and self._built[index] is None:
            spec.import_in_background(self._bridge, lambda: self._build_if_showing(index))

    def _build_if_showing(self, index: int, *, imported: bool = False) -> None:
        """The background imports are done: if the screen's page is still showing, import
        its module now and build it in the next turn of the event loop (two short pauses,
        with input answered in between, rather than one long one)."""
        if not (isValid(self.stack) and self.stack.currentWidget() is self._pending[index]):
            return
        if imported:
            self._build(index)
            return
        self.specs[index].load()
        QTimer.singleShot(0, self, lambda: self._build_if_showing(index, imported=True))

    # -- screens -------------------------------------------------------------------------------

    @property
    def screens(self) -> list[Screen]:
        """Every sidebar screen, building those not built yet (for tests and tools; the window
        itself builds a screen only when it is shown)."""
        built = (self._build(index) for index in range(len(self.specs)))
        return [screen for screen in built if screen is not None]

    @property
    def built_screens(self) -> list[Screen]:
        """The sidebar screens built so far, in sidebar order."""
        return [screen for screen in self._built if screen is not None]

    def screen_if_built(self, index: int) -> Screen | None:
        return self._built[index] if 0 <= index < len(self._built) else None

    @property
    def detail(self) -> Screen | None:
        """The trade detail screen, built now if it was not yet (None: there is none)."""
        return self._build_detail()

    def _build(self, index: int) -> Screen | None:
        """The screen of sidebar row `index`, importing its module and building it on first
        use; it takes its pending page's place in the stack. None if it cannot be loaded."""
        screen = self._built[index]
        if screen is not None:
            return screen
        spec = self.specs[index]
        page = self._pending[index]
        cls = spec.load()
        if cls is None:
            page.show_failure(spec.failure or f"{spec.title} is not available.")
            return None
        try:
            screen = cls(self.tasks, self.stack)
        except Exception:
            # A bug in one screen must not leave its page saying "Opening…" forever, nor
            # take the window down: the page says so, the log has the traceback.
            log.exception("building the %s screen failed", spec.title)
            page.show_failure(f"{spec.title} could not be opened (see the log).")
            return None
        self._built[index] = screen
        showing = self.stack.currentWidget() is page
        self.stack.insertWidget(self.stack.indexOf(page), screen)
        if showing:
            self.stack.setCurrentWidget(screen)
        self.stack.removeWidget(page)
        page.deleteLater()
        self._connect_screen(screen)
        return screen

    def _build_detail(self) -> Screen | None:
        if self._detail is None and self._detail_spec is not None:
            cls = self._detail_spec.load()
            if cls is not None:
                self._detail = cls(self.tasks, self.stack)
                self.stack.addWidget(self._detail)
                closed = getattr(self._detail, "closed", None)
                if isinstance(closed, SignalInstance):
                    closed.connect(self.close_detail)
        return self._detail

    def _connect_screen(self, screen: Screen) -> None:
        """What a screen may ask of the window: open a trade or a day, lock, theme, etc."""
        for name, slot in (
            ("open_trade", self.open_trade),
            ("day_selected", self.show_day),
            ("lock_requested", self.lock),
            ("theme_changed", self._set_theme),
            ("auto_lock_changed", self.idle.set_minutes),
            ("key_storage_changed", self._key_storage_changed),
        ):
            signal = getattr(screen, name, None)
            if isinstance(signal, SignalInstance):
                signal.connect(slot)

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
        for index, spec in enumerate(self.specs):
            shortcut = f"Ctrl+{index + 1}" if index < 9 else ""
            title = spec.title.replace("&", "&&")  # a literal "&", not a mnemonic
            action = self._action(title, shortcut, _bind(self.show_screen, index), go_menu)
            action.setIcon(icon(spec.icon_name))
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
        for row, spec in enumerate(self.specs):
            base = icon(spec.icon_name)
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

    def _set_theme(self, mode: str) -> None:
        """Apply the vault's theme choice and remember it for the next start's first paint."""
        self.theme.set_mode(mode)
        self.settings.setValue(THEME_KEY, self.theme.mode)

    def _key_storage_changed(self, key_storage: object) -> None:
        from journal_desktop.storage.metadata import KeyStorage

        if isinstance(key_storage, KeyStorage):
            self.locker.key_storage = key_storage

    # -- screens -------------------------------------------------------------------------------

    @property
    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def show_screen(self, index: int, *, ask: bool = True) -> None:
        """Switch to a sidebar screen, building it first if it is shown for the first time;
        unsaved trade notes are never dropped silently."""
        if self.locker.is_locked or not 0 <= index < len(self.specs):
            return
        if ask and not self._may_leave_detail():
            self.sidebar.blockSignals(True)
            self.sidebar.setCurrentRow(self._current)
            self.sidebar.blockSignals(False)
            return
        screen = self._build(index)
        self._show_page(index)
        if screen is not None:
            _focus_first_child(screen)

    def _show_page(self, index: int) -> None:
        """Make row `index` current: its screen, or its pending page while not built."""
        self._current = index
        self.stack.setCurrentWidget(self._built[index] or self._pending[index])
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(index)
        self.sidebar.blockSignals(False)
        self.setWindowTitle(f"{self.specs[index].title} — {APP_TITLE}")

    def _sidebar_moved(self, row: int) -> None:
        if row >= 0:
            self.show_screen(row)

    def _screen_with(self, method: str) -> tuple[int, Screen] | None:
        """The sidebar screen that can do `method` (Ctrl+F, Ctrl+I, a day to show), built.

        Screens whose class is at hand are asked first, so finding one imports no other
        screen's module; then the rest are loaded in sidebar order until one answers.
        """
        rows = sorted(range(len(self.specs)), key=lambda row: not self.specs[row].imported)
        for index in rows:
            cls = self.specs[index].load()
            if cls is not None and callable(getattr(cls, method, None)):
                screen = self._build(index)
                return None if screen is None else (index, screen)
        return None

    def open_trade(self, trade_id: uuid.UUID | None) -> None:
        """Show a trade in the detail screen (None: a new manual trade)."""
        if self.locker.is_locked:
            return
        detail = self._build_detail()
        if detail is None:
            self.statusBar().showMessage("The trade detail screen is not available.", 5000)
            return
        was_showing = self.stack.currentWidget() is detail
        if not was_showing:
            focus = QApplication.focusWidget()
            self._focus_before_detail = (
                focus if focus is not None and self.content.isAncestorOf(focus) else None
            )
        self.stack.setCurrentWidget(detail)
        self.setWindowTitle(f"{detail.title or 'Trade'} — {APP_TITLE}")
        detail.show_trade(trade_id)  # type: ignore[attr-defined]
        # The focus goes into the detail (a keyboard user opened it with Enter), on its first
        # control; typing already in it (the same trade asked for again) keeps its place.
        focus = QApplication.focusWidget()
        if (
            not was_showing
            or focus is None
            or not focus.isVisible()
            or not detail.isAncestorOf(focus)
            or isinstance(focus, QScrollArea)
        ):
            _focus_first_child(detail)

    def close_detail(self) -> None:
        # The detail screen has asked about unsaved changes before it emitted `closed`.
        self.show_screen(self._current, ask=False)
        back, self._focus_before_detail = self._focus_before_detail, None
        screen = self._built[self._current]
        if (
            back is not None
            and isValid(back)
            and screen is not None
            and screen.isAncestorOf(back)
            and back.isVisible()
            and back.isEnabled()
        ):
            back.setFocus(Qt.FocusReason.OtherFocusReason)

    def _may_leave_detail(self) -> bool:
        """True unless the trade detail is showing unsaved changes the trader wants to keep
        editing (it asks: save, discard or stay)."""
        if self._detail is None or self.stack.currentWidget() is not self._detail:
            return True
        confirm = getattr(self._detail, "confirm_leave", None)
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
        the vault: work runs in order, so these saves land before the close. A screen not
        built yet has nothing unsaved."""
        for screen in (*self.built_screens, self._detail):
            save_now = getattr(screen, "save_now", None)
            if callable(save_now):
                save_now()
        if self._detail is not None and getattr(self._detail, "dirty", False):
            save = getattr(self._detail, "save", None)
            if callable(save):
                save()

    def new_trade(self) -> None:
        self.open_trade(None)

    def find_trades(self) -> None:
        found = self._screen_with("focus_search")
        if found is not None:
            self.show_screen(found[0])
            if self.stack.currentWidget() is found[1]:  # not when the trader stayed put
                found[1].focus_search()  # type: ignore[attr-defined]

    def import_file(self) -> None:
        found = self._screen_with("choose_file")
        if found is not None:
            self.show_screen(found[0])
            if self.stack.currentWidget() is found[1]:  # not when the trader stayed put
                found[1].choose_file()  # type: ignore[attr-defined]

    # -- lock ----------------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.locker.is_locked

    def lock(self) -> None:
        if self.locker.paths is None and not self.locker.is_locked:
            # Asked while the vault is still being opened behind the window (or before its
            # facts are in): lock as soon as it can be, rather than not at all.
            self._lock_when_open = True
            return
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
        if isinstance(current, Screen):
            title = current.title
        else:
            title = self.specs[self._current].title if self.specs else ""
        self.setWindowTitle(f"{title} — {APP_TITLE}" if title else APP_TITLE)
        # Screens not built yet start stale and read the vault when first shown.
        for screen in (*self.built_screens, self._detail):
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
        self._set_theme(theme or "system")
        self.idle.set_minutes(parse_minutes(auto_lock))
        self.idle.start()
        if self._lock_when_open:
            self._lock_when_open = False
            self.lock()

    # -- status --------------------------------------------------------------------------------

    def show_failure(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)

    def shortcuts_text(self) -> str:
        """Every menu action with a shortcut, as an HTML table (Help > Keyboard shortcuts)."""
        import html  # only when asked; not on the way to the first paint

        rows = [
            (_plain(action.text()).rstrip("…"), action.shortcut())
            for action in self.actions()
            if not action.shortcut().isEmpty()
        ]
        rows += [(name, QKeySequence(keys)) for name, keys in SCREEN_SHORTCUTS]
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
        names = [spec.class_name for spec in self.specs]
        self.land_on(names.index(wanted) if wanted in names else 0)

    def land_on(self, index: int) -> None:
        """Open on sidebar row `index` (the last screen, or the dashboard after the first run).

        A screen whose class is at hand is built now; one still to be imported shows its
        "Opening your journal…" page and is imported after the first paint.
        """
        if not 0 <= index < len(self.specs):
            return
        if self.specs[index].imported:
            self._build(index)
        self._show_page(index)

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
        if self.specs:
            self.settings.setValue(SCREEN_KEY, self.specs[self._current].class_name)
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
    """Put the keyboard focus on the screen's first control, in its tab order.

    A scroll area is passed over: it is only the frame around a screen's controls, and
    focused it has no name to announce and turns the arrow keys into scrolling.
    """
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
            and not isinstance(widget, QScrollArea)
        ):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        widget = widget.nextInFocusChain()
