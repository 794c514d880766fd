"""Where a position's splits and merges are kept, and how every re-match applies them.

The operations themselves (and why they are operations, not edited executions) are described
in `domain.trade_grouping`. Here they are stored per position as a small JSON list in the
vault's settings (key `matching.grouping.<account id>.<instrument id>`), so a change is
audited like any user setting, and no schema change is needed.

`grouped_trades` is the step `importing.rematch` runs between matching and storing: every
re-match applies the position's operations, so trades keep their ids (and the trader's notes)
and a trade merged away is never re-created over its own tombstone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from journal_desktop.domain.matching import MatchingMethod, match_position
from journal_desktop.domain.records import Execution, Fill, Trade
from journal_desktop.domain.trade_grouping import GroupingOp, MergeOp, SplitOp, apply_ops
from journal_desktop.storage.vault import Vault

SETTING_PREFIX = "matching.grouping."
FORMAT_VERSION = 1

Position = tuple[uuid.UUID, uuid.UUID]


def setting_key(account_id: uuid.UUID, instrument_id: uuid.UUID) -> str:
    return f"{SETTING_PREFIX}{account_id}.{instrument_id}"


def load_ops(vault: Vault, account_id: uuid.UUID, instrument_id: uuid.UUID) -> list[GroupingOp]:
    text = vault.settings.get(setting_key(account_id, instrument_id))
    if not text:
        return []
    return decode_ops(text)


def save_ops(
    vault: Vault, account_id: uuid.UUID, instrument_id: uuid.UUID, ops: Sequence[GroupingOp]
) -> None:
    key = setting_key(account_id, instrument_id)
    if not ops and vault.settings.get(key) is None:
        return
    vault.settings.set(key, encode_ops(ops))


def encode_ops(ops: Sequence[GroupingOp]) -> str:
    items: list[dict[str, Any]] = []
    for op in ops:
        if isinstance(op, SplitOp):
            items.append(
                {
                    "op": "split",
                    "trade": str(op.trade_id),
                    "new": str(op.new_id),
                    "fills": [[str(f.execution_id), str(f.quantity)] for f in op.fills],
                }
            )
        else:
            items.append({"op": "merge", "trades": [str(t) for t in op.trade_ids]})
    return json.dumps({"version": FORMAT_VERSION, "ops": items}, separators=(",", ":"))


def decode_ops(text: str) -> list[GroupingOp]:
    """The stored operations; an unreadable entry is dropped rather than guessed at."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        return []
    ops: list[GroupingOp] = []
    for item in document.get("ops", []):
        try:
            if item["op"] == "split":
                ops.append(
                    SplitOp(
                        trade_id=uuid.UUID(item["trade"]),
                        new_id=uuid.UUID(item["new"]),
                        fills=tuple(
                            Fill(execution_id=uuid.UUID(e), quantity=Decimal(q))
                            for e, q in item["fills"]
                        ),
                    )
                )
            elif item["op"] == "merge":
                ops.append(MergeOp(trade_ids=tuple(uuid.UUID(t) for t in item["trades"])))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            continue
    return ops


def grouped_trades(
    vault: Vault,
    matched: Sequence[Trade],
    executions: Sequence[Execution],
    *,
    multiplier: Decimal,
    method: MatchingMethod,
) -> list[Trade]:
    """Freshly matched trades of one position with its stored splits and merges applied.

    `importing.rematch` calls this between matching and storing, so every re-match (an
    import, an undo, an edited execution) keeps the trader's splits and merges, and a trade
    merged away is never re-created under the id its tombstone holds.
    """
    if not matched:
        return list(matched)
    account_id, instrument_id = matched[0].account_id, matched[0].instrument_id
    ops = load_ops(vault, account_id, instrument_id)
    if not ops:
        return list(matched)
    trades, _ = apply_ops(
        matched, {e.id: e for e in executions}, ops, multiplier=multiplier, method=method
    )
    return trades


def prune(vault: Vault, positions: Iterable[Position], method: MatchingMethod) -> None:
    """Drop the operations that no longer fit their position's trades (after an edit)."""
    for account_id, instrument_id in positions:
        ops = load_ops(vault, account_id, instrument_id)
        if not ops:
            continue
        instrument = vault.instruments.require(instrument_id)
        executions = vault.executions.for_position(account_id, instrument_id)
        matched = match_position(executions, multiplier=instrument.multiplier, method=method)
        _, applied = apply_ops(
            matched,
            {e.id: e for e in executions},
            ops,
            multiplier=instrument.multiplier,
            method=method,
        )
        if applied != ops:
            save_ops(vault, account_id, instrument_id, applied)
