from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.harness import Clock, Server, running, settings_for


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[Server]:
    with running(settings_for(tmp_path / "data", clock)) as http:
        yield Server(http=http, clock=clock)
