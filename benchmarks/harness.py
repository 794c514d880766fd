"""Timing: repeat, interleave the two sides, report medians and their ratio.

A measurement is a callable that does its own untimed set-up and returns the seconds of the
part that counts (timed with `Stopwatch`, i.e. `time.perf_counter`). `interleave` alternates
which side goes first (ABBA...), so slow drift in the machine (page cache, CPU frequency, disk
write-back) lands on both sides equally. Before each measurement, dirty pages are flushed
(`settle`) and the garbage collector runs; during it, the collector is paused.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

Measure = Callable[[], float]


class Stopwatch:
    """`with Stopwatch() as sw: ...` then `sw.elapsed` in seconds (perf_counter)."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self._start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.elapsed = time.perf_counter() - self._start


def settle() -> None:
    """Wait for the kernel to write back dirty pages, so the write-back of earlier work (100 MB
    files are written here) does not land inside the next timed part."""
    os.sync()


def measure_once(measure: Measure) -> float:
    settle()
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return measure()
    finally:
        if was_enabled:
            gc.enable()


def interleave(sides: Sequence[Measure], repeats: int, *, warmup: int = 0) -> list[list[float]]:
    """Run every side `repeats` times, rotating which goes first; one list of samples per side.

    With two sides this is A B, B A, A B, ...; with three, A B C, B C A, C A B, ...
    `warmup` rounds run first and are thrown away.
    """
    samples: list[list[float]] = [[] for _ in sides]
    for round_index in range(warmup + repeats):
        count = len(sides)
        if count == 2:
            order = [0, 1] if round_index % 2 == 0 else [1, 0]
        else:
            order = [(round_index + i) % count for i in range(count)]
        for index in order:
            elapsed = measure_once(sides[index])
            if round_index >= warmup:
                samples[index].append(elapsed)
    return samples


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


@dataclass
class Result:
    """One figure: our time against the limit's time, both measured in this run."""

    name: str
    ours: list[float]
    limit: list[float] | None
    target: float | None
    what: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    #: "s" for times; "bytes" for a memory figure against a fixed limit.
    unit: str = "s"

    @property
    def ours_s(self) -> float:
        return median(self.ours)

    @property
    def limit_s(self) -> float | None:
        return None if not self.limit else median(self.limit)

    @property
    def ratio(self) -> float | None:
        limit = self.limit_s
        return None if limit is None or limit <= 0 else self.ours_s / limit

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return "info"
        return "PASS" if self.ratio < self.target else "OVER"

    def line(self) -> str:
        limit = self.limit_s
        ratio = self.ratio
        show = format_bytes if self.unit == "bytes" else format_seconds
        return (
            f"{self.name:<26} ours {show(self.ours_s):>9}"
            f"   limit {show(limit) if limit is not None else '-':>9}"
            f"   ratio {f'{ratio:.2f}x' if ratio is not None else '-':>6}"
            f"   target {f'<{self.target:.1f}x' if self.target is not None else '-':>5}"
            f"   {self.verdict}" + (f"   ({self.note})" if self.note else "")
        )

    @property
    def paired_ratios(self) -> list[float]:
        """ours[i] / limit[i] for samples taken in the same round (a check on the ratio)."""
        if not self.limit or len(self.limit) != len(self.ours):
            return []
        return [o / li for o, li in zip(self.ours, self.limit, strict=True) if li > 0]

    def as_json(self) -> dict[str, Any]:
        paired = self.paired_ratios
        return {
            "name": self.name,
            "what": self.what,
            "unit": self.unit,
            "ours_s": self.ours_s,
            "limit_s": self.limit_s,
            "ratio": self.ratio,
            "target": self.target,
            "verdict": self.verdict,
            "median_paired_ratio": median(paired) if paired else None,
            "note": self.note,
            "samples_ours_s": self.ours,
            "samples_limit_s": self.limit,
            "details": self.details,
        }


def format_seconds(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1_000_000:.0f} us"


def format_bytes(count: float) -> str:
    return f"{count / 2**20:.0f} MB"
