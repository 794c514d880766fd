"""The SQLite database is readable by its owner only, whatever the data dir's mode.

server.db (with its -wal and -shm files) was created with the process umask, 0644 as a rule:
in a data dir the operator made beforehand (`mkdir /srv/journal`, 0755) every local user could
read the emails, auth hashes, sealed TOTP secrets, sessions and audit log. The server secret
was already owner-only, and the dir is 0700 when the server creates it.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from journal_desktop.server.db import make_engine, migrate
from tests.server.harness import Clock, Server, running, settings_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    old_umask = os.umask(0o022)
    try:
        with running(settings_for(data)) as http:
            Server(http=http, clock=Clock()).signed_in("mode@example.org")
            files = [data / "server.db", data / "server.db-wal", data / "server.db-shm"]
            for path in files:
                assert path.exists(), path
                assert _mode(path) & 0o077 == 0, (path.name, oct(_mode(path)))
    finally:
        os.umask(old_umask)


def test_an_existing_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    os.chmod(path, 0o644)
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
    finally:
        engine.dispose()
    assert _mode(path) == 0o600
