"""A rough, honest hint about how guessable a new passphrase is.

Not a security guarantee: Argon2id slows every guess, but a short or single-word passphrase
still falls to a dictionary. The hint nudges people toward several unrelated words; the only
hard rule is the minimum length, shared with the command line.
"""

from __future__ import annotations

import enum
import math
import string
from dataclasses import dataclass

#: The same floor as `journal-desktop init` applies on the terminal.
MIN_PASSPHRASE_LENGTH = 10


class Strength(enum.IntEnum):
    TOO_SHORT = 0
    WEAK = 1
    FAIR = 2
    STRONG = 3


@dataclass(frozen=True, slots=True)
class StrengthHint:
    strength: Strength
    text: str


def _alphabet_size(passphrase: str) -> int:
    size = 0
    if any(c in string.ascii_lowercase for c in passphrase):
        size += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        size += 26
    if any(c in string.digits for c in passphrase):
        size += 10
    if any(c in string.punctuation or c == " " for c in passphrase):
        size += 33
    if any(ord(c) > 127 for c in passphrase):
        size += 100
    return max(size, 1)


def estimate(passphrase: str) -> StrengthHint:
    """A crude upper bound on entropy, discounted for repeats; worded as advice."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        missing = MIN_PASSPHRASE_LENGTH - len(passphrase)
        return StrengthHint(
            Strength.TOO_SHORT,
            f"Too short: {missing} more character{'s' if missing != 1 else ''} needed.",
        )
    distinct = len(set(passphrase))
    bits = min(len(passphrase), distinct * 2) * math.log2(_alphabet_size(passphrase))
    words = len([w for w in passphrase.replace("-", " ").split() if w])
    single_word = words < 2 and len(passphrase) < 16  # "password12", "Tr0ub4dor&3"
    if bits < 50 or distinct < 5 or single_word:
        return StrengthHint(
            Strength.WEAK, "Weak: easy to guess. Several unrelated words work well."
        )
    if bits < 80 and words < 4:
        return StrengthHint(Strength.FAIR, "Fair. Another unrelated word would make it strong.")
    return StrengthHint(Strength.STRONG, "Strong.")
