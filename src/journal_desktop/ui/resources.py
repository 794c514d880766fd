"""Icons and other shipped files for the widgets, found wherever the package runs from."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from journal_desktop.assets import resource_path, resources_dir

APP_ICON = "journal-desktop"


def icon(name: str) -> QIcon:
    """The scalable icon resources/icons/<name>.svg; an empty icon when there is none.

    SVG keeps icons sharp at every device-pixel ratio. A missing icon is not worth a crash:
    the sidebar still shows the screen's title.
    """
    path = resource_path("icons", f"{name}.svg")
    if not name or not path.is_file():
        return QIcon()
    return QIcon(str(path))


def with_selected_tint(base: QIcon, color: QColor, size: QSize) -> QIcon:
    """`base`, plus a one-colour version for selected items (grey on a highlight is unreadable).

    The monochrome SVGs are mid-grey so they read on light and dark backgrounds; on the
    selection highlight the item text turns to the highlighted-text colour, and so should its
    icon.
    """
    if base.isNull():
        return base
    result = QIcon(base)
    for scale in (1, 2):
        source = base.pixmap(size * scale)
        tinted = QPixmap(source.size())
        tinted.fill(Qt.GlobalColor.transparent)
        painter = QPainter(tinted)
        painter.drawPixmap(0, 0, source)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(tinted.rect(), color)
        painter.end()
        result.addPixmap(tinted, QIcon.Mode.Selected)
    return result


__all__ = ["APP_ICON", "icon", "resource_path", "resources_dir", "with_selected_tint"]
