"""Server test fixtures: an in-process server on each storage backend, and PostgreSQL.

`database_url` is parametrized: every test that takes it (or the `server` fixture) runs once on
SQLite in a temporary data dir (the URL is None: the default) and once on a fresh database in a
real PostgreSQL cluster started for the session (see `tests.server.pg`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_postgresql import factories
from pytest_postgresql.executors import PostgreSQLExecutor

from tests.server.harness import Clock, Server, running, settings_for
from tests.server.pg import (
    FAST_OPTIONS,
    Cluster,
    clean_url,
    create_shared_database,
    drop_database,
    find_bindir,
    new_database,
    root_cluster,
    unavailable,
)

_bindir = find_bindir()

#: pytest-postgresql's own cluster, used when the tests do not run as root.
pg_proc = factories.postgresql_proc(
    executable=str(_bindir / "pg_ctl") if _bindir else None,
    host="127.0.0.1",
    port=None,
    user="postgres",
    postgres_options=f"-c listen_addresses=127.0.0.1 {FAST_OPTIONS}",
)


@pytest.fixture(scope="session")
def pg_cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    if _bindir is None:
        unavailable(
            "no initdb/pg_ctl found (pg_config --bindir, /usr/lib/postgresql/*/bin, PATH); "
            "install Debian's `postgresql` package (scripts/setup.sh does)"
        )
    if os.geteuid() == 0:
        with root_cluster(_bindir) as cluster:
            create_shared_database(cluster)
            yield cluster
        return
    executor: PostgreSQLExecutor = request.getfixturevalue("pg_proc")
    cluster = Cluster(host=executor.host, port=int(executor.port), user=executor.user)
    create_shared_database(cluster)
    yield cluster


@pytest.fixture
def pg_database_url(pg_cluster: Cluster) -> str:
    """The session's migrated PostgreSQL database, emptied for this test."""
    return clean_url(pg_cluster)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None on SQLite (the server's default: server.db in its data dir), else a PG database."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_database_url")
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(tmp_path: Path, clock: Clock, database_url: str | None) -> Iterator[Server]:
    with running(settings_for(tmp_path / "data", clock, database_url=database_url)) as http:
        yield Server(http=http, clock=clock)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it yet (not even the schema), to run the migrations on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = new_database(cluster)
    yield cluster.url(name)
    drop_database(cluster, name)
