"""The rules by which a record's version and per-field stamps change.

Storage applies these on every write so that, when sync arrives, each field already knows when
it last changed and on which device, and no schema rewrite is needed.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from journal_desktop.domain.hlc import Hlc
from journal_desktop.domain.records import META_FIELDS, Record

R = TypeVar("R", bound=Record)


#: Field names per record class, worked out once: imports stamp hundreds of thousands of
#: records of a handful of types.
_FIELDS: dict[type, tuple[str, ...]] = {}


def record_fields(record: Record) -> tuple[str, ...]:
    """The names of a record's own data fields, in declaration order."""
    kind = type(record)
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(record) if f.name not in META_FIELDS)
        _FIELDS[kind] = names
    return names


def stamp_new(record: R, stamp: Hlc) -> R:
    """A first version of a record: every field stamped now."""
    stamps = dict.fromkeys(record_fields(record), str(stamp))
    return dataclasses.replace(record, version=1, deleted=False, stamps=stamps)


def stamp_update(previous: R, updated: R, stamp: Hlc) -> tuple[R, tuple[str, ...]]:
    """The next version of `previous` with the values of `updated`.

    Only fields whose value changed get the new stamp; an update that changes nothing keeps the
    version, so saving an unchanged form adds no history and no sync traffic.
    Returns the record to store and the names of the fields that changed.
    """
    if previous.id != updated.id:
        raise ValueError("an update must keep the record's id")
    changed = tuple(
        name
        for name in record_fields(previous)
        if getattr(previous, name) != getattr(updated, name)
    )
    if not changed and previous.deleted == updated.deleted:
        return previous, ()
    stamps = dict(previous.stamps)
    for name in changed:
        stamps[name] = str(stamp)
    result = dataclasses.replace(
        updated, version=previous.version + 1, deleted=updated.deleted, stamps=stamps
    )
    return result, changed


def tombstone(previous: R, stamp: Hlc, *, purge: dict[str, object]) -> R:
    """The deleted version of a record, with private free text (`purge`) wiped.

    The tombstone keeps the id and version so the delete can travel to other devices; the
    trader's words do not stay behind in a record they deleted.
    """
    stamps = dict(previous.stamps)
    for name in purge:
        stamps[name] = str(stamp)
    stamps["deleted"] = str(stamp)
    changes: dict[str, Any] = {**purge, "version": previous.version + 1, "deleted": True}
    changes["stamps"] = stamps
    return dataclasses.replace(previous, **changes)
