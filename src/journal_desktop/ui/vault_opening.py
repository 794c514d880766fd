"""Where the journal lives, whether a vault is there, and opening it: what start-up needs.

Start-up shows the main window before the vault is opened, and the storage package (SQLCipher,
cryptography, the repositories: about 0.1 s of imports, the package's `__init__` loads them
all) must not stand between the person and that first paint. So the two facts the window needs
first, the data folder and whether it holds a vault, are answered here without importing
storage; tests/ui/test_startup.py holds them to `storage.paths`, which stays the authority.
Everything else (reading the metadata, the keychain, SQLCipher) runs in `open_vault`, on the
vault's worker thread, and imports storage there. Nothing here imports Qt.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journal_desktop.storage.keychain import KeyringBackend
    from journal_desktop.storage.vault import Vault

#: As `storage.paths.APP_NAME`, `VaultPaths.metadata` and `VaultPaths.database`.
APP_NAME = "journal-desktop"
METADATA_FILE = "vault.json"
DATABASE_FILE = "journal.db"


class PassphraseNeeded(Exception):
    """The vault wants a passphrase and none was typed yet: ask, do not fail."""


def default_data_dir() -> Path:
    """The platform's per-user data folder, as `storage.paths.default_data_dir` answers."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def vault_exists(data_dir: Path) -> bool:
    """True when the folder holds a vault (or what is left of one), as `VaultPaths.exists`:
    then start-up opens it and never offers to create a new one over it."""
    return (data_dir / METADATA_FILE).exists() or (data_dir / DATABASE_FILE).exists()


def open_vault(data_dir: Path, backend: KeyringBackend, passphrase: str | None = None) -> Vault:
    """Open the vault in `data_dir` (on the worker thread: the connection belongs to it).

    Without a passphrase a keychain vault opens with its key from `backend`, and a passphrase
    vault raises `PassphraseNeeded` before any key work. A missing or foreign folder fails
    while reading its metadata, before any key work either; nothing here creates a vault.
    """
    from journal_desktop.storage.paths import VaultPaths
    from journal_desktop.storage.vault import Vault, read_metadata
    from journal_desktop.storage.vault_keys import KeyEnvironment

    def source() -> str:
        if passphrase is None:
            raise PassphraseNeeded
        return passphrase

    paths = VaultPaths(data_dir)
    read_metadata(paths)
    return Vault.open(paths, KeyEnvironment(backend, passphrase=source))
