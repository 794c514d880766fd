"""Errors a trader can act on.

Each error carries one sentence that names the problem and says what to do; the CLI prints it
and exits non-zero, the UI shows it. None of them carries key material or journal text.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base of every error the vault reports to a person. `str(error)` is the sentence."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VaultNotFound(VaultError):
    def __init__(self, data_dir: str) -> None:
        super().__init__(
            f"No vault was found in {data_dir}: run `journal-desktop init` to create one, "
            "or pass --data-dir to point at an existing vault."
        )


class VaultAlreadyExists(VaultError):
    def __init__(self, data_dir: str) -> None:
        super().__init__(
            f"A vault already exists in {data_dir}; `init` never replaces one. "
            "Use another --data-dir for a new vault."
        )


class DataDirNotEmpty(VaultError):
    def __init__(self, data_dir: str) -> None:
        super().__init__(
            f"{data_dir} is not empty; a restore only writes into an empty data folder, "
            "so choose a new --data-dir or move the existing files away first."
        )


class KeychainUnavailable(VaultError):
    def __init__(self, backend: str) -> None:
        super().__init__(
            f"No secure OS keychain is available (keyring backend: {backend}); the key is never "
            "stored in plain text, so use `init --key-storage passphrase` instead."
        )


class KeychainEntryMissing(VaultError):
    def __init__(self, vault_id: str) -> None:
        super().__init__(
            "The OS keychain has no usable key for this vault "
            f"(entry journal-desktop/vault-{vault_id}); "
            "unlock or restore the keychain that held it, or restore a backup into a new "
            "data folder with `journal-desktop restore FILE`."
        )


class WrongPassphrase(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "The passphrase is wrong for this vault: nothing was changed; try again, "
            "or restore a backup if the passphrase is lost."
        )


class WrongKey(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "The key in the OS keychain does not open this vault (it belongs to another vault): "
            "nothing was changed; restore the right keychain entry or restore a backup."
        )


class PassphraseRequired(VaultError):
    def __init__(self, variable: str) -> None:
        super().__init__(
            f"A passphrase is needed but none was given: set {variable} or run from a terminal "
            "to be asked for it."
        )


class NotAVault(VaultError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"{path} is not a Journal Desktop vault ({reason}); it was left untouched. "
            "Check --data-dir, or restore a backup into an empty folder."
        )


class VaultDamaged(VaultError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"The vault file {path} is damaged ({detail}); it was left as it is. Restore your "
            "newest backup into a new data folder with `journal-desktop restore FILE`."
        )


class DiskFull(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "The disk is full: the change was not saved and the vault is unchanged; "
            "free some space and try again."
        )


class VaultBusy(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "The vault is in use by another Journal Desktop process; close it and try again."
        )


class NewerSchema(VaultError):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"This vault was written by a newer Journal Desktop (schema {found}, this version "
            f"knows {known}); upgrade the app, the vault was not changed."
        )


class WeakKeyParameters(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(
            f"The {what} asks for key-derivation settings below the safe minimum "
            "(Argon2id, 64 MiB, 3 passes); it was refused as possibly tampered with."
        )


class BackupError(VaultError):
    """A backup could not be written or read; the message says which and why."""


class RecordNotFound(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(f"No {what} was found in the vault.")


class DuplicateRecord(VaultError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} already exists; change that one instead of adding another.")
