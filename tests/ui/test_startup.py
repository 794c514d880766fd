"""What start-up answers without the storage package agrees with the storage package.

`ui/vault_opening.py` finds the data folder and whether it holds a vault without importing
storage (whose package imports SQLCipher, cryptography and the repositories), so the main
window paints first. These facts must stay the ones `storage.paths` gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journal_desktop.storage.paths import APP_NAME, VaultPaths, default_data_dir
from journal_desktop.ui import vault_opening


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
