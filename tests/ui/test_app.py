"""Start-up: `journal-desktop` with no arguments opens the window; the CLI stays Qt-free."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from journal_desktop import cli
from journal_desktop.ui import app as app_module
from journal_desktop.ui.first_run import FirstRunWizard
from journal_desktop.ui.unlock import UnlockWindow
from tests.fakes import InMemoryKeyringFake
from tests.ui.shell_helpers import create_vault


def test_no_arguments_means_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr(cli, "cmd_gui", lambda args: seen.append(args.data_dir) or 7)
    assert cli.main([]) == 7
    assert cli.main(["gui", "--data-dir", "/somewhere"]) == 7
    assert cli.main(["--data-dir", "/elsewhere", "gui"]) == 7
    assert seen == [None, "/somewhere", "/elsewhere"]


def test_the_cli_does_not_import_qt() -> None:
    code = (
        "import sys, journal_desktop.cli; print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


def _run_main_until(qtbot: QtBot, argv: list[str], check: list[object]) -> int:
    """Run `ui.app.main` with its event loop; close whatever opened once it is shown."""

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        check.extend(windows)
        for window in windows:
            window.close()
        QApplication.quit()

    QTimer.singleShot(300, look)
    return app_module.main(argv)


def test_gui_starts_with_the_wizard_when_there_is_no_vault(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "default_backend", InMemoryKeyringFake)
    shown: list[object] = []
    assert _run_main_until(qtbot, ["--data-dir", str(tmp_path / "new")], shown) == 0
    assert any(isinstance(w, FirstRunWizard) for w in shown)
    assert not (tmp_path / "new").exists()  # nothing created until Finish


def test_gui_starts_with_the_unlock_screen_for_an_existing_vault(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from journal_desktop.storage.metadata import KeyStorage

    paths, _keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, "a passphrase!")
    monkeypatch.setattr(app_module, "default_backend", InMemoryKeyringFake)
    shown: list[object] = []
    assert _run_main_until(qtbot, ["--data-dir", str(paths.data_dir)], shown) == 0
    assert any(isinstance(w, UnlockWindow) for w in shown)
    assert not any(isinstance(w, FirstRunWizard) for w in shown)
