"""Icons and other shipped files for the widgets, found wherever the package runs from."""

from __future__ import annotations

from PySide6.QtGui import QIcon

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


__all__ = ["APP_ICON", "icon", "resource_path", "resources_dir"]
