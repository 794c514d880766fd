"""A throwaway PostgreSQL cluster for the server tests, and fresh databases in it.

Not root: pytest-postgresql's own process fixture (`postgresql_proc`) runs initdb and pg_ctl.
Root (CI containers, this machine): initdb and pg_ctl refuse to run as root, so the cluster is
made and run as the `postgres` system user through `runuser`, in a temporary directory it owns,
listening on a free 127.0.0.1 port with trust authentication for local connections only.
Either way the cluster stops at the end of the session, with bounded waits.

The tests share one migrated database, emptied before each test (TRUNCATE of every table: a
test sees only what it wrote); tests of the migrations themselves get a fresh, empty database.

Without PostgreSQL binaries the PostgreSQL tests fail with a clear message under CI=true, and
are skipped with the reason elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

#: Durability off: a test cluster is thrown away, and fsync would only slow every test down.
FAST_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
)
SHARED_DB = "journal_tests"
#: Bound on each pg_ctl/initdb call (seconds).
COMMAND_TIMEOUT = 60
_names = itertools.count()


@dataclass(frozen=True)
class Cluster:
    host: str
    port: int
    user: str

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    @contextlib.contextmanager
    def admin(self) -> Iterator[psycopg.Connection]:
        connection = psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True
        )
        try:
            yield connection
        finally:
            connection.close()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def unavailable(reason: str) -> NoReturn:
    """Fail under CI (the PostgreSQL tests must run there), skip with the reason elsewhere."""
    message = f"PostgreSQL tests cannot run: {reason}"
    if in_ci():
        pytest.fail(message + " (CI=true: these tests are required; install `postgresql`)")
    pytest.skip(message)


@functools.cache
def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: `pg_config --bindir`, Debian's layout, or the PATH."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit())

    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    candidates += [Path(p) for p in debian]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _reachable_tmp() -> Path:
    """The temp dir, if the `postgres` user can get through it; else /tmp."""
    chosen = Path(tempfile.gettempdir()).resolve()
    if all(p.stat().st_mode & 0o001 for p in (chosen, *chosen.parents)):
        return chosen
    return Path("/tmp")  # world-traversable by design; the dir made in it is 0700


def _as_postgres(*command: str | Path) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *map(str, command)]


def _run(command: list[str], cwd: Path) -> None:
    """Run a PostgreSQL tool (in a directory `postgres` may enter: they check their cwd)."""
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False, cwd=cwd
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stdout}{result.stderr}"
        )


def _wait_ready(cluster: Cluster, deadline: float) -> None:
    while True:
        try:
            with cluster.admin():
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def root_cluster(bindir: Path) -> Iterator[Cluster]:
    """A cluster run as the `postgres` user (initdb and pg_ctl refuse to run as root)."""
    if shutil.which("runuser") is None:
        unavailable("running as root, and `runuser` is missing (needed to run as `postgres`)")
    try:
        import pwd

        owner = pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root, and there is no `postgres` system user to run it as")
    base = Path(tempfile.mkdtemp(prefix="journal-pg-", dir=_reachable_tmp()))
    os.chown(base, owner.pw_uid, owner.pw_gid)
    datadir, log = base / "data", base / "postgres.log"
    try:
        _run(
            _as_postgres(
                bindir / "initdb", "-D", datadir, "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-sync", "--locale=C",
            ),
            cwd=base,
        )  # fmt: skip
        for attempt in range(5):
            port = _free_port()
            options = f"-p {port} -c listen_addresses=127.0.0.1 -k {base} {FAST_OPTIONS}"
            try:
                _run(
                    _as_postgres(
                        bindir / "pg_ctl", "-D", datadir, "-l", log, "-o", options,
                        "-w", "-t", "30", "start",
                    ),
                    cwd=base,
                )  # fmt: skip
                break
            except RuntimeError:
                if attempt == 4:
                    raise RuntimeError(log.read_text(errors="replace")) from None
        cluster = Cluster(host="127.0.0.1", port=port, user="postgres")
        _wait_ready(cluster, time.monotonic() + 30)
        yield cluster
    finally:
        _stop_root_cluster(bindir, datadir, base)
        shutil.rmtree(base, ignore_errors=True)


def _stop_root_cluster(bindir: Path, datadir: Path, base: Path) -> None:
    if not (datadir / "postmaster.pid").exists():
        return
    with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
        _run(_as_postgres(bindir / "pg_ctl", "-D", datadir, "-m", "immediate", "-w", "-t", "20",
                          "stop"), cwd=base)  # fmt: skip
        return
    # pg_ctl did not stop it in time: kill the postmaster named in its pid file.
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((datadir / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)


def create_shared_database(cluster: Cluster) -> str:
    """The session's migrated database, which `clean_url` empties for each test."""
    from journal_desktop.server.db import make_engine, migrate

    with cluster.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(SHARED_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SHARED_DB)))
    engine = make_engine(cluster.url(SHARED_DB))
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return cluster.url(SHARED_DB)


def clean_url(cluster: Cluster) -> str:
    """The shared database with every table emptied (the schema and its version stay).

    Emptying takes milliseconds where creating a database takes half a second, and a test
    only ever sees what it wrote itself. A lingering connection cannot hang it: lock_timeout.
    """
    from journal_desktop.server.db import metadata

    tables = sql.SQL(", ").join(sql.Identifier(t.name) for t in metadata.sorted_tables)
    with psycopg.connect(
        host=cluster.host, port=cluster.port, user=cluster.user, dbname=SHARED_DB, autocommit=True
    ) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute(sql.SQL("TRUNCATE {}").format(tables))
    return cluster.url(SHARED_DB)


def new_database(cluster: Cluster) -> str:
    """A fresh, empty database of its own (to run the migrations on); drop it after."""
    name = f"t{os.getpid()}_{next(_names)}"
    with cluster.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    return name


def drop_database(cluster: Cluster, name: str) -> None:
    with cluster.admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
