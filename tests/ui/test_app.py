"""Start-up: `journal-desktop` with no arguments opens the window; the CLI stays Qt-free."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from journal_desktop import cli, launch
from journal_desktop.storage.metadata import KeyStorage
from tests.ui.shell_helpers import create_vault, folder_digest

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_no_arguments_means_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr(cli, "cmd_gui", lambda args: seen.append(args.data_dir) or 7)
    assert cli.main([]) == 7
    assert cli.main(["gui", "--data-dir", "/somewhere"]) == 7
    assert cli.main(["--data-dir", "/elsewhere", "gui"]) == 7
    assert seen == [None, "/somewhere", "/elsewhere"]


def test_the_bare_command_opens_the_window_without_the_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    windows: list[list[str]] = []
    commands: list[list[str]] = []
    monkeypatch.setattr(launch, "open_window", lambda args: windows.append(args) or 7)
    monkeypatch.setattr(cli, "main", lambda args: commands.append(list(args)) or 3)
    assert launch.main([]) == 7
    assert launch.main(["gui"]) == 7
    assert launch.main(["stats", "--json"]) == 3
    assert launch.main(["gui", "--data-dir", "/somewhere"]) == 3  # the CLI reads its options
    assert windows == [[], []]
    assert commands == [["stats", "--json"], ["gui", "--data-dir", "/somewhere"]]


def test_the_window_path_imports_no_storage_before_qt() -> None:
    """`journal-desktop` alone must not pay for the CLI's imports before the window starts."""
    code = (
        "import sys, journal_desktop.launch as l; l.no_display = lambda: True; l.main([]); "
        "print(sorted(m for m in sys.modules if m.startswith('journal_desktop')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "journal_desktop.cli" not in result.stdout
    assert "journal_desktop.storage" not in result.stdout


def test_the_cli_does_not_import_qt() -> None:
    code = (
        "import sys, journal_desktop.cli; print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check")
def test_without_a_display_the_window_is_refused_with_a_sentence() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    for code in (
        "import sys, journal_desktop.cli as c; sys.exit(c.main([]))",
        "import sys, journal_desktop.launch as l; sys.exit(l.main([]))",
        "import sys, journal_desktop.launch as l; sys.exit(l.main(['gui', '--data-dir', 'x']))",
    ):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 1
        assert "no display was found" in result.stderr
        assert "Traceback" not in result.stderr


#: Runs `ui.app.main` in a child process (its event loop and quit would end this process's
#: QApplication for the tests after it), prints the visible windows once start-up settled
#: (half a second, and a main window done opening its vault), a main window with the page it
#: shows in front ("MainWindow:LockScreen" while it asks for the passphrase).
DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from journal_desktop.ui import app
from journal_desktop.ui.main_window import MainWindow
from tests.fakes import InMemoryKeyringFake

app.default_backend = InMemoryKeyringFake  # the in-memory keychain fake, named so
create = app.create_application

def create_and_watch(argv):
    application = create(argv)
    def look():
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        if any(isinstance(w, MainWindow) and w.locker.opening for w in shown):
            QTimer.singleShot(100, look)
            return
        for widget in shown:
            name = type(widget).__name__
            if isinstance(widget, MainWindow):
                name += ":" + type(widget.outer.currentWidget()).__name__
            print(name)
            widget.close()
        QApplication.quit()
    QTimer.singleShot(500, look)
    return application

app.create_application = create_and_watch
sys.exit(app.main(sys.argv[1:]))
"""


def _start(data_dir: Path) -> tuple[int, list[str]]:
    """The exit code, and the windows that were visible half a second after start."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.split()


def _visible_windows_at_start(data_dir: Path) -> list[str]:
    code, windows = _start(data_dir)
    assert code == 0
    return windows


def test_gui_starts_with_the_wizard_when_there_is_no_vault(tmp_path: Path) -> None:
    assert _visible_windows_at_start(tmp_path / "new") == ["FirstRunWizard"]
    assert not (tmp_path / "new").exists()  # nothing created until Finish


def test_gui_starts_with_the_unlock_screen_for_an_existing_vault(tmp_path: Path) -> None:
    paths, _keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, "a passphrase!")
    before = folder_digest(paths.data_dir)
    # The main window, asking for the passphrase in front of the (hidden) journal.
    assert _visible_windows_at_start(paths.data_dir) == ["MainWindow:LockScreen"]
    assert folder_digest(paths.data_dir) == before


def test_the_window_is_painted_before_storage_keyring_or_a_screen_is_imported(
    tmp_path: Path,
) -> None:
    """The way to the first paint: Qt and the shell, nothing heavy (see ui/vault_opening.py)."""
    paths, _keyring = create_vault(tmp_path / "vault", KeyStorage.PASSPHRASE, "a passphrase!")
    code = f"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from journal_desktop.ui.app import AppController, create_application
from journal_desktop.ui.tasks import VaultTasks

application = create_application([])
tasks = VaultTasks()
controller = AppController(tasks, Path({str(paths.data_dir)!r}))
controller.start()
window = controller.window
window.repaint()
heavy = ("journal_desktop.storage", "journal_desktop.domain", "keyring", "numpy", "pyqtgraph",
         "sqlcipher3", "cryptography", "journal_desktop.ui.dashboard_screen")
print(sorted(m for m in sys.modules if m.startswith(heavy)))
window.close()
tasks.shutdown()
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_broken_keyring_means_no_keychain_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    from journal_desktop.storage.keychain import is_secure_backend
    from journal_desktop.ui import app

    def broken() -> object:
        raise RuntimeError("keyring configuration names a missing backend")

    monkeypatch.setattr(app, "default_backend", broken)
    backend = app.keyring_backend()
    assert type(backend).__module__ == "keyring.backends.fail"
    assert not is_secure_backend(backend)


def test_a_second_window_on_the_same_journal_is_refused(qtbot: object, tmp_path: Path) -> None:
    from journal_desktop.ui.app import instance_lock

    data_dir = tmp_path / "vault"
    held = instance_lock(data_dir)
    assert held is not None
    try:
        assert instance_lock(data_dir) is None
        assert instance_lock(tmp_path / "another") is not None
        code, windows = _start(data_dir)
        assert code == 1
        assert windows == ["QMessageBox"]
    finally:
        held.unlock()
    again = instance_lock(data_dir)
    assert again is not None
    again.unlock()
