"""Strict parsing of the wire format: what is refused, and that what we send reads back."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal_desktop.sync import protocol as p
from journal_desktop.sync.fields import Invalid

#: A member left out of an entry.
_MISSING = object()


def register_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": " Trader@Example.ORG ",
        "auth_secret": base64.b64encode(b"a" * 32).decode(),
        "kdf": {"algorithm": "argon2id", "memory_kib": 65536, "iterations": 3, "parallelism": 4},
        "salt": base64.b64encode(b"s" * 16).decode(),
        "wrapped_keys": {"master": "abc"},
    }
    body.update(changes)
    return body


def write_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "item-1",
        "type": "trade",
        "base_version": 0,
        "version": 1,
        "deleted": False,
        "ciphertext": "AAEC",
    }
    body.update(changes)
    return body


def test_register_normalises_the_email() -> None:
    assert p.RegisterRequest.from_json(register_body()).email == "trader@example.org"


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"extra": 1}, "unknown field 'extra'"),
        ({"email": 5}, "body.email: expected a string"),
        ({"email": "no-at-sign"}, "body.email: not an email address"),
        ({"auth_secret": "!!!"}, "body.auth_secret: not valid base64"),
        ({"auth_secret": "YQ"}, "body.auth_secret: not valid base64"),
        ({"auth_secret": base64.b64encode(b"a" * 31).decode()}, "must be 32 to 64 bytes"),
        ({"salt": base64.b64encode(b"s" * 15).decode()}, "body.salt: must be 16 to 64 bytes"),
        ({"wrapped_keys": []}, "body.wrapped_keys: expected a JSON object"),
        ({"wrapped_keys": {"k": "x" * p.MAX_WRAPPED_KEYS_BYTES}}, "larger than"),
    ],
)
def test_register_refusals_say_what_was_wrong(changes: dict[str, Any], detail: str) -> None:
    with pytest.raises(p.ProtocolError, match=detail):
        p.RegisterRequest.from_json(register_body(**changes))


@pytest.mark.parametrize(
    ("kdf", "detail"),
    [
        ({"memory_kib": 65535}, "body.kdf.memory_kib"),
        ({"iterations": 2}, "body.kdf.iterations"),
        ({"parallelism": 0}, "body.kdf.parallelism"),
        ({"algorithm": "pbkdf2"}, "body.kdf.algorithm"),
        ({"iterations": True}, "expected an integer"),
        ({"salt": "x"}, "unknown field 'salt'"),
    ],
)
def test_the_kdf_floor_is_enforced(kdf: dict[str, Any], detail: str) -> None:
    body = register_body()
    body["kdf"] = {**body["kdf"], **kdf}
    with pytest.raises(p.ProtocolError, match=detail):
        p.RegisterRequest.from_json(body)


def test_non_canonical_base64_is_refused() -> None:
    # "AB==" decodes, but its padding bits are not zero: not what an encoder writes.
    with pytest.raises(p.ProtocolError, match="not canonical"):
        p.b64decode("AB==", "x")


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"version": 1, "base_version": 1}, "must be greater than base_version"),
        ({"deleted": 0}, "expected true or false"),
        ({"id": "has space"}, "must be letters"),
        ({"id": ""}, "must be letters"),
        ({"base_version": -1}, "between 0 and"),
        ({"ciphertext": None}, "expected a string"),
    ],
)
def test_write_refusals(changes: dict[str, Any], detail: str) -> None:
    with pytest.raises(p.ProtocolError, match=detail):
        p.PushRequest.from_json({"idempotency_key": "k", "writes": [write_body(**changes)]})


def test_push_limits_and_duplicates() -> None:
    too_many = [write_body(id=f"i{n}") for n in range(p.MAX_WRITES_PER_REQUEST + 1)]
    with pytest.raises(p.ProtocolError, match="more than 500"):
        p.PushRequest.from_json({"idempotency_key": "k", "writes": too_many})
    with pytest.raises(p.ProtocolError, match="same id appears twice"):
        p.PushRequest.from_json({"idempotency_key": "k", "writes": [write_body(), write_body()]})
    big = base64.b64encode(b"x" * (p.MAX_ITEM_BYTES + 1)).decode()
    with pytest.raises(p.ProtocolError, match="ciphertext"):
        p.PushRequest.from_json({"idempotency_key": "k", "writes": [write_body(ciphertext=big)]})


def test_not_an_object() -> None:
    with pytest.raises(p.ProtocolError, match="expected a JSON object"):
        p.PushRequest.from_json([1, 2])


def test_query_integers() -> None:
    assert p.parse_int_param({"since": "12"}, "since", 0, 100) == 12
    assert p.parse_int_param({}, "since", 7, 100) == 7
    for bad in ("-1", "1.5", "", "٣", "x"):
        with pytest.raises(p.ProtocolError, match=r"query\.since"):
            p.parse_int_param({"since": bad}, "since", 0, 100)
    with pytest.raises(p.ProtocolError, match="at most 100"):
        p.parse_int_param({"since": "101"}, "since", 0, 100)


ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,40}", fullmatch=True)
writes = st.builds(
    lambda i, t, base, step, deleted, data: p.Write(i, t, base, base + step, deleted, data),
    ids,
    ids,
    st.integers(0, 2**40),
    st.integers(1, 10),
    st.booleans(),
    st.binary(max_size=200),
)


@given(st.lists(writes, max_size=5, unique_by=lambda w: w.id), ids)
def test_push_requests_round_trip(batch: list[p.Write], key: str) -> None:
    request = p.PushRequest(key, batch)
    assert p.PushRequest.from_json(request.to_json()) == request


@given(st.text(max_size=30))
def test_arbitrary_text_is_never_accepted_as_wrong_base64(text: str) -> None:
    try:
        data = p.b64decode(text, "x")
    except p.ProtocolError:
        return
    assert base64.b64encode(data).decode() == text


@given(st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=5), max_size=6))
def test_arbitrary_objects_fail_only_with_protocol_errors(value: dict[str, Any]) -> None:
    for reader in (p.RegisterRequest, p.LoginRequest, p.PushRequest, p.ManifestPut):
        with pytest.raises(p.ProtocolError):
            reader.from_json(value)


def test_manifest_counter_must_grow() -> None:
    with pytest.raises(p.ProtocolError, match="greater than base_counter"):
        p.ManifestPut.from_json({"base_counter": 3, "counter": 3, "blob": ""})


#: Values that break a write's field in every way a peer could, and some that are fine.
_ODD_VALUES = [
    *(True, False, 0, -1, 1, 3.0, 2.5, 2**53, None, "", "a b", "ok", "x" * 129, b"", b"xy"),
    *("a\nb", "a\n", "\n", "\ud800", "a\x00"),
]


def _one_by_one(field: Any, values: list[Any], binary: bool) -> Any:
    """What reading each entry alone gives: the entries, or the first error's detail."""
    out = []
    for index, value in enumerate(values):
        try:
            out.append(field.item._read(value, binary))
        except Invalid as invalid:
            invalid.path.append(f"[{index}]")
            return invalid.at("writes").detail
    return out


def _column_wise(field: Any, values: list[Any], binary: bool) -> Any:
    try:
        return field.read(values, "writes", binary)
    except p.ProtocolError as error:
        return error.detail


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["id", "type", "base_version", "version", "deleted", "ciphertext", "extra"]
            ),
            st.sampled_from(_ODD_VALUES) | st.just(_MISSING),
        )
        | st.none(),
        min_size=1,
        max_size=6,
    ),
    st.booleans(),
)
def test_reading_a_list_at_once_gives_what_reading_each_entry_gives(
    changes: list[tuple[str, Any] | None], binary: bool
) -> None:
    """The column-wise fast path of a push's writes (and a page's items) never accepts what
    one-by-one reading refuses, and never names another error."""
    entries: list[Any] = []
    for n, change in enumerate(changes):
        entry = write_body(id=f"i{n}", version=2, base_version=1)
        if binary:
            entry["ciphertext"] = b"\x00\x01\x02"
        if change is not None:
            name, value = change
            if value is _MISSING:
                entry.pop(name, None)
            else:
                entry[name] = value
        entries.append(entry)
    writes_field = p.PushRequest.SPEC.members["writes"].field
    assert _column_wise(writes_field, entries, binary) == _one_by_one(writes_field, entries, binary)
    items = [
        {k if k != "base_version" else "seq": v for k, v in entry.items()} for entry in entries
    ]
    items_field = p.PullResponse.SPEC.members["items"].field
    assert _column_wise(items_field, items, binary) == _one_by_one(items_field, items, binary)


def test_a_list_that_is_not_all_objects_is_read_one_by_one() -> None:
    field = p.PushRequest.SPEC.members["writes"].field
    with pytest.raises(p.ProtocolError, match=r"writes\[1\]: expected a JSON object"):
        field.read([write_body(), 7], "writes", False)


@given(st.lists(writes, max_size=6), st.booleans())
def test_writing_a_list_at_once_gives_what_writing_each_entry_gives(
    batch: list[p.Write], binary: bool
) -> None:
    spec = p.Write.SPEC
    assert spec.dump_all(batch, binary) == [spec.dump(w, binary) for w in batch]
    assert [list(m) for m in spec.dump_all(batch, binary)] == [
        list(spec.dump(w, binary)) for w in batch
    ]


def test_a_list_with_a_missing_member_is_refused_as_one_by_one_would() -> None:
    broken = p.Write("a", "trade", 0, 1, False, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Write\.ciphertext is required"):
        p.PushRequest("k", [broken]).to_wire(binary=True)


@pytest.mark.parametrize("ids", [["a\nb"], ["ok", "a\nb"], ["a\n"], ["\nb", "c"]])
def test_an_id_holding_a_newline_is_refused_in_a_batch_too(ids: list[str]) -> None:
    """The column-wise read checks a batch's ids joined by newlines; an id that holds one
    passed as two valid ids and was stored."""
    writes = [write_body(id=item_id) for item_id in ids]
    with pytest.raises(p.ProtocolError, match=r"\.id: must be letters, digits or _\.:-"):
        p.PushRequest.from_json({"idempotency_key": "k", "writes": writes})
    with pytest.raises(p.ProtocolError, match=r"\.type: must be letters, digits or _\.:-"):
        p.PushRequest.from_json(
            {"idempotency_key": "k", "writes": [write_body(id="a", type="trade\nnote")]}
        )
