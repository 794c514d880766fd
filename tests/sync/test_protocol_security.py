"""Wire types of account security: credentials change, deletion, 2FA, events, blob ids."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from journal_desktop.sync import protocol as p

SECRET = base64.b64encode(b"a" * 32).decode()
KDF = {"algorithm": "argon2id", "memory_kib": 65536, "iterations": 3, "parallelism": 4}


def change_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "current_auth_secret": SECRET,
        "auth_secret": SECRET,
        "kdf": KDF,
        "salt": base64.b64encode(b"s" * 16).decode(),
        "wrapped_keys": {"master": "abc"},
    }
    body.update(changes)
    return body


def test_a_credentials_change_round_trips() -> None:
    change = p.CredentialsChange.from_json(change_body())
    assert p.CredentialsChange.from_json(change.to_json()) == change


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"current_auth_secret": None}, "body.current_auth_secret: expected a string"),
        ({"auth_secret": "AAAA"}, "body.auth_secret: must be 32 to 64 bytes"),
        ({"kdf": {**KDF, "memory_kib": 1024}}, "body.kdf.memory_kib"),
        ({"extra": 1}, "unknown field 'extra'"),
    ],
)
def test_a_credentials_change_is_strict(changes: dict[str, Any], detail: str) -> None:
    with pytest.raises(p.ProtocolError, match=detail.replace(".", r"\.")):
        p.CredentialsChange.from_json(change_body(**changes))


def test_deletion_and_code_bodies() -> None:
    assert p.AccountDeletion.from_json({"auth_secret": SECRET}).auth_secret == b"a" * 32
    with pytest.raises(p.ProtocolError, match="missing"):
        p.AccountDeletion.from_json({})
    assert p.CodeRequest.from_json({"code": "123456"}) == p.CodeRequest("123456")
    for bad in ({"code": 123456}, {"code": "1" * 65}, {"code": "1", "x": 1}):
        with pytest.raises(p.ProtocolError):
            p.CodeRequest.from_json(bad)


def test_responses_read_back() -> None:
    setup = p.TotpSetup("ABC", "otpauth://totp/x?secret=ABC")
    assert p.TotpSetup.from_json(setup.to_json()) == setup
    assert p.read_recovery_codes({"recovery_codes": ["A-B", "C-D"]}) == ["A-B", "C-D"]
    with pytest.raises(p.ProtocolError):
        p.read_recovery_codes({"recovery_codes": [1]})
    event = p.SecurityEvent(3, 100, "sign_in", "127.0.0.1", "laptop")
    assert p.read_security_events({"events": [event.to_json()]}) == [event]


@pytest.mark.parametrize("blob_id", ["", "a/b", "a b", "é", "x" * 129, "a?b"])
def test_blob_ids_are_checked(blob_id: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.check_blob_id(blob_id)


def test_good_blob_ids_pass() -> None:
    assert p.check_blob_id("chunk_1.part-2:x") == "chunk_1.part-2:x"
