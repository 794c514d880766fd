"""A trade's screenshots as a strip of thumbnails: paste, drop, open full size, delete.

The images live only inside the encrypted vault (`storage.trade_attachments`): a pasted image
is encoded to PNG and a dropped file is read on the vault worker, and nothing is ever written
to disk in plain form (not even a temporary file).

Thumbnails are scaled on the worker when the strip loads, from the stored image, and kept in
memory keyed by the image's SHA-256, so reopening a trade or refreshing after an edit decodes
nothing again. Storing thumbnails in the vault as well would have needed a schema change and a
second copy of every image to sync, for a saving of a few milliseconds per screenshot.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import Attachment
from journal_desktop.storage import trade_attachments
from journal_desktop.storage.trade_attachments import MAX_SCREENSHOT_BYTES, ScreenshotRejected
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error

#: Longest side of a thumbnail, in device-independent pixels.
THUMBNAIL_SIZE = 144
#: How many decoded thumbnails stay in memory.
CACHE_SIZE = 200
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
#: Role of a thumbnail item that holds the attachment's id.
AttachmentIdRole = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, slots=True)
class Thumbnail:
    attachment: Attachment
    image: QImage | None  # None: the cache already holds it


def scaled_thumbnail(data: bytes) -> QImage:
    """Decode and scale an image; runs on the worker (QImage is safe off the GUI thread)."""
    image = QImage.fromData(data)
    if image.isNull():
        return image
    return image.scaled(
        THUMBNAIL_SIZE * 2,
        THUMBNAIL_SIZE * 2,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def png_bytes(image: QImage) -> bytes:
    """An image as PNG bytes, in memory only."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; only str works
    return bytes(buffer.data().data())


def image_paths(mime: QMimeData) -> list[Path]:
    """Local image files named by a drag or a copied file; other things are ignored."""
    if not mime.hasUrls():
        return []
    return [
        Path(url.toLocalFile())
        for url in mime.urls()
        if url.isLocalFile() and url.toLocalFile().lower().endswith(IMAGE_SUFFIXES)
    ]


class ScreenshotsStrip(QWidget):
    """Thumbnails of one trade's screenshots, with paste (Ctrl+V), drop and delete."""

    #: A screenshot was added or deleted (the vault already holds the change).
    changed = Signal()
    #: A sentence for the user (a refused file, a failed save).
    message = Signal(str)

    def __init__(
        self, tasks: VaultTasks, parent: QWidget | None = None, *, paste_shortcut: bool = True
    ) -> None:
        """`paste_shortcut` False: the enclosing screen binds Ctrl+V itself (one binding
        per key in a window, or Qt finds the shortcut ambiguous and fires neither)."""
        super().__init__(parent)
        self.tasks = tasks
        self._trade_id: uuid.UUID | None = None
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        #: The screenshot being read to open (a click, then the double-click's second click,
        #: both ask for it: one viewer opens).
        self._opening: object = None
        self.setAcceptDrops(True)

        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.list.setMovement(QListView.Movement.Static)
        self.list.setFixedHeight(THUMBNAIL_SIZE + 48)
        self.list.setAccessibleName("Screenshots")
        self.list.setToolTip("Paste (Ctrl+V) or drop PNG/JPEG images here; click one to open it")
        self.list.itemActivated.connect(self._open_item)
        self.list.itemClicked.connect(self._open_item)
        self.list.setAcceptDrops(False)

        self.paste_button = QPushButton("Paste image")
        self.paste_button.setAccessibleName("Paste screenshot from clipboard")
        self.paste_button.clicked.connect(self.paste)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete selected screenshot")
        self.delete_button.clicked.connect(self.delete_selected)
        self.hint = QLabel("No screenshots yet: paste one (Ctrl+V) or drop image files here.")
        self.hint.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)

        if paste_shortcut:
            paste = QShortcut(QKeySequence.StandardKey.Paste, self)
            paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            paste.activated.connect(self.paste)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        open_action = QAction("Open", self.list)
        open_action.triggered.connect(self._open_current)
        delete_action = QAction("Delete…", self.list)
        delete_action.triggered.connect(self.delete_selected)
        self.list.addActions([open_action, delete_action])
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)
        self._update_state()

    # -- loading -------------------------------------------------------------------------------

    def set_trade(self, trade_id: uuid.UUID | None, *, load: bool = True) -> None:
        self._trade_id = trade_id
        self.list.clear()
        self._update_state()
        if trade_id is not None and load:
            self.reload()

    def reload(self) -> None:
        trade_id = self._trade_id
        if trade_id is None:
            return
        cached = frozenset(self._cache)

        def work(vault: Vault) -> list[Thumbnail]:
            result = []
            for attachment in trade_attachments.screenshots(vault, trade_id):
                image = None
                if attachment.sha256 not in cached:
                    image = scaled_thumbnail(
                        trade_attachments.screenshot_bytes(vault, attachment.id)
                    )
                result.append(Thumbnail(attachment, image))
            return result

        self.tasks.run(
            work,
            on_success=lambda items: self._show(trade_id, items),
            on_failure=self._failed,
            owner=self,
        )

    def _show(self, trade_id: uuid.UUID, items: list[Thumbnail]) -> None:
        if trade_id != self._trade_id:
            return
        self.list.clear()
        for item in items:
            key = item.attachment.sha256
            if item.image is not None:
                self._cache[key] = QPixmap.fromImage(item.image)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            pixmap = self._cache.get(key)
            entry = QListWidgetItem(
                QIcon(pixmap) if pixmap is not None else QIcon(), item.attachment.filename
            )
            entry.setData(AttachmentIdRole, item.attachment.id)
            entry.setToolTip(f"{item.attachment.filename} ({item.attachment.size // 1024} KiB)")
            self.list.addItem(entry)
        self._update_state()

    def count(self) -> int:
        return self.list.count()

    def _update_state(self) -> None:
        has_trade = self._trade_id is not None
        self.paste_button.setEnabled(has_trade)
        self.delete_button.setEnabled(has_trade and self.list.count() > 0)
        self.hint.setVisible(self.list.count() == 0)

    # -- adding --------------------------------------------------------------------------------

    def paste(self) -> None:
        """Store the clipboard's image (or copied image files) on the trade."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and image_paths(mime):
            self.add_files(image_paths(mime))
            return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.message.emit("The clipboard holds no image to paste.")
            return
        self.add_image(image)

    def add_image(self, image: QImage, filename: str = "screenshot.png") -> None:
        trade_id = self._trade_id
        if trade_id is None or image.isNull():
            return
        copy = image.copy()  # the worker encodes it; the clipboard may change meanwhile
        self._store(
            lambda vault: trade_attachments.add_screenshot(
                vault, trade_id, filename, png_bytes(copy)
            )
        )

    def add_files(self, paths: list[Path]) -> None:
        trade_id = self._trade_id
        if trade_id is None:
            return
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError:
                self.message.emit(f"{path.name} cannot be read.")
                continue
            if size > MAX_SCREENSHOT_BYTES:
                self.message.emit(
                    f"{path.name} is {size / 1024 / 1024:.1f} MiB; screenshots of up to "
                    f"{MAX_SCREENSHOT_BYTES // 1024 // 1024} MiB are kept."
                )
                continue
            self._store(
                lambda vault, path=path: trade_attachments.add_screenshot(
                    vault, trade_id, path.name, _read_limited(path)
                )
            )

    def _store(self, work: object) -> None:
        self.tasks.run(
            work,  # type: ignore[arg-type]
            on_success=lambda _: self._after_change(),
            on_failure=self._failed,
            changes=ChangeSet(attachments=True),
            owner=self,
        )

    def _after_change(self) -> None:
        self.changed.emit()
        self.reload()

    def _failed(self, error: BaseException) -> None:
        self.message.emit(describe_error(error))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._trade_id is not None and image_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = image_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    # -- viewing and deleting ------------------------------------------------------------------

    def _open_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._open_item(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        attachment_id = item.data(AttachmentIdRole)
        if attachment_id is None or attachment_id == self._opening:
            return
        self._opening = attachment_id
        name = item.text()

        def failed(error: BaseException) -> None:
            self._opening = None
            self._failed(error)

        self.tasks.run(
            lambda vault: trade_attachments.screenshot_bytes(vault, attachment_id),
            on_success=lambda data: self._open_viewer(name, data),
            on_failure=failed,
            owner=self,
        )

    def _open_viewer(self, name: str, data: bytes) -> None:
        viewer = ImageViewer(name, data, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.finished.connect(self._viewer_closed)
        self.viewer = viewer
        viewer.open()

    def _viewer_closed(self) -> None:
        self._opening = None

    def delete_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        if not self.confirm_delete(item.text()):
            return
        attachment_id = item.data(AttachmentIdRole)
        self._store(lambda vault: trade_attachments.delete_screenshot(vault, attachment_id))

    def confirm_delete(self, name: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Delete screenshot",
            f"Delete {name} from this trade? It is removed from the vault.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes


def _read_limited(path: Path) -> bytes:
    """Read a dropped file on the worker, refusing one that grew past the limit meanwhile."""
    with path.open("rb") as handle:
        data = handle.read(MAX_SCREENSHOT_BYTES + 1)
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise ScreenshotRejected(
            f"{path.name} is larger than {MAX_SCREENSHOT_BYTES // 1024 // 1024} MiB."
        )
    return data


class ImageViewer(QDialog):
    """One screenshot full size: scrollable, or fitted to the window ("Fit")."""

    def __init__(self, name: str, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(name)
        self.pixmap = QPixmap()
        self.pixmap.loadFromData(QByteArray(data))
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(f"Screenshot {name}")
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.label)
        self.scroller.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit = QPushButton("Fit to window")
        self.fit.setCheckable(True)
        self.fit.setChecked(True)
        self.fit.setAccessibleName("Fit screenshot to window")
        self.fit.toggled.connect(self._refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.fit, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry()
        self.resize(
            min(self.pixmap.width() + 40, screen.width() * 9 // 10) or 640,
            min(self.pixmap.height() + 80, screen.height() * 9 // 10) or 480,
        )
        self._refresh()

    def _refresh(self) -> None:
        if self.pixmap.isNull():
            self.label.setText("This image cannot be shown.")
            return
        if self.fit.isChecked():
            self.scroller.setWidgetResizable(True)
            size = self.scroller.viewport().size()
            self.label.setPixmap(
                self.pixmap.scaled(
                    size,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                if self.pixmap.width() > size.width() or self.pixmap.height() > size.height()
                else self.pixmap
            )
        else:
            self.scroller.setWidgetResizable(False)
            self.label.setPixmap(self.pixmap)
            self.label.adjustSize()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.fit.isChecked():
            self._refresh()
