"""The serve command's refusals, the client's URL rule, and the auth-secret hashes."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate and its key for 127.0.0.1, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "c.pem", directory / "k.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_serve_passes_tls_to_uvicorn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, **options: object) -> None:
        seen.update(options)

    monkeypatch.setattr("uvicorn.run", fake_run)
    cert, key = self_signed(tmp_path)
    args = ["serve", "--host", "0.0.0.0", "--tls-cert", str(cert), "--tls-key", str(key)]
    assert cli.main([*args, "--data-dir", str(tmp_path / "d")]) == 0
    assert seen["ssl_certfile"] == str(cert) and seen["ssl_keyfile"] == str(key)
    assert seen["host"] == "0.0.0.0" and seen["port"] == 8443
    seen.clear()
    proxied = ["serve", "--host", "10.0.0.1", "--behind-proxy", "--data-dir", str(tmp_path / "x")]
    assert cli.main(proxied) == 0
    assert seen["ssl_certfile"] is None


@pytest.fixture
def no_uvicorn(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """uvicorn.run replaced by a recorder: the refusals below must come before it."""
    started: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.append(app))
    return started


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_refuses_a_port_that_is_none(
    port: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_uvicorn: list[object]
) -> None:
    """99999 reached bind() and came back as an OverflowError traceback."""
    with pytest.raises(SystemExit) as refused:
        cli.main(["serve", "--port", port, "--data-dir", str(tmp_path)])
    assert refused.value.code == 2
    assert "--port" in capsys.readouterr().err and not no_uvicorn


def test_serve_refuses_unusable_tls_files_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_uvicorn: list[object]
) -> None:
    """A missing or broken certificate was a traceback from inside uvicorn."""
    cert, key = self_signed(tmp_path)
    data = ["--data-dir", str(tmp_path / "d")]
    missing = ["serve", "--tls-cert", str(tmp_path / "none.pem"), "--tls-key", str(key)]
    assert cli.main([*missing, *data]) == 2
    assert "cannot read --tls-cert" in capsys.readouterr().err
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    assert cli.main(["serve", "--tls-cert", str(garbage), "--tls-key", str(key), *data]) == 2
    assert "not a PEM certificate chain" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    _, other_key = self_signed(other)  # a key, but not the certificate's
    assert cli.main(["serve", "--tls-cert", str(cert), "--tls-key", str(other_key), *data]) == 2
    assert "not a PEM certificate chain and its private key" in capsys.readouterr().err
    assert not no_uvicorn


def test_serve_says_in_one_line_when_the_data_dir_is_unusable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_uvicorn: list[object]
) -> None:
    """It was a traceback in uvicorn's start-up log, then 'Application startup failed'."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert cli.main(["serve", "--data-dir", str(blocker / "data")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("journal-server: cannot use the data dir") and "Traceback" not in err
    assert not no_uvicorn
    bad_db = ["--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
    assert cli.main(["serve", "--data-dir", str(tmp_path / "d"), *bad_db]) == 2
    assert capsys.readouterr().err.startswith("journal-server: cannot prepare the database")
    assert not no_uvicorn


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


def test_concurrent_hashing_with_several_lanes_finishes() -> None:
    """Two threads deriving Argon2id with lanes > 1 at once hung for good (cryptography on
    OpenSSL's thread pool): two concurrent sign-ins froze the server's sign-in."""
    cost = PasswordHashing(memory_kib=1024, iterations=1, lanes=4)
    encoded = hash_secret(b"s" * 32, cost)
    results: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(verify_secret(b"s" * 32, encoded)), daemon=True
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [True] * 4
