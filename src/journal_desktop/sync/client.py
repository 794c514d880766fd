"""A thin typed client for the sync server over an injected `httpx.Client`.

Injecting the client lets tests run it in-process through Starlette's TestClient and against a
real server on 127.0.0.1 alike. It refuses plain HTTP except to a loopback host, so a token or
auth secret never crosses a network unencrypted. Every non-2xx answer becomes a `SyncError`
carrying the server's error code.

Pushes and pulls of items go as msgpack by default (ciphertext as raw bytes: no base64 to
encode or decode, a quarter fewer bytes on the wire); `msgpack_items=False` keeps them in JSON
like every other request.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import httpx

from journal_desktop.sync import msgpack_wire
from journal_desktop.sync.fields import ProtocolError
from journal_desktop.sync.protocol import (
    JSON,
    MSGPACK,
    OCTET_STREAM,
    AccountDeletion,
    AccountKeys,
    CodeRequest,
    CredentialsChange,
    LoginRequest,
    LoginResponse,
    Manifest,
    ManifestPut,
    Prelogin,
    PullResponse,
    PushRequest,
    PushResponse,
    RegisterRequest,
    SecurityEvent,
    SessionInfo,
    TotpSetup,
    Write,
    check_blob_id,
    read_account_id,
    read_recovery_codes,
    read_security_events,
    read_sessions,
)


class SyncError(Exception):
    """The server refused a request; `code` is its machine-readable error code."""

    def __init__(
        self,
        status: int,
        code: str,
        body: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.body = body or {}
        #: Seconds to wait before trying again (429 too_many_attempts), when the server said.
        self.retry_after = retry_after


class InsecureServerURL(ValueError):
    """A plain-HTTP base URL to a host that is not this machine."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return base_url.rstrip("/")
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return base_url.rstrip("/")
    raise InsecureServerURL(
        f"refusing {parts.scheme or 'schemeless'} URL {base_url!r}: use https "
        "(plain http only to a loopback address)"
    )


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _decoded(response: httpx.Response) -> Any:
    """The body as JSON or msgpack, by its Content-Type; a ProtocolError if it is neither."""
    if _media_type(response) == MSGPACK:
        return msgpack_wire.unpack(response.content, "response")
    try:
        return response.json()
    except ValueError:
        raise ProtocolError("response: not valid JSON") from None


class SyncClient:
    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        token: str | None = None,
        *,
        msgpack_items: bool = True,
    ) -> None:
        self._http = http
        self._base = check_base_url(base_url)
        self.token = token
        #: Push and pull items as msgpack (the default) rather than JSON.
        self.msgpack_items = msgpack_items

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        content: bytes | None = None,
        content_type: str = OCTET_STREAM,
        accept: str = JSON,
        params: dict[str, Any] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        """Send one request; any non-2xx answer is raised as a SyncError."""
        headers = {"Accept": accept}
        if auth:
            if self.token is None:
                raise SyncError(401, "unauthorized")
            headers["Authorization"] = f"Bearer {self.token}"
        if content is not None:
            headers["Content-Type"] = content_type
        response = self._http.request(
            method, self._base + path, json=body, content=content, params=params, headers=headers
        )
        if response.status_code >= 400:
            try:
                payload = _decoded(response)
            except ProtocolError:
                payload = {}
            code = payload.get("error") if isinstance(payload, dict) else None
            retry = response.headers.get("retry-after", "")
            raise SyncError(
                response.status_code,
                str(code or "http_error"),
                payload or None,
                int(retry) if retry.isascii() and retry.isdigit() else None,
            )
        return response

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
    ) -> Any:
        response = self._request(method, path, body=body, params=params, auth=auth)
        if response.status_code == 204:
            return None
        return response.json()

    def health(self) -> bool:
        return self._call("GET", "/v1/health", auth=False).get("status") == "ok"

    def prelogin(self, email: str) -> Prelogin:
        return Prelogin.from_json(
            self._call("GET", "/v1/prelogin", params={"email": email}, auth=False)
        )

    def register(self, request: RegisterRequest) -> str:
        return read_account_id(
            self._call("POST", "/v1/accounts", body=request.to_json(), auth=False)
        )

    def login(self, request: LoginRequest) -> LoginResponse:
        """Sign in; on success this client uses the new session's token."""
        answer = LoginResponse.from_json(
            self._call("POST", "/v1/sessions", body=request.to_json(), auth=False)
        )
        self.token = answer.token
        return answer

    def sessions(self) -> list[SessionInfo]:
        return read_sessions(self._call("GET", "/v1/sessions"))

    def revoke_session(self, session_id: str) -> None:
        self._call("DELETE", f"/v1/sessions/{session_id}")

    def revoke_other_sessions(self) -> int:
        return int(self._call("POST", "/v1/sessions/revoke-others")["revoked"])

    def logout(self) -> None:
        self._call("DELETE", "/v1/sessions/current")
        self.token = None

    def account_keys(self) -> AccountKeys:
        return AccountKeys.from_json(self._call("GET", "/v1/account/keys"))

    def pull(self, since: int = 0, limit: int | None = None) -> PullResponse:
        params: dict[str, Any] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        accept = MSGPACK if self.msgpack_items else JSON
        response = self._request("GET", "/v1/items", params=params, accept=accept)
        binary = _media_type(response) == MSGPACK
        answer: PullResponse = PullResponse.from_wire(_decoded(response), "response", binary=binary)
        return answer

    def push(self, idempotency_key: str, writes: list[Write]) -> PushResponse:
        request = PushRequest(idempotency_key, writes)
        if self.msgpack_items:
            response = self._request(
                "POST",
                "/v1/items",
                content=msgpack_wire.pack(request.to_wire(binary=True)),
                content_type=MSGPACK,
                accept=MSGPACK,
            )
        else:
            response = self._request("POST", "/v1/items", body=request.to_json())
        binary = _media_type(response) == MSGPACK
        answer: PushResponse = PushResponse.from_wire(_decoded(response), "response", binary=binary)
        return answer

    def manifest(self) -> Manifest:
        return Manifest.from_json(self._call("GET", "/v1/manifest"))

    def put_manifest(self, put: ManifestPut) -> Manifest:
        return Manifest.from_json(self._call("PUT", "/v1/manifest", body=put.to_json()))

    def security_events(self, limit: int | None = None) -> list[SecurityEvent]:
        """The account's own login history and security events, newest first."""
        params = {"limit": limit} if limit is not None else None
        return read_security_events(self._call("GET", "/v1/security-events", params=params))

    def totp_setup(self) -> TotpSetup:
        """Start turning TOTP on: a pending secret to show (QR code of the URI) once."""
        return TotpSetup.from_json(self._call("POST", "/v1/2fa/totp/setup"))

    def totp_enable(self, code: str) -> list[str]:
        """Confirm the pending secret with a first code; returns ten one-time recovery codes."""
        body = CodeRequest(code).to_json()
        return read_recovery_codes(self._call("POST", "/v1/2fa/totp/enable", body=body))

    def totp_disable(self, code: str) -> None:
        """Turn TOTP off with a current code or a recovery code."""
        self._call("POST", "/v1/2fa/totp/disable", body=CodeRequest(code).to_json())

    def change_credentials(self, change: CredentialsChange) -> int:
        """Replace the passphrase-derived credentials; returns how many other sessions ended.

        With two-factor sign-in on, `change` carries a current TOTP code or a recovery code.
        """
        return int(self._call("PUT", "/v1/account/credentials", body=change.to_json())["revoked"])

    def delete_account(
        self,
        auth_secret: bytes,
        *,
        totp_code: str | None = None,
        recovery_code: str | None = None,
    ) -> None:
        """Delete the account and everything stored for it; this client is signed out.

        With two-factor sign-in on, pass a current TOTP code or a recovery code (without one
        the server answers 401 totp_required).
        """
        deletion = AccountDeletion(auth_secret, totp_code, recovery_code)
        self._call("DELETE", "/v1/account", body=deletion.to_json())
        self.token = None

    def put_blob(self, blob_id: str, data: bytes) -> bool:
        """Upload an (already encrypted) attachment chunk as raw bytes; true if it is new."""
        check_blob_id(blob_id)
        return self._request("PUT", f"/v1/blobs/{blob_id}", content=data).status_code == 201

    def get_blob(self, blob_id: str) -> bytes:
        check_blob_id(blob_id)
        return self._request("GET", f"/v1/blobs/{blob_id}").content

    def delete_blob(self, blob_id: str) -> None:
        check_blob_id(blob_id)
        self._request("DELETE", f"/v1/blobs/{blob_id}")
