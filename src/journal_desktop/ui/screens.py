"""Which screens the sidebar shows, in order, and the trade detail the window opens on demand.

The screen modules are imported here, inside functions, so a window under test can be built
from test screens without importing the real ones, and a screen that fails to import takes
only itself out of the sidebar.
"""

from __future__ import annotations

import importlib
import logging

from journal_desktop.ui.screen import Screen

log = logging.getLogger(__name__)

#: (module, class) of the sidebar screens; Ctrl+1.. follow this order.
SIDEBAR = (
    ("journal_desktop.ui.dashboard_screen", "DashboardScreen"),
    ("journal_desktop.ui.trades_screen", "TradesScreen"),
    ("journal_desktop.ui.journal_screen", "JournalScreen"),
    ("journal_desktop.ui.import_screen", "ImportScreen"),
    ("journal_desktop.ui.settings_screen", "SettingsScreen"),
)
DETAIL = ("journal_desktop.ui.trade_detail", "TradeDetailScreen")


def _load(module_name: str, class_name: str) -> type[Screen] | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # a real bug inside the module, not a screen that is not there
        log.warning("screen module %s is not available", module_name)
        return None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Screen)):
        log.warning("%s.%s is not a Screen", module_name, class_name)
        return None
    return cls


def sidebar_screens() -> list[type[Screen]]:
    """Dashboard, Trades, Journal, Import, Security & settings (those that exist)."""
    return [cls for cls in (_load(m, c) for m, c in SIDEBAR) if cls is not None]


def detail_screen() -> type[Screen] | None:
    """The trade detail screen class, or None while it does not exist."""
    return _load(*DETAIL)
