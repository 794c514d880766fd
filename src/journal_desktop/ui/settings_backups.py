"""Backups: a portable one to a file now, the local automatic ones, their age, and restore.

Backups are written on the worker (a SQLCipher snapshot, then encryption; Argon2id for the
backup passphrase). A restore never replaces the open journal: it builds a new vault in an
empty folder, which the person then opens; that way a wrong or damaged backup cannot cost
them the journal they have.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.backup import BACKUP_SUFFIX, BackupInfo
from journal_desktop.ui import dialogs, formatting
from journal_desktop.ui.settings_restore import RestoreFlow
from journal_desktop.ui.settings_work import (
    BACKUP_OVERDUE,
    LOCAL_BACKUPS_KEPT,
    BackupState,
    KeyEnvironmentSource,
    KeyStorageGetter,
    backup_state,
    local_backup_now,
    set_backup_schedule,
    write_backup,
)
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error
from journal_desktop.ui.theme import palette_colors

_BACKUP_FILTER = f"Journal Desktop backups (*{BACKUP_SUFFIX})"
#: The automatic local backup schedules offered, as (label, hours between backups).
SCHEDULES = (("Every day", 24), ("Every week", 168), ("Off", 0))


def age_text(age: timedelta | None) -> str:
    """`3 hours ago`, `2 days ago`; how a person thinks about a backup's freshness."""
    if age is None:
        return "none yet"
    seconds = int(age.total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


class BackupSection(QGroupBox):
    def __init__(
        self,
        tasks: VaultTasks,
        env: KeyEnvironmentSource,
        key_storage: KeyStorageGetter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Backups", parent)
        self.tasks = tasks
        self.env = env
        self._key_storage = key_storage
        self._state: BackupState | None = None
        self.newest = QLabel("Newest backup: …")
        self.newest.setAccessibleName("Age of the newest backup")
        self.every = QComboBox()
        for label, hours in SCHEDULES:
            self.every.addItem(label, hours)
        self.every.setAccessibleName("How often an automatic local backup is made")
        self.every.activated.connect(self._schedule_chosen)
        self.schedule = QLabel()
        self.schedule.setWordWrap(True)
        self.local_list = QListWidget()
        self.local_list.setAccessibleName("Local automatic backups")
        self.local_list.setMaximumHeight(140)
        self.backup_button = QPushButton("Back up to a file…")
        self.backup_button.setAccessibleName("Write an encrypted backup to a file")
        self.backup_button.clicked.connect(self.back_up_now)
        self.local_button = QPushButton("Make a local backup now")
        self.local_button.setAccessibleName("Make a local automatic backup now")
        self.local_button.clicked.connect(self.local_backup_now)
        self.restore_button = QPushButton("Restore a backup…")
        self.restore_button.setAccessibleName("Restore a backup into a new folder")
        self.restore_button.clicked.connect(self.restore)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setAccessibleName("Backup in progress")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Backup status")
        self.restore_flow = RestoreFlow(tasks, env, key_storage, self)
        self.restore_flow.message.connect(self.status.setText)
        self.restore_flow.busy.connect(self._set_busy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.local_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        restore_note = QLabel(
            "Restore makes a new journal in an empty folder from a backup; the journal open "
            "now is left as it is, and you open the restored one when you are ready."
        )
        restore_note.setWordWrap(True)
        every_row = QHBoxLayout()
        every_label = QLabel("&Automatic local backup:")
        every_label.setBuddy(self.every)
        every_row.addWidget(every_label)
        every_row.addWidget(self.every)
        every_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.newest)
        layout.addLayout(every_row)
        layout.addWidget(self.schedule)
        layout.addWidget(self.local_list)
        layout.addLayout(buttons)
        layout.addWidget(restore_note)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    @property
    def state(self) -> BackupState | None:
        return self._state

    def reload(self) -> None:
        self.tasks.run(backup_state, on_success=self._show, on_failure=self._failed, owner=self)

    def _show(self, state: BackupState) -> None:
        self._state = state
        colors = palette_colors()
        color = colors.loss if state.overdue else colors.gain
        self.newest.setText(f"Newest local backup: {age_text(state.newest_age)}")
        self.newest.setStyleSheet(f"color: {color.name()}")
        if state.overdue:
            self.newest.setToolTip(
                f"Older than {BACKUP_OVERDUE.days} days, or none: make a backup now."
            )
        else:
            self.newest.setToolTip("")
        self.every.setCurrentIndex(max(0, self.every.findData(state.every_hours)))
        when = {
            24: "One is made at most once a day, after the journal changes. ",
            168: "One is made at most once a week, after the journal changes. ",
        }.get(state.every_hours, "None are made now; the ones listed are kept. ")
        self.schedule.setText(
            "Automatic local backups are encrypted under this journal's key and kept in "
            f"{state.folder}; the newest {LOCAL_BACKUPS_KEPT} are kept, older ones are "
            f"deleted. {when}Keep a backup to a file somewhere else too."
        )
        self.local_list.clear()
        now = datetime.now(UTC)
        for backup in state.local:
            self.local_list.addItem(
                f"{formatting.local_time(backup.created_at)}  ({age_text(now - backup.created_at)}"
                f", {backup.size / 1_048_576:,.1f} MB)  {backup.path.name}"
            )
        if not state.local:
            self.local_list.addItem("No local backups yet.")

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.status.setText(describe_error(error))

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for button in (self.backup_button, self.local_button, self.restore_button):
            button.setEnabled(not busy)

    # -- back up to a file ---------------------------------------------------------------------

    def back_up_now(self) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d")
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Back up the journal",
            str(Path.home() / f"journal-{stamp}{BACKUP_SUFFIX}"),
            _BACKUP_FILTER,
        )
        if chosen:
            # The save dialog has already asked whether to replace an existing file.
            self.back_up_to(Path(chosen), overwrite=True)

    def back_up_to(self, target: Path, *, overwrite: bool = False) -> None:
        if target.suffix != BACKUP_SUFFIX:
            target = target.with_name(target.name + BACKUP_SUFFIX)
        passphrase = dialogs.ask_passphrase(
            self,
            "Backup passphrase",
            "Choose a passphrase for this backup. It is needed to restore it, and it is not "
            "stored anywhere: keep it safe, apart from the backup.",
            confirm=True,
        )
        if passphrase is None:
            return
        self._set_busy(True)
        self.status.setText(f"Writing the backup to {target}…")
        self.tasks.run(
            lambda vault: write_backup(vault, target, passphrase, overwrite=overwrite),
            on_success=self._backed_up,
            on_failure=self._failed,
            changes=ChangeSet(backups=True),
            owner=self,
        )

    def _backed_up(self, info: BackupInfo) -> None:
        self._set_busy(False)
        self.status.setText(
            f"Wrote an encrypted backup to {info.path} ({info.size / 1_048_576:,.1f} MB). "
            "Keep its passphrase safe: the backup cannot be restored without it."
        )

    # -- local backups ---------------------------------------------------------------------------

    def local_backup_now(self) -> None:
        self._set_busy(True)
        self.status.setText("Making a local backup…")
        self.tasks.run(
            local_backup_now,
            on_success=self._local_done,
            on_failure=self._failed,
            changes=ChangeSet(backups=True),
            owner=self,
        )

    def _schedule_chosen(self, index: int) -> None:
        every_hours = int(self.every.itemData(index))
        self.tasks.run(
            lambda vault: set_backup_schedule(vault, every_hours),
            on_success=self._show,
            on_failure=self._failed,
            changes=ChangeSet(settings=True),
            owner=self,
        )

    def _local_done(self, path: Path) -> None:
        self._set_busy(False)
        self.status.setText(f"Made a local backup: {path.name}.")

    # -- restore ---------------------------------------------------------------------------------

    def restore(self) -> None:
        self.restore_flow.start()
