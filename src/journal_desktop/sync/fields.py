"""Wire fields: each one checks a decoded value and describes itself as JSON Schema.

The wire types in `protocol` are declared as `Obj`s built from these fields, so the strict
parsing the server applies to every body and the JSON Schemas in its OpenAPI description
(`server/openapi.py`) come from one declaration and cannot drift apart. A field reads a value
decoded from JSON or, with `binary=True`, from msgpack: the only difference is that binary
values (`Blob`) are base64 strings in JSON and raw bytes (msgpack bin) in msgpack.

Errors are `ProtocolError`s whose detail names the place (`body.writes[3].version: ...`) and
what was wrong; the server answers them with 422. No I/O happens here.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

Schema = dict[str, Any]
#: Where component schemas are referenced from (OpenAPI 3.1).
REF_PREFIX = "#/components/schemas/"

IDENT_PATTERN = r"[A-Za-z0-9_.:-]+"
_IDENT = re.compile(IDENT_PATTERN)
#: Ids joined by newlines (which no id holds): every one of a column checked in one match.
_IDENT_LINES = re.compile(f"{IDENT_PATTERN}(?:\n{IDENT_PATTERN})*")
#: Canonical, padded standard base64: zero padding bits, so one byte string has one spelling.
BASE64_PATTERN = (
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$"
)


class ProtocolError(ValueError):
    """A body or parameter that does not follow the wire format; `detail` says what and where."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Invalid(Exception):
    """A value that breaks a rule, raised without its place; the place is added on the way out
    (`path` collects ".name" and "[i]" segments, innermost first), so a valid body never pays
    for building the names of the places it passed through."""

    def __init__(self, message: str, segment: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = [segment] if segment else []

    def at(self, where: str) -> ProtocolError:
        return ProtocolError(f"{where}{''.join(reversed(self.path))}: {self.message}")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, where: str) -> bytes:
    """Decode canonical standard base64, or raise a ProtocolError naming `where`."""
    try:
        return _b64decode(text)
    except Invalid as invalid:
        raise invalid.at(where) from None


def _b64decode(text: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise Invalid("not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise Invalid("not canonical base64")
    return data


def base64_chars(size: int) -> int:
    """How many base64 characters `size` bytes take (padded)."""
    return (size + 2) // 3 * 4


class Field:
    """One kind of value: `read` checks a present, non-null value; `schema` describes it."""

    def read(self, value: Any, where: str, binary: bool = False) -> Any:
        """Check `value` (present, not null); a ProtocolError names `where` and what was wrong."""
        try:
            return self._read(value, binary)
        except Invalid as invalid:
            raise invalid.at(where) from None

    def _read(self, value: Any, binary: bool) -> Any:
        raise NotImplementedError

    def read_all(self, values: list[Any], binary: bool) -> list[Any] | None:
        """`values` read as `_read` reads each, or None if one of them is not valid.

        The fast path for long lists (a push's writes, a page of items): subclasses check a
        whole column in C-level loops where they can. None says nothing about which value is
        wrong: the caller then reads them one by one, and that names the place and the rule.
        A non-None answer is always what reading each value alone would have given.
        """
        read = self._read
        try:
            return [read(v, binary) for v in values]
        except Invalid:
            return None

    def schema(self, binary: bool) -> Schema:
        raise NotImplementedError

    def dump(self, value: Any, binary: bool) -> Any:
        """The wire form of `value` (what `read` turns back into it)."""
        return value

    def dump_all(self, values: list[Any], binary: bool) -> list[Any]:
        """The wire form of each of `values` (as `dump` gives it)."""
        dump = self.dump
        return [dump(v, binary) for v in values]

    def has_binary(self) -> bool:
        """True if the value holds bytes somewhere (its msgpack form differs from its JSON)."""
        return False


def _text(value: Any, max_chars: int) -> str:
    if not isinstance(value, str):
        raise Invalid("expected a string")
    if len(value) > max_chars:
        raise Invalid(f"longer than {max_chars} characters")
    _storable(value)
    return value


def _storable(text: str) -> None:
    """Refuse text no database can hold: JSON's `\\ud800` escapes decode to lone surrogates,
    which are not UTF-8 (SQLite and PostgreSQL both fail on them), and PostgreSQL's text holds
    no NUL. Either reached storage as a 500, or was stored and broke every later answer."""
    if "\x00" in text:
        raise Invalid("must not hold a NUL character")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid("not valid Unicode (a lone surrogate)") from None


def _all_of_type(values: list[Any], kind: type) -> bool:
    """True if every value is exactly a `kind` (no subclass: bool is no int here)."""
    return all(map(operator.is_, map(type, values), repeat(kind)))


def _lengths_within(values: list[Any], least: int, most: int) -> bool:
    lengths = list(map(len, values))
    return not lengths or (least <= min(lengths) and max(lengths) <= most)


@dataclass(frozen=True)
class Text(Field):
    max_chars: int
    description: str = ""

    def _read(self, value: Any, binary: bool) -> str:
        return _text(value, self.max_chars)

    def schema(self, binary: bool) -> Schema:
        return _described({"type": "string", "maxLength": self.max_chars}, self.description)


@dataclass(frozen=True)
class Choice(Field):
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def _read(self, value: Any, binary: bool) -> str:
        text = _text(value, max(len(v) for v in self.values) + 16)
        if text not in self.values:
            allowed = " or ".join(repr(v) for v in self.values)
            raise Invalid(f"must be {allowed}")
        return text

    def schema(self, binary: bool) -> Schema:
        if len(self.values) == 1:
            return {"type": "string", "const": self.values[0]}
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True)
class Ident(Field):
    """An id: 1 to `max_chars` letters, digits or _.:-"""

    max_chars: int = 128

    def _read(self, value: Any, binary: bool) -> str:
        text = _text(value, self.max_chars)
        if not _IDENT.fullmatch(text):
            raise Invalid("must be letters, digits or _.:-")
        return text

    def read_all(self, values: list[Any], binary: bool) -> list[Any] | None:
        if not values:
            return []
        if not _all_of_type(values, str) or not _lengths_within(values, 1, self.max_chars):
            return None
        joined = "\n".join(values)
        # One newline per join, none inside an id: ["a\nb"] would otherwise pass as two ids.
        if joined.count("\n") != len(values) - 1:
            return None
        return values if _IDENT_LINES.fullmatch(joined) else None

    def schema(self, binary: bool) -> Schema:
        return {"type": "string", "pattern": f"^{IDENT_PATTERN}$", "maxLength": self.max_chars}


def normalise_email(email: str) -> str:
    """The one spelling of an email the server stores and compares (trimmed, lower case)."""
    return email.strip().lower()


#: What a request's email must look like (before trimming and lower-casing).
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\s*$"


@dataclass(frozen=True)
class Email(Field):
    max_chars: int

    def _read(self, value: Any, binary: bool) -> str:
        email = normalise_email(_text(value, self.max_chars))
        local, at, domain = email.partition("@")
        if not at or not local or not domain or any(c.isspace() for c in email):
            raise Invalid("not an email address")
        return email

    def schema(self, binary: bool) -> Schema:
        return {
            "type": "string",
            "maxLength": self.max_chars,
            "pattern": EMAIL_PATTERN,
            "description": "trimmed and lower-cased by the server",
        }


#: Beyond this a float no longer holds every integer exactly.
_EXACT_FLOAT_INT = 2**53


@dataclass(frozen=True)
class Int(Field):
    minimum: int
    maximum: int
    description: str = ""

    def _read(self, value: Any, binary: bool) -> int:
        if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT_FLOAT_INT:
            value = int(value)  # JSON has one number type: 3.0 is the integer 3 (JSON Schema too)
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid("expected an integer")
        if not self.minimum <= value <= self.maximum:
            raise Invalid(f"must be between {self.minimum} and {self.maximum}")
        return value

    def read_all(self, values: list[Any], binary: bool) -> list[Any] | None:
        if not values:
            return []
        if not _all_of_type(values, int):  # floats (3.0) and bools go one by one
            return None
        return values if self.minimum <= min(values) and max(values) <= self.maximum else None

    def schema(self, binary: bool) -> Schema:
        return _described(
            {"type": "integer", "minimum": self.minimum, "maximum": self.maximum},
            self.description,
        )


@dataclass(frozen=True)
class Flag(Field):
    def _read(self, value: Any, binary: bool) -> bool:
        if not isinstance(value, bool):
            raise Invalid("expected true or false")
        return value

    def read_all(self, values: list[Any], binary: bool) -> list[Any] | None:
        return values if _all_of_type(values, bool) else None

    def schema(self, binary: bool) -> Schema:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Blob(Field):
    """Bytes: canonical base64 text in JSON, a bin value in msgpack."""

    min_bytes: int
    max_bytes: int
    description: str = ""

    def _read(self, value: Any, binary: bool) -> bytes:
        if binary:
            if not isinstance(value, bytes):
                raise Invalid("expected binary data")
            data = value
        else:
            data = _b64decode(_text(value, base64_chars(self.max_bytes)))
        if not self.min_bytes <= len(data) <= self.max_bytes:
            raise Invalid(f"must be {self.min_bytes} to {self.max_bytes} bytes")
        return data

    def read_all(self, values: list[Any], binary: bool) -> list[Any] | None:
        if not binary:
            return super().read_all(values, binary)
        if _all_of_type(values, bytes) and _lengths_within(values, self.min_bytes, self.max_bytes):
            return values
        return None

    def schema(self, binary: bool) -> Schema:
        if binary:
            out: Schema = {"type": "string", "contentMediaType": "application/octet-stream"}
            if self.min_bytes:
                out["minLength"] = self.min_bytes
            out["maxLength"] = self.max_bytes
            return _described(out, self.description or "bytes (msgpack bin)")
        out = {
            "type": "string",
            "contentEncoding": "base64",
            "pattern": BASE64_PATTERN,
            "maxLength": base64_chars(self.max_bytes),
        }
        if self.min_bytes:
            out["minLength"] = base64_chars(self.min_bytes)
        return _described(out, self.description or f"{self.min_bytes} to {self.max_bytes} bytes")

    def dump(self, value: Any, binary: bool) -> Any:
        return value if binary else b64encode(value)

    def has_binary(self) -> bool:
        return True


@dataclass(frozen=True)
class OpaqueObject(Field):
    """Any JSON object the server stores and returns as is, up to `max_bytes` serialised."""

    max_bytes: int

    def _read(self, value: Any, binary: bool) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid("expected a JSON object")
        try:
            text = json.dumps(value, separators=(",", ":"))
        except (TypeError, ValueError):  # bytes or odd keys from msgpack
            raise Invalid("not a JSON object") from None
        if len(text) > self.max_bytes:
            raise Invalid(f"larger than {self.max_bytes} bytes")
        # Stored as this escaped text, but answered unescaped (UTF-8): a lone surrogate in a
        # key or value would make every later answer that holds it fail.
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid("not valid Unicode (a lone surrogate)") from None
        return value

    def schema(self, binary: bool) -> Schema:
        return {
            "type": "object",
            "description": f"opaque to the server; at most {self.max_bytes} bytes as JSON",
        }


@dataclass(frozen=True)
class Array(Field):
    item: Field
    max_items: int
    description: str = ""

    def _read(self, value: Any, binary: bool) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid("expected a list")
        if len(value) > self.max_items:
            raise Invalid(f"more than {self.max_items} entries")
        fast = self.item.read_all(value, binary)
        if fast is not None:
            return fast
        read = self.item._read  # one by one: the first invalid entry is named
        out = []
        for i, v in enumerate(value):
            try:
                out.append(read(v, binary))
            except Invalid as invalid:
                invalid.path.append(f"[{i}]")
                raise
        return out

    def schema(self, binary: bool) -> Schema:
        out = {"type": "array", "items": self.item.schema(binary), "maxItems": self.max_items}
        return _described(out, self.description)

    def dump(self, value: Any, binary: bool) -> Any:
        return self.item.dump_all(value, binary)

    def has_binary(self) -> bool:
        return self.item.has_binary()


@dataclass(frozen=True)
class Member:
    """A field of an object: required unless `optional`; `nullable` also allows null (an
    optional member that is null counts as absent)."""

    field: Field
    optional: bool = False
    nullable: bool = False


@dataclass(frozen=True)
class Obj(Field):
    """An object with exactly these members (any other is an error), built into `build`.

    `check` runs on the built value for rules across members (say, version > base_version).
    In a schema an `Obj` is a `$ref` to a component named `name` (`name` + "Msgpack" for the
    msgpack form of an object that holds bytes).
    """

    name: str
    build: Callable[..., Any]
    members: Mapping[str, Member]
    #: Raises `Invalid` (with the member's segment, say ".version") if a rule across members fails.
    check: Callable[[Any], None] | None = None
    description: str = ""

    def _read(self, value: Any, binary: bool) -> Any:
        if not isinstance(value, dict):
            raise Invalid(f"expected {'a map' if binary else 'a JSON object'}")
        values: dict[str, Any] = {}
        for name, member in self.members.items():
            raw = value.get(name)
            if raw is None:
                if name not in value and not member.optional:
                    raise Invalid("missing", "." + name)
                if member.optional or member.nullable:
                    values[name] = None
                    continue
            try:
                values[name] = member.field._read(raw, binary)
            except Invalid as invalid:
                invalid.path.append("." + name)
                raise
        unknown = [k for k in value if k not in self.members]
        if unknown:
            raise Invalid(f"unknown field {sorted(map(str, unknown))[0]!r}")
        built = self.build(**values)
        if self.check is not None:
            self.check(built)
        return built

    def read_all(self, values: list[Any], binary: bool) -> list[Any] | None:
        """Column-wise: every entry a map of exactly the members, each member's column read
        at once, the objects built from the columns. Objects with an optional or nullable
        member, or whose `build` takes other arguments, are read one by one."""
        if not values:
            return []
        names = self._positional_members()
        if names is None or not _all_of_type(values, dict):
            return None
        wanted = frozenset(names)
        if not all(map(operator.eq, map(dict.keys, values), repeat(wanted))):
            return None
        columns = []
        for name in names:
            column = self.members[name].field.read_all(
                list(map(operator.itemgetter(name), values)), binary
            )
            if column is None:
                return None
            columns.append(column)
        built = list(map(self.build, *columns))
        if self.check is not None:
            try:
                for one in built:
                    self.check(one)
            except Invalid:
                return None
        return built

    def _positional_members(self) -> tuple[str, ...] | None:
        """The member names, if every member is required and not nullable and `build` is a
        dataclass taking exactly them in this order (so a column-wise read can build
        positionally); else None. Worked out once per object."""
        cache: dict[str, tuple[str, ...] | None] = self.__dict__.setdefault("_positional", {})
        if "names" not in cache:
            names = tuple(self.members)
            simple = all(not m.optional and not m.nullable for m in self.members.values())
            built = self.build
            init = (
                [f.name for f in dataclasses.fields(built) if f.init]
                if isinstance(built, type) and dataclasses.is_dataclass(built)
                else None
            )
            cache["names"] = names if simple and init == list(names) else None
        return cache["names"]

    def dump(self, value: Any, binary: bool = False) -> dict[str, Any]:
        """`value`'s members as a wire object; an absent optional member is left out."""
        out: dict[str, Any] = {}
        for name, member, as_is in self._dump_plan(binary):
            item = getattr(value, name)
            if item is None:
                if member.nullable:
                    out[name] = None
                elif not member.optional:
                    raise ValueError(f"{self.name}.{name} is required")
                continue
            out[name] = item if as_is else member.field.dump(item, binary)
        return out

    def dump_all(self, values: list[Any], binary: bool) -> list[Any]:
        """Each object's attributes copied as its wire map, when that is what `dump` gives:
        every member's wire form is its value, the objects are exactly `build`'s dataclass
        with its fields in member order and none of them is None (which `dump` refuses).
        A push's 500 writes take 0.25 ms so, 0.9 ms one `dump` at a time."""
        names = self._positional_members()
        plain = names is not None and all(as_is for _, _, as_is in self._dump_plan(binary))
        kind = self.build
        if not plain or not isinstance(kind, type) or not _all_of_type(values, kind):
            return super().dump_all(values, binary)
        maps = list(map(dict, map(vars, values)))
        wanted = frozenset(self.members)
        if not all(map(operator.eq, map(dict.keys, maps), repeat(wanted))) or any(
            map(operator.contains, map(dict.values, maps), repeat(None))
        ):
            return super().dump_all(values, binary)
        return maps

    def _dump_plan(self, binary: bool) -> list[tuple[str, Member, bool]]:
        """(name, member, whether its wire form is the value itself): fewer calls per item."""
        plans: dict[bool, list[tuple[str, Member, bool]]] = self.__dict__.setdefault("_plans", {})
        plan = plans.get(binary)
        if plan is None:
            plan = [
                (
                    name,
                    m,
                    type(m.field).dump is Field.dump or (binary and isinstance(m.field, Blob)),
                )
                for name, m in self.members.items()
            ]
            plans[binary] = plan
        return plan

    def ref_name(self, binary: bool) -> str:
        return self.name + ("Msgpack" if binary and self.has_binary() else "")

    def schema(self, binary: bool) -> Schema:
        return {"$ref": REF_PREFIX + self.ref_name(binary)}

    def body_schema(self, binary: bool) -> Schema:
        """The object's own schema (what its component holds)."""
        properties: Schema = {}
        required: list[str] = []
        for name, member in self.members.items():
            schema = member.field.schema(binary)
            if member.optional or member.nullable:
                schema = {"anyOf": [schema, {"type": "null"}]}
            properties[name] = schema
            if not member.optional:
                required.append(name)
        out: Schema = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        return _described(out, self.description)

    def has_binary(self) -> bool:
        return any(m.field.has_binary() for m in self.members.values())

    def nested(self) -> Sequence[Obj]:
        """The objects this one refers to, directly or through arrays."""
        found: list[Obj] = []
        for member in self.members.values():
            inner: Field = member.field
            while isinstance(inner, Array):
                inner = inner.item
            if isinstance(inner, Obj):
                found.append(inner)
        return found


def components(roots: Sequence[Obj], binary: bool) -> dict[str, Schema]:
    """Component schemas for `roots` and every object they refer to."""
    out: dict[str, Schema] = {}
    pending = list(roots)
    while pending:
        obj = pending.pop()
        name = obj.ref_name(binary)
        if name not in out:
            out[name] = obj.body_schema(binary)
            pending.extend(obj.nested())
    return out


def _described(schema: Schema, description: str) -> Schema:
    if description:
        schema["description"] = description
    return schema


@dataclass(frozen=True)
class QueryInt:
    """A non-negative integer query parameter (digits only)."""

    name: str
    default: int
    maximum: int
    minimum: int = 0
    description: str = ""
    extra: Schema = field(default_factory=dict)

    def read(self, params: Mapping[str, str]) -> int:
        text = params.get(self.name)
        if text is None:
            return self.default
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            raise ProtocolError(f"query.{self.name}: expected a non-negative integer")
        value = int(text)
        if value > self.maximum:
            raise ProtocolError(f"query.{self.name}: must be at most {self.maximum}")
        if value < self.minimum:
            raise ProtocolError(f"query.{self.name}: must be at least {self.minimum}")
        return value

    def schema(self) -> Schema:
        return {
            "type": "integer",
            "minimum": self.minimum,
            "maximum": self.maximum,
            "default": self.default,
        }
