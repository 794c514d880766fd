"""The dashboard's filter bar: a date range (presets or custom) and an account.

It owns no data: it turns what the trader picked into a `TradeFilter` (dates read in the
desktop's own time zone, as every date on screen is) and says when that changed.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QDate, QTimer, QTimeZone, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from journal_desktop.domain.statistics import TradeFilter
from journal_desktop.storage.dashboard_data import AccountChoice

#: Date edits wait this long after the last keystroke before the dashboard reloads.
DATE_EDIT_DELAY_MS = 250


class RangePreset(enum.Enum):
    ALL = "All time"
    THIS_MONTH = "This month"
    LAST_30_DAYS = "Last 30 days"
    YEAR_TO_DATE = "Year to date"
    CUSTOM = "Custom…"


def preset_range(preset: RangePreset, today: date) -> tuple[date | None, date | None]:
    """The inclusive dates a preset covers on `today` (None: open-ended); CUSTOM is open."""
    if preset is RangePreset.THIS_MONTH:
        return today.replace(day=1), today
    if preset is RangePreset.LAST_30_DAYS:
        return today - timedelta(days=29), today
    if preset is RangePreset.YEAR_TO_DATE:
        return today.replace(month=1, day=1), today
    return None, None


def local_zone() -> tzinfo:
    """The desktop's time zone as a tz database zone (DST-aware), else its current offset."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def _index_of(combo: QComboBox, value: object) -> int:
    """The item holding `value` (compared in Python: Qt cannot compare Python objects)."""
    for index in range(combo.count()):
        if combo.itemData(index) == value:
            return index
    return -1


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class DashboardFilterBar(QWidget):
    """Range preset, from/to (for a custom range) and account; `changed` on any edit."""

    changed = Signal()

    def __init__(
        self,
        tz: tzinfo,
        today: Callable[[], date] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tz = tz
        self._today = today or (lambda: datetime.now(tz).date())
        self.range_combo = QComboBox()
        self.range_combo.setAccessibleName("Date range")
        for preset in RangePreset:
            self.range_combo.addItem(preset.value, preset)
        now = _qdate(self._today())
        self.from_edit = QDateEdit(now.addDays(-29))
        self.from_edit.setAccessibleName("From date")
        self.to_edit = QDateEdit(now)
        self.to_edit.setAccessibleName("To date")
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self._to_label = QLabel("to")
        self.account_combo = QComboBox()
        self.account_combo.setAccessibleName("Account")
        self.account_combo.setMinimumContentsLength(12)
        self.account_combo.addItem("All accounts", None)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DATE_EDIT_DELAY_MS)
        self._debounce.timeout.connect(self.changed)

        range_label = QLabel("&Range")
        range_label.setBuddy(self.range_combo)
        account_label = QLabel("&Account")
        account_label.setBuddy(self.account_combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            range_label,
            self.range_combo,
            self.from_edit,
            self._to_label,
            self.to_edit,
            account_label,
            self.account_combo,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._show_custom(False)

        self.range_combo.currentIndexChanged.connect(self._range_changed)
        self.account_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.from_edit.dateChanged.connect(lambda _d: self._debounce.start())
        self.to_edit.dateChanged.connect(lambda _d: self._debounce.start())

    # -- what the trader picked ----------------------------------------------------------------

    @property
    def preset(self) -> RangePreset:
        found = self.range_combo.currentData()
        return found if isinstance(found, RangePreset) else RangePreset.ALL

    def date_range(self) -> tuple[date | None, date | None]:
        if self.preset is RangePreset.CUSTOM:
            first, last = sorted((_pydate(self.from_edit.date()), _pydate(self.to_edit.date())))
            return first, last
        return preset_range(self.preset, self._today())

    def account_id(self) -> uuid.UUID | None:
        found = self.account_combo.currentData()
        return found if isinstance(found, uuid.UUID) else None

    def trade_filter(self) -> TradeFilter:
        first, last = self.date_range()
        account = self.account_id()
        return TradeFilter(
            date_from=first,
            date_to=last,
            tz=self._tz,
            account_ids=None if account is None else frozenset({account}),
        )

    # -- setting it from code ------------------------------------------------------------------

    def set_preset(self, preset: RangePreset) -> None:
        self.range_combo.setCurrentIndex(_index_of(self.range_combo, preset))

    def set_custom_range(self, first: date, last: date) -> None:
        """Switch to a custom range; emits `changed` once."""
        for edit in (self.from_edit, self.to_edit):
            edit.blockSignals(True)
        self.from_edit.setDate(_qdate(first))
        self.to_edit.setDate(_qdate(last))
        for edit in (self.from_edit, self.to_edit):
            edit.blockSignals(False)
        if self.preset is RangePreset.CUSTOM:
            self.changed.emit()
        else:
            self.set_preset(RangePreset.CUSTOM)

    def set_account(self, account_id: uuid.UUID | None) -> None:
        index = _index_of(self.account_combo, account_id)
        if index >= 0:
            self.account_combo.setCurrentIndex(index)

    def set_accounts(self, accounts: Sequence[AccountChoice]) -> None:
        """Refresh the account list, keeping the selection (an account gone means all)."""
        current = self.account_id()
        wanted = [(a.name, a.account_id) for a in accounts]
        shown = [
            (self.account_combo.itemText(i), self.account_combo.itemData(i))
            for i in range(1, self.account_combo.count())
        ]
        if wanted == shown:
            return
        self.account_combo.blockSignals(True)
        try:
            while self.account_combo.count() > 1:
                self.account_combo.removeItem(1)
            for name, account_id in wanted:
                self.account_combo.addItem(name, account_id)
            index = _index_of(self.account_combo, current)
            self.account_combo.setCurrentIndex(max(index, 0))
        finally:
            self.account_combo.blockSignals(False)
        if current is not None and self.account_id() is None:
            self.changed.emit()

    # -- internals -----------------------------------------------------------------------------

    def _range_changed(self, _index: int) -> None:
        self._show_custom(self.preset is RangePreset.CUSTOM)
        self._debounce.stop()
        self.changed.emit()

    def _show_custom(self, shown: bool) -> None:
        for widget in (self.from_edit, self._to_label, self.to_edit):
            widget.setVisible(shown)
