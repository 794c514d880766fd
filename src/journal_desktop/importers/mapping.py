"""A column mapping: how to read a CSV export that no built-in format knows, saved by name.

Many platforms write one execution per row but each names its columns its own way. Rather
than a format per platform, the trader says once which column is the date, the symbol, the
quantity and so on, how sides are spelled (`BOT`/`SLD`, `B`/`S`) or that the quantity is
signed, and which date layout and decimal separator the file uses. The mapping is kept as
JSON in the vault's settings (`to_json`/`from_json`) and reused for every later file.

Parsing follows the built-in formats' rules: exact decimals, times read in the import's zone
and stored in UTC, and an error naming file, line and column for the first bad value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.numbers import infer_decimal_comma
from journal_desktop.importers.ordering import oldest_first
from journal_desktop.importers.table import Row, find_header_line, normalise_header, read_table
from journal_desktop.importers.times import BadTime, LocalTimeReader

#: The JSON layout's version; `from_json` refuses any other.
MAPPING_VERSION = 1

DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
)
#: Side words most platforms use; a mapping may replace them with its own.
DEFAULT_SIDE_WORDS: Mapping[str, Side] = {
    "buy": Side.BUY,
    "b": Side.BUY,
    "bot": Side.BUY,
    "bought": Side.BUY,
    "cover": Side.BUY,
    "buy to cover": Side.BUY,
    "sell": Side.SELL,
    "s": Side.SELL,
    "sld": Side.SELL,
    "sold": Side.SELL,
    "short": Side.SELL,
    "sell short": Side.SELL,
    "ss": Side.SELL,
}
ASSET_CLASS_WORDS: Mapping[str, AssetClass] = {
    "stock": AssetClass.STOCK,
    "stocks": AssetClass.STOCK,
    "equity": AssetClass.STOCK,
    "stk": AssetClass.STOCK,
    "etf": AssetClass.STOCK,
    "option": AssetClass.OPTION,
    "options": AssetClass.OPTION,
    "opt": AssetClass.OPTION,
    "future": AssetClass.FUTURE,
    "futures": AssetClass.FUTURE,
    "fut": AssetClass.FUTURE,
    "forex": AssetClass.FOREX,
    "fx": AssetClass.FOREX,
    "cash": AssetClass.FOREX,
    "crypto": AssetClass.CRYPTO,
}
_DELIMITERS = (",", ";", "\t", "|")


class MappingError(ValueError):
    """A column mapping that cannot be used (or a saved one that cannot be read back)."""


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column holds what, and how to read it.

    `date` names the date column, or a combined date-and-time column when `time` is None.
    With a separate `time` column, `date_formats` describe `"<date> <time>"`. `side` may be
    None only when `signed_quantity` is set: the sign then gives the side (negative = sell).
    `decimal_comma` None means decide from the file's numbers; `delimiter` None means sniff.
    """

    name: str
    date: str
    symbol: str
    quantity: str
    price: str
    side: str | None = None
    time: str | None = None
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    side_words: Mapping[str, Side] = field(default_factory=lambda: dict(DEFAULT_SIDE_WORDS))
    signed_quantity: bool = False
    commission: str | None = None
    fees: tuple[str, ...] = ()
    account: str | None = None
    execution_id: str | None = None
    asset_class: str | None = None
    default_asset_class: AssetClass = AssetClass.STOCK
    currency: str | None = None
    decimal_comma: bool | None = None
    delimiter: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise MappingError("a column mapping needs a name")
        for label in ("date", "symbol", "quantity", "price"):
            if not str(getattr(self, label)).strip():
                raise MappingError(f"the mapping names no {label} column")
        if self.side is None and not self.signed_quantity:
            raise MappingError("name a side column, or say the quantity is signed")
        if not self.date_formats or not all("%" in f for f in self.date_formats):
            raise MappingError("date formats are strptime patterns such as %Y-%m-%d %H:%M:%S")
        if self.delimiter is not None and self.delimiter not in _DELIMITERS:
            raise MappingError(f"the delimiter must be one of {', '.join(map(repr, _DELIMITERS))}")
        words = {normalise_header(word): Side(side) for word, side in self.side_words.items()}
        if not words and not self.signed_quantity:
            raise MappingError("the mapping has no side words")
        object.__setattr__(self, "side_words", words)
        object.__setattr__(self, "date_formats", tuple(self.date_formats))
        object.__setattr__(self, "fees", tuple(self.fees))

    def required_columns(self) -> tuple[str, ...]:
        columns = [self.date, self.symbol, self.quantity, self.price]
        columns += [c for c in (self.time, self.side) if c is not None]
        if self.signed_quantity and self.side is not None:
            columns.remove(self.side)  # the sign decides; the column may be absent
        return tuple(columns)

    def to_json(self) -> str:
        """The mapping as JSON, stable key order, for the vault's settings."""
        data: dict[str, Any] = {"version": MAPPING_VERSION}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "side_words":
                value = {word: side.value for word, side in sorted(value.items())}
            elif item.name in ("date_formats", "fees"):
                value = list(value)
            elif item.name == "default_asset_class":
                value = value.value
            data[item.name] = value
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        """A mapping saved by `to_json`; anything else is a MappingError, never a half-read
        mapping that would import wrong numbers."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise MappingError(f"the saved mapping is not JSON ({error})") from None
        if not isinstance(data, dict):
            raise MappingError("the saved mapping is not a JSON object")
        if data.pop("version", None) != MAPPING_VERSION:
            raise MappingError(f"the saved mapping is not of version {MAPPING_VERSION}")
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise MappingError(f"the saved mapping has unknown keys: {', '.join(unknown)}")
        try:
            return cls(**_typed(data))
        except (TypeError, ValueError) as error:
            raise MappingError(f"the saved mapping is not valid: {error}") from None


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """JSON values checked and turned back into the dataclass's types."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("date_formats", "fees"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise MappingError(f"{key} must be a list of strings")
            out[key] = tuple(value)
        elif key == "side_words":
            if not isinstance(value, dict):
                raise MappingError("side_words must be an object of word to buy/sell")
            out[key] = {str(word): Side(side) for word, side in value.items()}
        elif key == "default_asset_class":
            out[key] = AssetClass(value)
        elif key in ("signed_quantity",):
            if not isinstance(value, bool):
                raise MappingError(f"{key} must be true or false")
            out[key] = value
        elif key == "decimal_comma":
            if value is not None and not isinstance(value, bool):
                raise MappingError("decimal_comma must be true, false or null")
            out[key] = value
        else:
            if value is not None and not isinstance(value, str):
                raise MappingError(f"{key} must be a string")
            if key in ("name", "date", "symbol", "quantity", "price") and value is None:
                raise MappingError(f"{key} must be a string")
            out[key] = value
    return out


def parse_with_mapping(
    text: str, filename: str, tz: tzinfo, account: str, mapping: ColumnMapping
) -> ParsedFile:
    """Read a CSV by a column mapping: one execution per data row, all or nothing, oldest
    first (a file listing the newest first is read bottom up, see `ordering`)."""
    if not text.strip():
        raise ImportFileError(filename, "the file is empty")
    required = mapping.required_columns()
    header = find_header_line(text, *required)
    table = read_table(text, filename, header_line_index=header or 0, delimiter=mapping.delimiter)
    table.require_columns(*required)
    # An optional column the mapping names must be there: its absence means another file.
    named = (mapping.commission, mapping.account, mapping.execution_id, mapping.asset_class)
    table.require_columns(*(c for c in (*named, mapping.currency, *mapping.fees) if c))
    decimal_comma = mapping.decimal_comma
    if decimal_comma is None:
        numeric = [mapping.quantity, mapping.price, *mapping.fees]
        numeric += [mapping.commission] if mapping.commission else []
        keys = [normalise_header(c) for c in numeric]
        decimal_comma = infer_decimal_comma(
            row.values.get(key, "") for row in table.rows for key in keys
        )
    read_time = LocalTimeReader(mapping.date_formats, tz)
    executions = tuple(
        _execution(row, mapping, read_time, account, position, decimal_comma)
        for position, row in enumerate(table.rows)
    )
    if not executions:
        raise ImportFileError(filename, "the file has a header but no executions")
    return oldest_first(ParsedFile(f"mapping:{mapping.name}", executions))


def _execution(
    row: Row,
    mapping: ColumnMapping,
    read_time: LocalTimeReader,
    account: str,
    position: int,
    decimal_comma: bool | None,
) -> ImportedExecution:
    quantity = row.amount(mapping.quantity, decimal_comma=decimal_comma)
    if quantity == 0:
        raise row.error("a quantity of zero is not an execution", mapping.quantity)
    if mapping.signed_quantity:
        side = Side.BUY if quantity > 0 else Side.SELL
    else:
        assert mapping.side is not None
        if quantity < 0:
            raise row.error(
                "a quantity must not be negative; the side column says the direction (or set"
                " the mapping's quantity as signed)",
                mapping.quantity,
            )
        word = row.text(mapping.side)
        found = mapping.side_words.get(normalise_header(word))
        if found is None:
            known = ", ".join(sorted(mapping.side_words))
            raise row.error(f"{word!r} is not a side this mapping knows ({known})", mapping.side)
        side = found
    when = row.text(mapping.date)
    if mapping.time is not None:
        when = f"{when} {row.text(mapping.time)}"
    try:
        executed_at = read_time(when)
    except BadTime as error:
        raise row.error(str(error), mapping.date) from None
    commission = (
        abs(row.amount(mapping.commission, required=False, decimal_comma=decimal_comma))
        if mapping.commission
        else Decimal(0)
    )
    fees = sum(
        (abs(row.amount(c, required=False, decimal_comma=decimal_comma)) for c in mapping.fees),
        Decimal(0),
    )
    return ImportedExecution(
        account=(row.text(mapping.account, required=False) if mapping.account else "")
        or account
        or "Default",
        instrument=InstrumentSpec(
            symbol=row.text(mapping.symbol).upper(),
            asset_class=_asset_class(row, mapping),
            currency=(
                (row.text(mapping.currency, required=False) if mapping.currency else "") or "USD"
            ).upper(),
        ),
        side=side,
        quantity=abs(quantity),
        price=row.amount(mapping.price, decimal_comma=decimal_comma),
        executed_at=executed_at,
        commission=commission,
        fees=fees,
        broker_execution_id=(
            row.text(mapping.execution_id, required=False) if mapping.execution_id else ""
        ),
        line=row.line,
        position_in_file=position,
    )


def _asset_class(row: Row, mapping: ColumnMapping) -> AssetClass:
    if mapping.asset_class is None:
        return mapping.default_asset_class
    word = row.text(mapping.asset_class, required=False)
    if not word:
        return mapping.default_asset_class
    found = ASSET_CLASS_WORDS.get(word.lower())
    if found is None:
        raise row.error(f"{word!r} is not an asset class", mapping.asset_class)
    return found
