"""The `journal-desktop` command's entry point: the desktop window without the CLI's imports.

Most starts are the bare command (or `gui`), which opens the window. The command-line tool
imports the whole storage layer up front, a tenth of a second or more before the window could
begin; here the bare command goes straight to the window, as fast as `ui.app.main` itself,
and every other command line is handed to `cli.main` unchanged.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

EXIT_FAILURE = 1


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments in ([], ["gui"]):
        return open_window([])
    from journal_desktop import cli

    return cli.main(arguments)


def open_window(gui_args: list[str]) -> int:
    """Qt is imported only now, so a machine without a display gets a sentence, not a crash."""
    if no_display():
        print(
            "journal-desktop: no display was found for the desktop window; run it in a "
            "graphical session, or use the commands in `journal-desktop --help`.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    app = importlib.import_module("journal_desktop.ui.app")
    result: int = app.main(gui_args)
    return result


def no_display() -> bool:
    """On Linux and BSD a window needs X11 or Wayland (or a Qt platform chosen explicitly)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    names = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return not any(os.environ.get(name) for name in names)
