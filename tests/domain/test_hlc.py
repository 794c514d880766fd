"""Hybrid logical clock: monotonic whatever the wall clock does, and a text form that sorts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal_desktop.domain.hlc import ClockExhausted, Hlc, HybridLogicalClock

NODE = "a1"

wall_times = st.integers(min_value=0, max_value=10**12)
# Small ranges as well as the full one, so equal walls, equal counters and nodes that are
# prefixes of each other ("a" and "ab") come up often.
nodes = st.text(alphabet="0123456789abcdef", min_size=1, max_size=32) | st.sampled_from(
    ["a", "ab", "b", "0", "00", "f" * 32]
)
stamps = st.builds(
    Hlc,
    st.integers(min_value=0, max_value=3) | st.integers(min_value=0, max_value=10**13 - 1),
    st.integers(min_value=0, max_value=2) | st.integers(min_value=0, max_value=999_999),
    nodes,
)


def scripted_clock(times: Iterable[int]) -> Callable[[], int]:
    """A wall clock that returns the given readings in turn (then repeats the last)."""
    readings = list(times)
    position = 0

    def read() -> int:
        nonlocal position
        value = readings[min(position, len(readings) - 1)]
        position += 1
        return value

    return read


def test_stamps_follow_the_wall_clock_when_it_moves_forward() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([1000, 1005, 2000]))
    assert [clock.now() for _ in range(3)] == [
        Hlc(1000, 0, NODE),
        Hlc(1005, 0, NODE),
        Hlc(2000, 0, NODE),
    ]


def test_stamps_never_go_back_when_the_wall_clock_does() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([5000, 5000, 4000, 10, 5000, 5001]))
    issued = [clock.now() for _ in range(6)]
    assert issued == sorted(issued)
    assert len(set(issued)) == len(issued)
    # While the wall clock is behind, the counter carries on from the last stamp.
    assert issued[:5] == [Hlc(5000, n, NODE) for n in range(5)]
    assert issued[5] == Hlc(5001, 0, NODE)


def test_counter_overflow_borrows_the_next_millisecond() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([7000]))
    clock.observe(Hlc(7000, 999_999, "b2"))  # gives 7001/0: the counter cannot grow past max
    assert clock.last == Hlc(7001, 0, NODE)
    assert clock.now() == Hlc(7001, 1, NODE)


@settings(max_examples=200)
@given(st.lists(wall_times, min_size=1, max_size=50))
def test_stamps_strictly_increase_under_any_wall_clock(times: list[int]) -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock(times))
    issued = [clock.now() for _ in times]
    assert all(a < b for a, b in itertools.pairwise(issued))
    assert all(s.node == NODE for s in issued)


def test_observe_moves_past_a_remote_stamp_from_the_future() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([1000]))
    remote = Hlc(9_000_000, 17, "ff")
    seen = clock.observe(remote)
    assert seen > remote
    assert seen == Hlc(9_000_000, 18, NODE)
    assert clock.now() > remote


def test_observe_of_an_older_remote_stamp_still_advances() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([1000, 1000, 1000]))
    first = clock.now()
    seen = clock.observe(Hlc(10, 3, "ff"))
    assert seen > first
    assert clock.now() > seen


def test_observe_with_equal_wall_takes_the_higher_counter() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([500]))
    clock.now()  # 500/0
    assert clock.observe(Hlc(500, 40, "ff")) == Hlc(500, 41, NODE)


#: The last stamp the clock's range holds: nothing can be ordered after it.
END_OF_RANGE = Hlc(10**13 - 1, 999_999, "ff")


def test_a_stamp_at_the_end_of_the_range_is_refused_and_changes_nothing() -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock([500]))
    issued = clock.now()
    with pytest.raises(ClockExhausted, match="end of the clock's range"):
        clock.observe(END_OF_RANGE)
    assert clock.last == issued
    assert clock.observe(Hlc(10**13 - 1, 5, "ff")) == Hlc(10**13 - 1, 6, NODE)


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(st.none(), stamps),  # None: a local edit; a stamp: one received from elsewhere
        min_size=1,
        max_size=40,
    ),
    st.lists(wall_times, min_size=1, max_size=40),
)
def test_every_stamp_is_after_all_stamps_issued_or_seen_before(
    events: list[Hlc | None], times: list[int]
) -> None:
    clock = HybridLogicalClock(NODE, wall_clock=scripted_clock(times))
    previous: Hlc | None = None
    for remote in events:
        before = clock.last
        try:
            stamp = clock.now() if remote is None else clock.observe(remote)
        except ClockExhausted:
            # Only after a stamp at the very end of the range, and the clock is left as it was.
            top = max(before, remote) if remote is not None else before
            assert (top.wall_ms, top.counter) == (END_OF_RANGE.wall_ms, END_OF_RANGE.counter)
            assert clock.last == before
            continue
        if previous is not None:
            assert stamp > previous
        if remote is not None:
            assert stamp > remote
        previous = stamp  # the largest so far: it is above every earlier stamp and remote


@settings(max_examples=200)
@given(st.lists(stamps, min_size=2, max_size=30))
def test_text_form_sorts_like_the_stamps(values: list[Hlc]) -> None:
    assert sorted(str(v) for v in values) == [str(v) for v in sorted(values)]


@given(stamps)
def test_text_form_round_trips(stamp: Hlc) -> None:
    assert Hlc.parse(str(stamp)) == stamp
    assert len(str(stamp)) == 13 + 1 + 6 + 1 + len(stamp.node)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "junk",
        "0000000001000-000000",  # no node
        "1000-000000-ab",  # wall time not fixed width
        "0000000001000-0-ab",  # counter not fixed width
        "0000000001000-000000-AB",  # upper-case node
        "0000000001000-000000-xyz",  # not hex
        "0000000001000-000000-" + "a" * 33,  # node too long
        "-000000001000-000000-ab",
        " 0000000001000-000000-ab",
        "0000000001000-000000-ab ",
        "0000000001000-000000-ab\n",  # a trailing newline is junk too
        "0000000001000-000000-ab-cd",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662\u0663-000000-ab",
        "0000000001000\u2010000000\u2010ab",  # Unicode hyphens
    ],
)
def test_parse_rejects_junk(text: str) -> None:
    with pytest.raises(ValueError):
        Hlc.parse(text)


@pytest.mark.parametrize(
    ("wall_ms", "counter", "node"),
    [(-1, 0, "a"), (10**13, 0, "a"), (0, -1, "a"), (0, 1_000_000, "a"), (0, 0, ""), (0, 0, "G")],
)
def test_out_of_range_stamps_are_refused(wall_ms: int, counter: int, node: str) -> None:
    with pytest.raises(ValueError):
        Hlc(wall_ms, counter, node)


def test_clock_refuses_a_node_that_is_not_hex() -> None:
    with pytest.raises(ValueError):
        HybridLogicalClock("Not-Hex")
