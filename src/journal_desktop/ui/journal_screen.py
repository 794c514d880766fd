"""The daily journal: a calendar of days, and for the chosen day its plan, review, mood,
trades and P&L.

Typed text is never lost. Edits are saved a moment after the trader pauses (autosave), on
Save (Ctrl+S), when another day is chosen and when the screen is hidden; the save is queued on
the worker before the next day is read, so the worker's order guarantees the save lands
first. Text that arrives from the vault never overwrites edits made after it was asked for:
each load remembers the edit revision it was asked at and leaves the editors alone if the
trader typed since.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QHideEvent,
    QKeySequence,
    QPalette,
    QShortcut,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import JournalEntry, Mood
from journal_desktop.storage.journal_days import (
    DayMark,
    JournalDay,
    load_day,
    month_marks,
    save_day,
)
from journal_desktop.ui.dashboard_filter import local_zone
from journal_desktop.ui.formatting import money
from journal_desktop.ui.journal_parts import DayTradesTable, MarkdownPane
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import ChangeSet, VaultLocked, VaultTasks, describe_error
from journal_desktop.ui.trade_table_model import gain_loss_colors

#: Pause after the last edit before the day is saved on its own.
AUTOSAVE_DELAY_MS = 1_500

_MOODS: tuple[tuple[str, Mood | None], ...] = (
    ("No mood", None),
    ("Terrible", Mood.TERRIBLE),
    ("Bad", Mood.BAD),
    ("Neutral", Mood.NEUTRAL),
    ("Good", Mood.GOOD),
    ("Great", Mood.GREAT),
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class JournalScreen(Screen):
    """Calendar on the left; the chosen day's plan, review, mood, trades and P&L on the right."""

    title: ClassVar[str] = "Journal"
    icon_name: ClassVar[str] = "journal"
    depends_on: ClassVar[frozenset[str]] = frozenset({"journal", "trades"})

    #: The trader opened one of the day's trades; carries its `uuid.UUID`.
    open_trade = Signal(object)
    #: A day was saved; carries the stored `JournalEntry` (None: nothing to store).
    saved = Signal(object)
    #: A day's content arrived from the vault (its date).
    day_loaded = Signal(object)
    #: The calendar's marks were refreshed.
    marks_loaded = Signal()

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.tz = local_zone()
        self._day = date.today()
        self._loaded_day: date | None = None
        self._edit_rev = 0
        self._saved_rev = 0
        self._marks: dict[date, DayMark] = {}
        self._shown_trades: JournalDay | None = None

        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Journal calendar")
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setSelectedDate(_qdate(self._day))
        self._plain_weekends()
        self.today_button = QPushButton("T&oday")
        self.today_button.setAccessibleName("Go to today")
        legend = QLabel("Bold: a journal entry. Colour: the day's net P&L.")
        legend.setWordWrap(True)
        self.day_label = QLabel()
        self.day_label.setAccessibleName("Day")
        font = self.day_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.day_label.setFont(font)
        self.pnl_label = QLabel()
        self.pnl_label.setAccessibleName("Day's P&L")
        self.mood_combo = QComboBox()
        self.mood_combo.setAccessibleName("Mood")
        for text, _mood in _MOODS:
            self.mood_combo.addItem(text)
        self.plan = MarkdownPane("Pre-market plan", "What will you trade today, and how?")
        self.review = MarkdownPane("Review", "How did it go? What will you keep or change?")
        self.trades_table = DayTradesTable()
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save the day")
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("Save status")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.calendar)
        left_layout.addWidget(self.today_button)
        left_layout.addWidget(legend)
        left_layout.addStretch(1)
        header = QHBoxLayout()
        header.addWidget(self.day_label)
        header.addStretch(1)
        header.addWidget(self.pnl_label)
        header.addWidget(QLabel("Mood"))
        header.addWidget(self.mood_combo)
        footer = QHBoxLayout()
        footer.addWidget(self.status_label, 1)
        footer.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addLayout(header)
        texts = QSplitter(Qt.Orientation.Vertical)
        texts.addWidget(self.plan)
        texts.addWidget(self.review)
        texts.addWidget(self.trades_table)
        right_layout.addWidget(texts, 1)
        right_layout.addLayout(footer)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.setTabOrder(self.calendar, self.today_button)
        self.setTabOrder(self.today_button, self.mood_combo)
        self.setTabOrder(self.mood_combo, self.plan.editor)
        self.setTabOrder(self.plan.editor, self.review.editor)
        self.setTabOrder(self.review.editor, self.save_button)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save_now)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save_now)

        self.calendar.selectionChanged.connect(
            lambda: self.select_day(_pydate(self.calendar.selectedDate()))
        )
        self.calendar.currentPageChanged.connect(lambda _y, _m: self._load_marks())
        self.plan.edited.connect(self._edited)
        self.review.edited.connect(self._edited)
        self.mood_combo.currentIndexChanged.connect(lambda _i: self._edited())
        self.save_button.clicked.connect(self.save_now)
        self.today_button.clicked.connect(self.go_to_today)
        self.trades_table.open_trade.connect(self.open_trade)
        self._show_day_header()
        self._set_editable(False)

    # -- what is shown -------------------------------------------------------------------------

    @property
    def day(self) -> date:
        return self._day

    @property
    def dirty(self) -> bool:
        """Whether there are edits not yet handed to the worker for saving."""
        return self._edit_rev != self._saved_rev

    def mood(self) -> Mood | None:
        return _MOODS[max(self.mood_combo.currentIndex(), 0)][1]

    def set_mood(self, mood: Mood | None) -> None:
        """Choose a mood as the trader would (it counts as an edit)."""
        for index, (_text, candidate) in enumerate(_MOODS):
            if candidate is mood:
                self.mood_combo.setCurrentIndex(index)

    def select_day(self, day: date) -> None:
        """Show another day; the current day's edits are saved first."""
        if day == self._day and self._loaded_day == day:
            return
        self.save_now()
        self._day = day
        if self.calendar.selectedDate() != _qdate(day):
            self.calendar.blockSignals(True)
            self.calendar.setSelectedDate(_qdate(day))
            self.calendar.blockSignals(False)
            self.calendar.showSelectedDate()
            self._load_marks()
        self._loaded_day = None
        self._set_editable(False)
        self._show_day_header()
        self._load_day()

    def go_to_today(self) -> None:
        self.select_day(date.today())
        self.calendar.showSelectedDate()

    def reload(self) -> None:
        super().reload()
        if self.dirty:
            self.save_now()  # an edit that could not be saved (the vault was locked) goes first
        self._load_day()
        self._load_marks()

    # -- loading -------------------------------------------------------------------------------

    def _load_day(self) -> None:
        day, tz, asked_at = self._day, self.tz, self._edit_rev
        self.tasks.run(
            lambda vault: load_day(vault, day, tz),
            on_success=lambda loaded: self._day_arrived(loaded, asked_at),
            on_failure=self._failed,
            owner=self,
        )

    def _day_arrived(self, loaded: JournalDay, asked_at: int) -> None:
        if loaded.day != self._day:
            return
        if self._loaded_day != loaded.day:
            self._apply_entry(loaded.entry)
            self.status_label.setText("")
        elif self._edit_rev == asked_at and not self.dirty:
            # Nothing typed since the read was asked for: the vault's version is the latest.
            self._apply_entry(loaded.entry)
        self._show_trades(loaded)
        self._loaded_day = loaded.day
        self._set_editable(True)
        self.day_loaded.emit(loaded.day)

    def _show_trades(self, loaded: JournalDay) -> None:
        """The day's trades and net, in the current theme's gain and loss colours."""
        self._shown_trades = loaded
        gain, loss = gain_loss_colors()
        self.trades_table.set_trades(loaded.trades, gain, loss)
        closed = sum(1 for t in loaded.trades if t.closed_at is not None)
        if loaded.trades:
            noun = "trade" if closed == 1 else "trades"
            self.pnl_label.setText(f"{closed} {noun}, net {money(loaded.net_pnl, signed=True)}")
            color = gain if loaded.net_pnl > 0 else loss if loaded.net_pnl < 0 else None
            self.pnl_label.setStyleSheet(f"color: {color.name()}" if color else "")
        else:
            self.pnl_label.setText("No trades")
            self.pnl_label.setStyleSheet("")

    def _apply_entry(self, entry: JournalEntry | None) -> None:
        for pane, text in (
            (self.plan, entry.plan if entry else ""),
            (self.review, entry.review if entry else ""),
        ):
            if pane.text() != text:  # unchanged text keeps its cursor and undo history
                pane.set_text(text)
        self.mood_combo.blockSignals(True)
        self.set_mood(entry.mood if entry else None)
        self.mood_combo.blockSignals(False)
        self._autosave.stop()
        self._saved_rev = self._edit_rev

    def _load_marks(self) -> None:
        first = date(self.calendar.yearShown(), self.calendar.monthShown(), 1)
        start, end = first - timedelta(days=7), first + timedelta(days=45)
        tz = self.tz
        self.tasks.run(
            lambda vault: month_marks(vault.db, start, end, tz),
            on_success=self._marks_arrived,
            on_failure=self._failed,
            owner=self,
        )

    def _marks_arrived(self, marks: dict[date, DayMark]) -> None:
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clears every format
        gain, loss = gain_loss_colors()
        for day, mark in marks.items():
            text_format = QTextCharFormat()
            if mark.has_entry:
                text_format.setFontWeight(QFont.Weight.Bold)
            if mark.trades:
                if mark.net_pnl:
                    text_format.setForeground(gain if mark.net_pnl > 0 else loss)
                noun = "trade" if mark.trades == 1 else "trades"
                text_format.setToolTip(
                    f"{mark.trades} {noun}, net {money(mark.net_pnl, signed=True)}"
                )
            self.calendar.setDateTextFormat(_qdate(day), text_format)
        self._marks = marks
        self.marks_loaded.emit()

    def mark_of(self, day: date) -> DayMark | None:
        return self._marks.get(day)

    # -- editing and saving --------------------------------------------------------------------

    def _edited(self) -> None:
        if self._loaded_day is None:
            return
        self._edit_rev += 1
        self.status_label.setText("Unsaved changes")
        self._autosave.start()

    def save_now(self) -> None:
        """Hand the day's edits to the worker (nothing to do when there are none)."""
        self._autosave.stop()
        if not self.dirty or self._loaded_day is None:
            return
        day, rev = self._loaded_day, self._edit_rev
        plan, review, mood = self.plan.text(), self.review.text(), self.mood()
        self._saved_rev = rev
        self.status_label.setText("Saving…")

        def saved(entry: JournalEntry | None) -> None:
            if day == self._day and rev == self._edit_rev:
                self.status_label.setText("Saved")
            self.saved.emit(entry)

        def failed(error: BaseException) -> None:
            if day == self._day:
                self._saved_rev = -1  # still unsaved: the next edit, Save or unlock retries
            if isinstance(error, VaultLocked):
                self.status_label.setText(
                    "Not saved yet: the journal is locked. It is saved on unlock."
                )
            else:
                self.status_label.setText(describe_error(error))

        self.tasks.run(
            lambda vault: save_day(vault, day, plan=plan, review=review, mood=mood),
            on_success=saved,
            on_failure=failed,
            changes=ChangeSet(journal=True),
            owner=self,
        )

    def _plain_weekends(self) -> None:
        """Qt paints weekends red by default, which would read as losing days here."""
        plain = QTextCharFormat()
        plain.setForeground(self.palette().color(QPalette.ColorRole.Text))
        for weekday in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.calendar.setWeekdayTextFormat(weekday, plain)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._plain_weekends()
            if self._marks:
                self._marks_arrived(self._marks)  # recolour the calendar for the new theme
            if self._shown_trades is not None:
                current = self.trades_table.currentRow()
                self._show_trades(self._shown_trades)  # and the day's trades and net
                if current >= 0:
                    self.trades_table.setCurrentCell(current, 0)
        super().changeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.save_now()
        super().hideEvent(event)

    # -- helpers -------------------------------------------------------------------------------

    def _set_editable(self, editable: bool) -> None:
        self.plan.set_editable(editable)
        self.review.set_editable(editable)
        self.mood_combo.setEnabled(editable)
        self.save_button.setEnabled(editable)

    def _show_day_header(self) -> None:
        self.day_label.setText(f"{self._day:%A}, {self._day.isoformat()}")

    def _failed(self, error: BaseException) -> None:
        self.status_label.setText(describe_error(error))
