"""Converting record values to column values and back, exactly.

Decimals become their canonical text, times fixed-width UTC text (text order is time order),
UUIDs their text, lists JSON. Nothing passes through a binary float.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from journal_desktop.domain.decimals import canonical_decimal, parse_decimal
from journal_desktop.domain.records import Fill, InvalidRecord

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

#: The range of SQLite's INTEGER, which holds the `*_e8` money columns.
_E8_MAX = 2**63 - 1
_E8_MIN = -(2**63)
#: Amounts with a larger adjusted exponent (10**12 and up) cannot fit whatever their digits.
_E8_MAX_ADJUSTED = 11


def enc_decimal(value: Decimal) -> str:
    return canonical_decimal(value)


def dec_decimal(value: str) -> Decimal:
    return parse_decimal(value)


def enc_optional(encoder: Encoder) -> Encoder:
    return lambda value: None if value is None else encoder(value)


def dec_optional(decoder: Decoder) -> Decoder:
    return lambda value: None if value is None else decoder(value)


def enc_utc(value: datetime) -> str:
    if value.tzinfo is None:
        # A naive time would be read as the machine's local time: refuse rather than guess.
        raise ValueError("a time without a time zone cannot be stored or compared")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dec_utc(value: str) -> datetime:
    return datetime.fromisoformat(value)


def enc_day(value: date) -> str:
    return value.isoformat()


def dec_day(value: str) -> date:
    return date.fromisoformat(value)


def enc_uuid(value: uuid.UUID) -> str:
    return str(value)


def dec_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def enc_uuid_list(values: tuple[uuid.UUID, ...]) -> str:
    return json.dumps([str(v) for v in values])


def dec_uuid_list(text: str) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(v) for v in json.loads(text))


def enc_text_list(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def dec_text_list(text: str) -> tuple[str, ...]:
    return tuple(str(v) for v in json.loads(text))


def enc_fills(fills: tuple[Fill, ...]) -> str:
    return json.dumps([[str(f.execution_id), canonical_decimal(f.quantity)] for f in fills])


def dec_fills(text: str) -> tuple[Fill, ...]:
    return tuple(Fill(uuid.UUID(e), parse_decimal(q)) for e, q in json.loads(text))


def enc_enum(value: enum.Enum) -> Any:
    return value.value


def dec_enum(kind: type[enum.Enum]) -> Decoder:
    return lambda value: kind(value)


def identity(value: Any) -> Any:
    return value


def enc_bool(value: bool) -> int:
    return 1 if value else 0


def dec_bool(value: int) -> bool:
    return bool(value)


def to_e8(value: Decimal) -> int:
    """Integer units of 1e-8, for exact SQL sums; rounds only beyond the 8th decimal place.

    The units must fit SQLite's 64-bit INTEGER (about +-92 billion); a larger amount is refused
    with InvalidRecord rather than failing in the driver or being rounded by the default
    28-digit decimal context.
    """
    if value.adjusted() <= _E8_MAX_ADJUSTED:
        exact = Context(prec=len(value.as_tuple().digits) + 30, Emax=MAX_EMAX, Emin=MIN_EMIN)
        units = int(
            value.scaleb(8, context=exact).quantize(
                Decimal(1), rounding=ROUND_HALF_EVEN, context=exact
            )
        )
        if _E8_MIN <= units <= _E8_MAX:
            return units
    raise InvalidRecord(
        f"the amount {value} is too large for the journal's exact totals "
        "(at most 92,233,720,368.54775807 either way)"
    )


def encode_stamps(stamps: Mapping[str, str]) -> str:
    """Per-field stamps, compacted: the most common stamp once under "", the rest by field.

    Most records change a few fields at a time, so this keeps the column short.
    """
    if not stamps:
        return "{}"
    counts: dict[str, int] = {}
    for stamp in stamps.values():
        counts[stamp] = counts.get(stamp, 0) + 1
    base = max(counts, key=lambda s: (counts[s], s))
    compact: dict[str, Any] = {"": base, "f": sorted(stamps)}
    compact.update({k: v for k, v in stamps.items() if v != base})
    return json.dumps(compact, sort_keys=True, separators=(",", ":"))


def decode_stamps(text: str) -> dict[str, str]:
    compact = json.loads(text)
    if not compact:
        return {}
    base = compact[""]
    return {name: compact.get(name, base) for name in compact["f"]}


@dataclass(frozen=True, slots=True)
class Column:
    """One record field stored in one column of the same name."""

    field: str
    encode: Encoder = identity
    decode: Decoder = identity
