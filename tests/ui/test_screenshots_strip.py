"""Screenshots: pasted or dropped into the vault (never onto disk), thumbnails, viewer, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from journal_desktop.storage import trade_attachments
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.ui import screenshots_strip
from journal_desktop.ui.screenshots_strip import ImageViewer, ScreenshotsStrip, png_bytes
from journal_desktop.ui.tasks import VaultTasks
from tests.ui.conftest import run_sync, wait_idle
from tests.ui.trade_detail_helpers import make_trade, red_image, vault_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def strip(qtbot: QtBot, tasks: VaultTasks) -> ScreenshotsStrip:
    widget = ScreenshotsStrip(tasks)
    qtbot.addWidget(widget)
    widget.set_trade(make_trade(qtbot, tasks))
    wait_idle(qtbot, tasks)
    return widget


def stored(qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip) -> list[bytes]:
    trade_id = strip._trade_id
    assert trade_id is not None
    return run_sync(  # type: ignore[no-any-return]
        qtbot,
        tasks,
        lambda v: [
            trade_attachments.screenshot_bytes(v, a.id)
            for a in trade_attachments.screenshots(v, trade_id)
        ],
    )


def test_pasting_the_clipboard_image_stores_it_encrypted_and_shows_a_thumbnail(
    qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip, ui_paths: VaultPaths
) -> None:
    assert strip.count() == 0
    QApplication.clipboard().setImage(red_image(400, 300))
    strip.paste()
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=10_000)
    icon = strip.list.item(0).icon()
    assert not icon.isNull()
    images = stored(qtbot, tasks, strip)
    assert len(images) == 1 and images[0].startswith(PNG_SIGNATURE)
    # Inside SQLCipher: no file in the vault's folder holds the PNG in plain form.
    tasks.run(lambda v: v.db.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
    wait_idle(qtbot, tasks)
    assert PNG_SIGNATURE not in vault_bytes(ui_paths.data_dir)


def test_dropping_image_files_adds_them(
    qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip, tmp_path: Path
) -> None:
    path = tmp_path / "entry.png"
    path.write_bytes(png_bytes(red_image()))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    strip.dropEvent(event)
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=10_000)
    assert strip.list.item(0).text() == "entry.png"
    assert stored(qtbot, tasks, strip) == [path.read_bytes()]


def test_too_large_or_not_an_image_is_refused_with_a_message(
    qtbot: QtBot,
    tasks: VaultTasks,
    strip: ScreenshotsStrip,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages: list[str] = []
    strip.message.connect(messages.append)
    fake = tmp_path / "notes.png"
    fake.write_bytes(b"this is text, not a picture")
    strip.add_files([fake])
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "PNG and JPEG" in messages[-1]
    big = tmp_path / "huge.png"
    big.write_bytes(png_bytes(red_image()))
    monkeypatch.setattr(screenshots_strip, "MAX_SCREENSHOT_BYTES", 10)
    strip.add_files([big])
    assert "MiB" in messages[-1]
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, strip) == []
    assert strip.count() == 0


def test_an_empty_clipboard_says_so(qtbot: QtBot, strip: ScreenshotsStrip) -> None:
    QApplication.clipboard().setText("just words")
    with qtbot.waitSignal(strip.message, timeout=2000) as signal:
        strip.paste()
    assert "no image" in signal.args[0]


def test_clicking_a_thumbnail_opens_it_full_size(
    qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip
) -> None:
    strip.add_image(red_image(640, 480))
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=10_000)
    strip.list.itemClicked.emit(strip.list.item(0))
    qtbot.waitUntil(lambda: hasattr(strip, "viewer"), timeout=10_000)
    viewer = strip.viewer
    assert viewer.pixmap.width() == 640 and viewer.pixmap.height() == 480
    viewer.fit.setChecked(False)
    assert viewer.label.pixmap().width() == 640
    viewer.close()


def test_a_double_click_on_a_thumbnail_opens_one_viewer(
    qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip
) -> None:
    """A trader used to double-clicking images gets one viewer to close, not two."""
    strip.show()
    qtbot.waitExposed(strip)
    strip.add_image(red_image(640, 480))
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=10_000)
    center = strip.list.visualItemRect(strip.list.item(0)).center()
    qtbot.mouseClick(strip.list.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.mouseDClick(strip.list.viewport(), Qt.MouseButton.LeftButton, pos=center)
    wait_idle(qtbot, tasks)
    viewers = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImageViewer)]
    open_viewers = [w for w in viewers if w.isVisible()]
    assert len(open_viewers) == 1
    open_viewers[0].close()
    # Closed, it opens again on the next click.
    qtbot.mouseClick(strip.list.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.waitUntil(
        lambda: strip.viewer is not open_viewers[0] and strip.viewer.isVisible(), timeout=10_000
    )
    strip.viewer.close()


def test_enter_on_a_thumbnail_opens_it(
    qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip
) -> None:
    strip.show()
    qtbot.waitExposed(strip)
    strip.add_image(red_image(64, 48))
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=10_000)
    strip.list.setCurrentRow(0)
    qtbot.keyClick(strip.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: hasattr(strip, "viewer") and strip.viewer.isVisible(), timeout=10_000)
    strip.viewer.close()


def test_delete_asks_first_and_removes_the_image_from_the_vault(
    qtbot: QtBot, tasks: VaultTasks, strip: ScreenshotsStrip, monkeypatch: pytest.MonkeyPatch
) -> None:
    strip.add_image(red_image())
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=10_000)
    strip.list.setCurrentRow(0)
    monkeypatch.setattr(strip, "confirm_delete", lambda _name: False)
    strip.delete_selected()
    wait_idle(qtbot, tasks)
    assert len(stored(qtbot, tasks, strip)) == 1
    monkeypatch.setattr(strip, "confirm_delete", lambda _name: True)
    strip.delete_selected()
    qtbot.waitUntil(lambda: strip.count() == 0, timeout=10_000)
    assert stored(qtbot, tasks, strip) == []
