"""The PostgreSQL test harness itself: found binaries, a fast throwaway cluster, CI strictness."""

from __future__ import annotations

import pytest

from tests.server.pg import Cluster, find_bindir, unavailable


def test_missing_postgresql_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: these tests are required"):
        unavailable("no initdb")


def test_missing_postgresql_skips_with_the_reason_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL tests cannot run: no initdb"):
        unavailable("no initdb")


@pytest.mark.postgresql
def test_the_cluster_is_a_throwaway_one(pg_cluster: Cluster) -> None:
    bindir = find_bindir()
    assert bindir is not None and (bindir / "pg_ctl").is_file()
    with pg_cluster.admin() as conn:
        settings = dict(conn.execute("SELECT name, setting FROM pg_settings").fetchall())
    assert settings["fsync"] == "off" and settings["listen_addresses"] == "127.0.0.1"
    assert pg_cluster.host == "127.0.0.1" and pg_cluster.port == int(settings["port"])
