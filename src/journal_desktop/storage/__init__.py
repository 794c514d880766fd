"""The local vault: SQLCipher storage, keys, migrations, repositories, audit log, backups."""

from journal_desktop.storage.errors import VaultError
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths, default_data_dir
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment

__all__ = ["KeyEnvironment", "KeyStorage", "Vault", "VaultError", "VaultPaths", "default_data_dir"]
