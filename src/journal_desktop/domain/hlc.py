"""Hybrid logical clock stamps for per-field last-writer-wins merging.

A wall clock alone cannot order edits from two devices whose clocks disagree, and a pure
logical counter loses the human meaning of "when". An HLC keeps both: it never runs backwards,
it moves past any stamp it has seen from another device, and it stays close to real time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import total_ordering

# ASCII digits only, and fullmatch (not `$`, which also matches before a trailing newline).
_STAMP_PATTERN = re.compile(r"([0-9]{13})-([0-9]{6})-([0-9a-f]{1,32})")
_MAX_COUNTER = 999_999
#: Wall milliseconds must stay under this (13 digits in the text form: the year 2286).
_WALL_LIMIT = 10**13


class ClockExhausted(ValueError):
    """No stamp can follow one at the very end of the clock's range.

    Only a damaged record or a device whose clock is centuries wrong can carry such a stamp;
    refusing it (the clock stays as it was) is better than issuing a stamp that is not after it.
    """


@total_ordering
@dataclass(frozen=True, slots=True)
class Hlc:
    """One stamp: wall milliseconds, a counter for events in the same millisecond, and a node.

    The text form is fixed width, so stamps sort correctly as plain strings in SQL too.
    """

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.wall_ms < _WALL_LIMIT:
            raise ValueError("HLC wall time out of range")
        if not 0 <= self.counter <= _MAX_COUNTER:
            raise ValueError("HLC counter out of range")
        if not re.fullmatch(r"[0-9a-f]{1,32}", self.node):
            raise ValueError("HLC node must be 1-32 lowercase hex digits")

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:06d}-{self.node}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Hlc):
            return NotImplemented
        return (self.wall_ms, self.counter, self.node) < (other.wall_ms, other.counter, other.node)

    @classmethod
    def parse(cls, text: str) -> Hlc:
        match = _STAMP_PATTERN.fullmatch(text)
        if match is None:
            raise ValueError(f"not a hybrid logical clock stamp: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridLogicalClock:
    """Issues stamps for one device (node); `observe` folds in stamps received from others."""

    def __init__(self, node: str, *, wall_clock: Callable[[], int] = _wall_ms) -> None:
        self._node = node
        self._wall_clock = wall_clock
        self._last = Hlc(0, 0, node)

    @property
    def node(self) -> str:
        return self._node

    @property
    def last(self) -> Hlc:
        return self._last

    def now(self) -> Hlc:
        wall = self._wall_clock()
        if wall > self._last.wall_ms:
            stamp = Hlc(wall, 0, self._node)
        else:
            stamp = self._next_counter(self._last.wall_ms, self._last.counter)
        self._last = stamp
        return stamp

    def observe(self, remote: Hlc) -> Hlc:
        """Move past a stamp seen elsewhere, so our next edit is ordered after it."""
        wall = self._wall_clock()
        top = max(wall, self._last.wall_ms, remote.wall_ms)
        if top == self._last.wall_ms == remote.wall_ms:
            counter = max(self._last.counter, remote.counter)
            stamp = self._next_counter(top, counter)
        elif top == self._last.wall_ms:
            stamp = self._next_counter(top, self._last.counter)
        elif top == remote.wall_ms:
            stamp = self._next_counter(top, remote.counter)
        else:
            stamp = Hlc(top, 0, self._node)
        self._last = stamp
        return stamp

    def _next_counter(self, wall: int, counter: int) -> Hlc:
        if counter >= _MAX_COUNTER:
            # A million events in one millisecond: borrow the next millisecond rather than wrap.
            if wall + 1 >= _WALL_LIMIT:
                raise ClockExhausted(
                    f"no clock stamp can follow {Hlc(wall, counter, self._node)}: it is at the "
                    "end of the clock's range, which only a damaged record or a device clock "
                    "set centuries ahead can reach"
                )
            return Hlc(wall + 1, 0, self._node)
        return Hlc(wall, counter + 1, self._node)
