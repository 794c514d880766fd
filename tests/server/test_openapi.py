"""The OpenAPI description: served, complete, and true (schemathesis against the live server).

The fuzzing is bounded (a fixed number of examples per operation, derandomized, no example
database), so it runs the same way every time and in seconds: it belongs in CI, not in a
nightly job. Each operation gets a fresh session of a fixture account, so an example that signs
that session out (DELETE /v1/sessions/current) cannot blind the rest.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgpack
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.requests import REQUESTS_TRANSPORT
from starlette.routing import Route

from journal_desktop.server import openapi
from journal_desktop.server.app import ECHO_PATH, create_app
from journal_desktop.server.throttle import Limits
from journal_desktop.sync.client import SyncClient
from journal_desktop.sync.protocol import MSGPACK
from tests.server.harness import (
    BASE_URL,
    Server,
    TestClient,
    login_request,
    register_request,
    running,
    settings_for,
)

#: Longest string the fuzzing generates. The served limits (a 256 KiB item, a 1 MiB manifest)
#: are tested at their edges in test_items and test_hardening; generating values that long here
#: would take most of the run's time and find nothing new.
MAX_GENERATED_CHARS = 2048


def _capped(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _capped(v) for k, v in value.items()}
        if isinstance(out.get("maxLength"), int) and out["maxLength"] > MAX_GENERATED_CHARS:
            out["maxLength"] = MAX_GENERATED_CHARS
        return out
    if isinstance(value, list):
        return [_capped(v) for v in value]
    return value


SCHEMA = schemathesis.openapi.from_dict(_capped(openapi.document()))
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}
POSITIVE_EXAMPLES = 25
NEGATIVE_EXAMPLES = 15
FUZZ_EMAIL = "fuzz@example.org"
_sessions = itertools.count()


@REQUESTS_TRANSPORT.serializer(MSGPACK)
def _msgpack_body(_ctx: Any, value: Any) -> dict[str, Any]:
    """Send generated msgpack bodies with their ciphertext as bin, as a real client does."""

    def convert(item: Any, key: str = "") -> Any:
        if isinstance(item, dict):
            return {k: convert(v, k) for k, v in item.items()}
        if isinstance(item, list):
            return [convert(v, key) for v in item]
        if hasattr(item, "data") and isinstance(item.data, bytes):  # schemathesis' Binary
            return item.data
        if key == "ciphertext" and isinstance(item, str):
            return item.encode()
        if isinstance(item, int) and not -(2**63) <= item < 2**64:
            return float(item)  # msgpack has no such integer; still the wrong type
        return item

    return {"data": msgpack.packb(convert(value), use_bin_type=True)}


def _app_routes(app: Any) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_every_route_is_described_and_nothing_else(tmp_path: Path) -> None:
    described = {(op.method, op.path) for op in openapi.OPERATIONS}
    assert len(described) == len(openapi.OPERATIONS)
    assert _app_routes(create_app(settings_for(tmp_path))) == described
    document = openapi.document()
    in_document = {(m.upper(), path) for path, ops in document["paths"].items() for m in ops}
    assert in_document == described


def test_the_benchmark_echo_is_mounted_only_when_asked(tmp_path: Path) -> None:
    default = _app_routes(create_app(settings_for(tmp_path)))
    assert not any(path == ECHO_PATH for _, path in default)
    bench = _app_routes(create_app(settings_for(tmp_path), benchmark_echo=True))
    assert {("POST", ECHO_PATH), ("GET", ECHO_PATH)} <= bench


def test_the_echo_route_is_not_served_by_default(server: Server) -> None:
    assert server.http.post(ECHO_PATH, content=b"x").status_code in (404, 405)
    assert server.http.get(ECHO_PATH).status_code == 404


def test_the_description_is_served_without_a_token(server: Server) -> None:
    response = server.http.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    items = document["paths"]["/v1/items"]
    assert set(items["post"]["requestBody"]["content"]) == {"application/json", MSGPACK}
    assert {"401", "413", "415", "422"} <= set(items["post"]["responses"])
    assert items["get"]["security"] == [{"bearer": []}]
    assert document["paths"]["/v1/health"]["get"]["security"] == []


def test_schemas_are_the_parsers_rules() -> None:
    """Spot checks that the schemas say what the parsers enforce."""
    schemas = openapi.document()["components"]["schemas"]
    write = schemas["Write"]
    assert write["additionalProperties"] is False
    assert set(write["required"]) == {"id", "type", "base_version", "version", "deleted"} | {
        "ciphertext"
    }
    assert write["properties"]["ciphertext"]["contentEncoding"] == "base64"
    assert schemas["WriteMsgpack"]["properties"]["ciphertext"]["maxLength"] == 256 * 1024
    assert schemas["KdfParams"]["properties"]["memory_kib"]["minimum"] == 65536
    login = schemas["LoginRequest"]
    assert "totp_code" not in login["required"] and "totp_code" in login["properties"]
    assert "totp_code" in schemas["CredentialsChange"]["properties"]
    assert "recovery_code" in schemas["AccountDeletion"]["properties"]


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app in-process (no sockets: the fuzzing sends about a thousand requests)."""
    data = tmp_path_factory.mktemp("fuzz") / "data"
    # Wrong secrets and codes are what fuzzing sends: lift the lockout (tested on its own in
    # test_throttle) so the fixture account can still sign in a session per operation.
    unthrottled = Limits(per_email=10**9, per_address=10**9, registrations_per_address=10**9)
    with running(settings_for(data, throttle=unthrottled)) as http:
        SyncClient(http, BASE_URL).register(register_request(FUZZ_EMAIL))
        yield http


def _fresh_token(http: TestClient) -> str:
    client = SyncClient(http, BASE_URL)
    client.login(login_request(FUZZ_EMAIL, device=f"fuzz-{next(_sessions)}"))
    assert client.token is not None
    return client.token


def _send(http: TestClient, case: schemathesis.Case, token: str) -> httpx.Response:
    """Send a generated case through the app, as schemathesis' own transport would."""
    kwargs = case.as_transport_kwargs(
        base_url=BASE_URL, headers={"Authorization": f"Bearer {token}"}
    )
    content = kwargs.get("data")
    if "json" in kwargs:
        content = json.dumps(kwargs["json"]).encode()
    if isinstance(content, str):
        content = content.encode()
    return http.request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs["headers"],
        params=kwargs.get("params"),
        content=content,
    )


def _fuzz(
    http: TestClient, label: str, mode: GenerationMode, examples: int, checks: list[Any]
) -> None:
    operation = OPERATIONS[label]
    token = _fresh_token(http)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        # No shrinking: a failure is reported as found, so a red run stays bounded in time.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        if case.path_parameters and case.path_parameters.get("session_id") == "current":
            case.path_parameters["session_id"] = "not-this-session"
        response = _send(http, case, token)
        case.validate_response(response, checks=checks)

    run()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzz_valid_requests(app_client: TestClient, label: str) -> None:
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
    ]
    _fuzz(app_client, label, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, checks)


#: Operations that take something to get wrong (parameters or a body).
WITH_INPUT = sorted(
    label for label, op in OPERATIONS.items() if any(True for _ in op.iter_parameters()) or op.body
)


@pytest.mark.parametrize("label", WITH_INPUT)
def test_fuzz_invalid_requests_are_refused(app_client: TestClient, label: str) -> None:
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ]
    _fuzz(app_client, label, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, checks)


def test_what_the_fuzzing_found_stays_fixed(server: Server) -> None:
    client = server.signed_in("fix@example.org")
    headers = {"Authorization": f"Bearer {client.token}"}
    # The schema said limit >= 1 while the server quietly read 0 as 1.
    zero = server.http.get("/v1/security-events", params={"limit": 0}, headers=headers)
    assert zero.status_code == 422 and "query.limit" in zero.json()["detail"]
    # A session id outside the id alphabet was looked up instead of refused.
    odd = server.http.delete("/v1/sessions/not%20an%20id", headers=headers)
    assert odd.status_code == 422 and "path.session_id" in odd.json()["detail"]
    # JSON (and JSON Schema) call 2.0 an integer; the parser used to refuse it.
    body = {
        "idempotency_key": "floats",
        "writes": [
            {
                "id": "a",
                "type": "trade",
                "base_version": 0.0,
                "version": 2.0,
                "deleted": False,
                "ciphertext": "",
            }
        ],
    }
    pushed = server.http.post("/v1/items", json=body, headers=headers)
    assert pushed.status_code == 200 and pushed.json()["accepted"][0]["version"] == 2
    fraction = dict(body, idempotency_key="fraction")
    fraction["writes"] = [dict(body["writes"][0], id="b", version=1.5)]  # type: ignore[index]
    refused = server.http.post("/v1/items", json=fraction, headers=headers)
    assert refused.status_code == 422 and "expected an integer" in refused.json()["detail"]
