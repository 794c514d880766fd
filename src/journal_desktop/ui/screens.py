"""Which screens the sidebar shows, in order, and the trade detail the window opens on demand.

The main window needs only a screen's title and icon to list it, so those are written here and
the screen's module is imported the first time the screen is shown: start-up paints the window
without importing any screen (their imports, charts and the storage package among them, take
longer than the window itself). A window under test is built from test screens instead, and a
screen that fails to import takes only itself out: its page says so.

Only Qt-free modules are ever imported off the GUI thread (`ScreenSpec.warm_up`): importing a
module that uses Qt classes makes PySide6 create their Python types, and that lazy creation is
not safe against the GUI thread doing the same at the same moment (shiboken's type map is
changed under an iteration: a crash). A screen's own module is imported on the GUI thread.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import GuiBridge

log = logging.getLogger(__name__)


@dataclass(eq=False)
class ScreenSpec:
    """A screen known by name before its module is imported (or, in tests, a class)."""

    module: str
    class_name: str
    #: The sidebar's text and icon; tests/ui/test_main_window.py holds them to the class's.
    title: str
    icon_name: str
    #: Qt-free modules the screen's module needs (storage, domain): the slow part of its
    #: import, safe to do on a background thread (tests/ui/test_startup.py checks they are
    #: Qt-free).
    warm_up: tuple[str, ...] = ()
    _class: type[Screen] | None = field(default=None, repr=False)
    _failed: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, screen_class: type[Screen]) -> ScreenSpec:
        """A spec for a class at hand (nothing left to import)."""
        spec = cls(
            screen_class.__module__,
            screen_class.__name__,
            screen_class.title,
            screen_class.icon_name,
        )
        spec._class = screen_class
        return spec

    @property
    def imported(self) -> bool:
        """True when `load` would not import anything (the class is at hand, or failed)."""
        return self._class is not None or self._failed is not None

    @property
    def failure(self) -> str | None:
        """Why the screen could not be loaded, once `load` has failed."""
        return self._failed

    def load(self) -> type[Screen] | None:
        """The screen's class, importing its module on first use; None if it is missing.

        A module that is not there is logged and leaves a note for the page; a bug inside a
        module is logged with its traceback and noted too, rather than taking the window down.
        """
        if self._class is not None or self._failed is not None:
            return self._class
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as error:
            if error.name != self.module:
                self._fail(f"{self.title} could not be loaded ({error}).", error)
                return None
            log.warning("screen module %s is not available", self.module)
            self._failed = f"{self.title} is not available in this version."
            return None
        except Exception as error:
            self._fail(f"{self.title} could not be loaded ({type(error).__name__}).", error)
            return None
        cls = getattr(module, self.class_name, None)
        if not (isinstance(cls, type) and issubclass(cls, Screen)):
            log.warning("%s.%s is not a Screen", self.module, self.class_name)
            self._failed = f"{self.title} is not available in this version."
            return None
        self._class = cls
        return cls

    def _fail(self, text: str, error: BaseException) -> None:
        log.error("screen module %s failed to import", self.module, exc_info=error)
        self._failed = text

    def import_in_background(self, bridge: GuiBridge, done: Callable[[], None]) -> None:
        """Import the `warm_up` modules on a short-lived thread, then call `done` on the GUI
        thread, which then imports the screen's own module and builds it.

        The GUI thread meanwhile keeps answering input. If it needs the screen sooner, its
        `load` waits for a module this thread is importing (Python's per-module import lock)
        rather than importing it twice.
        """
        if self.imported or self.module in sys.modules or not self.warm_up:
            bridge.post(done)
            return

        def work() -> None:
            for name in self.warm_up:
                # A failure is left for `load` on the GUI thread to meet again and report.
                with contextlib.suppress(Exception):
                    importlib.import_module(name)
            bridge.post(done)

        # Not a daemon: a quit while it still imports waits for it, rather than tearing the
        # interpreter (and PySide6's types) down under a half-done import (a crash at exit).
        threading.Thread(target=work, name=f"import-{self.class_name}").start()


#: The sidebar screens; Ctrl+1.. follow this order.
SIDEBAR = (
    ScreenSpec(
        "journal_desktop.ui.dashboard_screen",
        "DashboardScreen",
        "Dashboard",
        "dashboard",
        ("journal_desktop.storage.dashboard_data", "zoneinfo"),
    ),
    ScreenSpec(
        "journal_desktop.ui.trades_screen",
        "TradesScreen",
        "Trades",
        "trades",
        ("journal_desktop.storage.dashboard_data", "journal_desktop.storage.trade_list"),
    ),
    ScreenSpec(
        "journal_desktop.ui.journal_screen",
        "JournalScreen",
        "Journal",
        "journal",
        ("journal_desktop.storage.journal_days",),
    ),
    ScreenSpec(
        "journal_desktop.ui.import_screen",
        "ImportScreen",
        "Import",
        "import",
        ("journal_desktop.storage.importing", "journal_desktop.importers"),
    ),
    ScreenSpec(
        "journal_desktop.ui.settings_screen",
        "SettingsScreen",
        "Security & settings",
        "security",
        ("journal_desktop.storage",),
    ),
)
DETAIL = ScreenSpec(
    "journal_desktop.ui.trade_detail",
    "TradeDetailScreen",
    "Trade",
    "trade",
    ("journal_desktop.storage.trade_editing",),
)


def sidebar_specs() -> list[ScreenSpec]:
    """Fresh specs for a new window (each window keeps what it loaded to itself)."""
    return [ScreenSpec(s.module, s.class_name, s.title, s.icon_name, s.warm_up) for s in SIDEBAR]


def detail_spec() -> ScreenSpec:
    return ScreenSpec(
        DETAIL.module, DETAIL.class_name, DETAIL.title, DETAIL.icon_name, DETAIL.warm_up
    )


def sidebar_screens() -> list[type[Screen]]:
    """Dashboard, Trades, Journal, Import, Security & settings (those that exist), imported."""
    return [cls for cls in (spec.load() for spec in sidebar_specs()) if cls is not None]


def detail_screen() -> type[Screen] | None:
    """The trade detail screen class, or None while it does not exist."""
    return detail_spec().load()
