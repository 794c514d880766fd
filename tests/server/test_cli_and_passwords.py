"""The serve command's refusals, the client's URL rule, and the auth-secret hashes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from journal_desktop.server import cli
from journal_desktop.server.passwords import hash_secret, verify_secret
from journal_desktop.server.settings import PasswordHashing
from journal_desktop.sync.client import InsecureServerURL, SyncClient, check_base_url

CHEAP = PasswordHashing(memory_kib=64, iterations=1, lanes=1)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.org", "::"])
def test_serve_refuses_plain_http_off_loopback(
    host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--host", host, "--data-dir", str(tmp_path)]) == 2
    assert "refusing to serve plain HTTP" in capsys.readouterr().err


def test_serve_wants_both_tls_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["serve", "--host", "0.0.0.0", "--tls-cert", str(tmp_path / "c.pem")]
    assert cli.main([*args, "--data-dir", str(tmp_path)]) == 2
    assert "--tls-key" in capsys.readouterr().err


def test_serve_passes_tls_to_uvicorn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, **options: object) -> None:
        seen.update(options)

    monkeypatch.setattr("uvicorn.run", fake_run)
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    args = ["serve", "--host", "0.0.0.0", "--tls-cert", str(cert), "--tls-key", str(key)]
    assert cli.main([*args, "--data-dir", str(tmp_path / "d")]) == 0
    assert seen["ssl_certfile"] == str(cert) and seen["ssl_keyfile"] == str(key)
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8443
    seen.clear()
    assert cli.main(["serve", "--host", "10.0.0.1", "--behind-proxy", "--data-dir", "x"]) == 0
    assert seen["ssl_certfile"] is None


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8443", "http://localhost", "http://[::1]:80", "https://sync.example.org"],
)
def test_client_accepts_https_or_loopback_http(url: str) -> None:
    assert check_base_url(url + "/") == url


@pytest.mark.parametrize(
    "url", ["http://sync.example.org", "http://10.0.0.2", "ftp://127.0.0.1", "127.0.0.1"]
)
def test_client_refuses_plain_http_elsewhere(url: str) -> None:
    with pytest.raises(InsecureServerURL):
        SyncClient(httpx.Client(), url)


def test_hash_round_trip_and_refusals() -> None:
    encoded = hash_secret(b"s" * 32, CHEAP)
    assert encoded.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert verify_secret(b"s" * 32, encoded)
    assert not verify_secret(b"t" * 32, encoded)
    assert hash_secret(b"s" * 32, CHEAP) != encoded  # fresh salt each time
    for broken in ("", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", encoded[:-3] + "!!!", "$a$b"):
        assert not verify_secret(b"s" * 32, broken)


def test_production_cost_is_the_real_one() -> None:
    cost = PasswordHashing()
    assert (cost.memory_kib, cost.iterations) == (65536, 3)
