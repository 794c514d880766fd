"""Executions in the order they happened, whichever way the broker listed them.

Many exports list the newest fill first (Webull's orders, Tradovate's orders, NinjaTrader's
grids sorted by time descending, most statements). Matching sorts fills by time and keeps the
file's order for fills of the same second, so a newest-first file would have its same-second
fills matched in reverse: a buy and a sell in one second read as a short instead of a long, a
scale-in closed before it was opened. A file whose times never rise and fall somewhere is
therefore read bottom up; a file in time order, or in no order at all, is left as it is (the
sort in matching handles the rest).

Formats that restore the order themselves in a finer way (thinkorswim order by order, Schwab
day by day) hand over files already oldest first, which this leaves alone.
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise

from journal_desktop.domain.imported import ParsedFile


def oldest_first(parsed: ParsedFile) -> ParsedFile:
    """`parsed` with its executions oldest first if the file listed them newest first."""
    executions = parsed.executions
    if len(executions) < 2 or not executions[0].executed_at > executions[-1].executed_at:
        return parsed
    if any(a.executed_at < b.executed_at for a, b in pairwise(executions)):
        return parsed
    return dataclasses.replace(parsed, executions=executions[::-1])
