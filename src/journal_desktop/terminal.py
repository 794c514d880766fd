"""Reading passphrases for the command line: from the environment for scripts, else the tty.

Passphrases are never taken as command-line arguments (they would show in `ps` and shell
history) and never echoed. With neither a variable nor a terminal, the caller gets a clear
error instead of a hang.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from journal_desktop.storage.errors import PassphraseRequired, VaultError

VAULT_PASSPHRASE_VARIABLE = "JOURNAL_DESKTOP_PASSPHRASE"  # noqa: S105 (a variable name)
NEW_VAULT_PASSPHRASE_VARIABLE = "JOURNAL_DESKTOP_NEW_PASSPHRASE"  # noqa: S105
BACKUP_PASSPHRASE_VARIABLE = "JOURNAL_DESKTOP_BACKUP_PASSPHRASE"  # noqa: S105

#: New passphrases shorter than this are refused: Argon2id slows guessing, it cannot save "1234".
MIN_NEW_PASSPHRASE_LENGTH = 10


class PassphraseTooShort(VaultError):
    def __init__(self) -> None:
        super().__init__(
            f"That passphrase is too short: use at least {MIN_NEW_PASSPHRASE_LENGTH} "
            "characters (several unrelated words work well)."
        )


class PassphrasesDiffer(VaultError):
    def __init__(self) -> None:
        super().__init__("The two passphrases did not match; nothing was changed, try again.")


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def passphrase_source(
    variable: str, prompt: str, *, new: bool = False, confirm_prompt: str | None = None
) -> Callable[[], str]:
    """A callable that yields the passphrase when (and only when) it is needed.

    `new` passphrases are checked for length and, when typed, asked for twice.
    """
    cache: list[str] = []

    def read() -> str:
        if cache:
            return cache[0]
        value = os.environ.get(variable)
        if value is None:
            if not _interactive():
                raise PassphraseRequired(variable)
            value = getpass.getpass(prompt)
            if new:
                again = getpass.getpass(confirm_prompt or "Repeat it: ")
                if again != value:
                    raise PassphrasesDiffer()
        if not value:
            raise PassphraseRequired(variable)
        if new and len(value) < MIN_NEW_PASSPHRASE_LENGTH:
            raise PassphraseTooShort()
        cache.append(value)
        return value

    return read
