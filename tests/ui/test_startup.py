"""What start-up answers without the storage package agrees with the storage package.

`ui/vault_opening.py` finds the data folder and whether it holds a vault without importing
storage (whose package imports SQLCipher, cryptography and the repositories), so the main
window paints first. These facts must stay the ones `storage.paths` gives.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from journal_desktop.storage.paths import APP_NAME, VaultPaths, default_data_dir
from journal_desktop.ui import vault_opening
from journal_desktop.ui.screens import DETAIL, SIDEBAR


def test_the_default_data_folder_is_the_storage_one() -> None:
    assert vault_opening.APP_NAME == APP_NAME
    assert vault_opening.default_data_dir() == default_data_dir()


@pytest.mark.parametrize(
    "files",
    [(), ("vault.json",), ("journal.db",), ("vault.json", "journal.db"), ("notes.txt",)],
)
def test_a_vault_is_there_exactly_when_storage_says_so(
    tmp_path: Path, files: tuple[str, ...]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in files:
        (folder / name).write_bytes(b"x")
    assert vault_opening.vault_exists(folder) is VaultPaths(folder).exists()
    paths = VaultPaths(folder)
    assert (paths.metadata.name, paths.database.name) == (
        vault_opening.METADATA_FILE,
        vault_opening.DATABASE_FILE,
    )


def test_no_folder_is_no_vault(tmp_path: Path) -> None:
    assert not vault_opening.vault_exists(tmp_path / "missing")
    assert not VaultPaths(tmp_path / "missing").exists()


def test_what_screens_import_off_the_gui_thread_is_qt_free() -> None:
    """PySide6 creates a Qt class's Python type when a module first uses it, and that is not
    safe beside the GUI thread doing the same: only Qt-free modules may be warmed up."""
    modules = sorted({name for spec in (*SIDEBAR, DETAIL) for name in spec.warm_up})
    assert "journal_desktop.storage.dashboard_data" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
