"""A throwaway PostgreSQL cluster for the sync figures, from Debian's postgresql binaries.

initdb and pg_ctl refuse to run as root, so when the benchmark runs as root they run as the
`postgres` user (`runuser -u postgres --`) in a folder that user owns. The cluster listens on
127.0.0.1 only, trusts local connections (nothing else can reach it) and is removed at the end.
`start` raises `ClusterUnavailable` saying why if it cannot start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin"))


class ClusterUnavailable(RuntimeError):
    """PostgreSQL could not be started here (the message says why)."""


def _bin_dir() -> Path:
    for folder in PG_BIN_DIRS:
        if (folder / "initdb").exists():
            return folder
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise ClusterUnavailable("no initdb found (install Debian's postgresql package)")


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        raise ClusterUnavailable("running as root and runuser is missing")
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def running_cluster(port: int) -> Iterator[str]:
    """Start a cluster on 127.0.0.1:`port`; yields its SQLAlchemy URL; stops and removes it."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="journal-bench-pg-"))
    data = folder / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        init = subprocess.run(
            _as_postgres(
                [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if init.returncode != 0:
            raise ClusterUnavailable(f"initdb failed: {init.stderr.strip()[-300:]}")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        start = subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(folder / "log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if start.returncode != 0:
            raise ClusterUnavailable(f"pg_ctl start failed: {start.stderr.strip()[-300:]}")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
