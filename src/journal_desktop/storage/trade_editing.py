"""What the trade detail screen does to a trade, each operation one transaction.

Everything goes through the repositories, so every change is versioned and audited, and a
failure anywhere rolls the whole operation back: the vault is exactly as it was.

- Reading: a trade with its fills (the executions and the part of each in this trade), its
  account, instrument, tag names and screenshots' metadata.
- Annotations (notes, tags by name, setup, mistakes, rating, initial risk, stop) are written on
  the trade; matching never touches them. A stop without an amount at risk stores the risk the
  stop implies (`domain.risk`), so statistics can count the trade's R.
- Manual trades are entered as executions (no import batch, no fingerprint: that is what marks
  them manual) and the matching engine builds the trades, exactly as for an import. Editing or
  deleting an execution re-matches its position; trades keep their notes (`importing.rematch`).
- Split and merge are grouping operations over the matched trades, stored per position and
  re-applied by every re-match; see `domain.trade_grouping` for the design and why the parts'
  P&L always add up to the whole exactly.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from journal_desktop.domain.contracts import UnknownContract, default_multiplier
from journal_desktop.domain.imported import InstrumentSpec
from journal_desktop.domain.records import (
    Account,
    AssetClass,
    Attachment,
    AttachmentOwner,
    Execution,
    Fill,
    Instrument,
    InvalidRecord,
    Side,
    Tag,
    Trade,
)
from journal_desktop.domain.risk import planned_risk, r_value
from journal_desktop.domain.trade_grouping import (
    InvalidGrouping,
    MergeOp,
    SplitOp,
    consolidated_fills,
)
from journal_desktop.domain.trade_grouping import (
    split_trade as plan_split,
)
from journal_desktop.storage import trade_grouping
from journal_desktop.storage.errors import VaultError
from journal_desktop.storage.importing import matching_method, rematch
from journal_desktop.storage.vault import Vault

Position = tuple[uuid.UUID, uuid.UUID]

#: At most this many distinct setups or mistakes are offered for completion.
CHOICES_LIMIT = 500


class EditRejected(VaultError):
    """The edit cannot be made; the sentence says why. Nothing was changed."""


@dataclass(frozen=True, slots=True)
class FillDetail:
    """One row of a trade's executions: the execution and the part of it in this trade."""

    execution: Execution
    quantity: Decimal

    @property
    def manual(self) -> bool:
        return is_manual(self.execution)


@dataclass(frozen=True, slots=True)
class TradeDetail:
    trade: Trade
    account: Account
    instrument: Instrument
    tag_names: tuple[str, ...]
    fills: tuple[FillDetail, ...]
    attachments: tuple[Attachment, ...]

    @property
    def holding_time(self) -> timedelta | None:
        if self.trade.closed_at is None:
            return None
        return self.trade.closed_at - self.trade.opened_at

    @property
    def r_multiple(self) -> Decimal | None:
        return r_value(self.trade.net_pnl, self.risk)

    @property
    def risk(self) -> Decimal | None:
        return planned_risk(
            initial_risk=self.trade.initial_risk,
            stop_price=self.trade.stop_price,
            entry_price=self.trade.entry_price,
            quantity=self.trade.quantity,
            multiplier=self.instrument.multiplier,
        )


@dataclass(frozen=True, slots=True)
class Choices:
    """What the form offers for completion: existing accounts, tags, setups and mistakes."""

    accounts: tuple[str, ...]
    tags: tuple[str, ...]
    setups: tuple[str, ...]
    mistakes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Annotations:
    """What the trader writes on a trade; tags by name (new names become tags)."""

    notes: str = ""
    tags: tuple[str, ...] = ()
    setup: str = ""
    mistakes: tuple[str, ...] = ()
    rating: int | None = None
    initial_risk: Decimal | None = None
    stop_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ExecutionInput:
    """One fill as the trader types it. Times are UTC; the screen converts from local time."""

    account: str
    symbol: str
    asset_class: AssetClass
    side: Side
    quantity: Decimal
    price: Decimal
    executed_at: datetime
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    #: None: the usual one (100 for options, the contract table for futures, else 1).
    multiplier: Decimal | None = None
    #: An option's terms; required for options, empty for everything else. `symbol` is then
    #: the contract's own symbol (the OCC form imports store, so a hand-entered closing fill
    #: matches an imported opening one) and `underlying` what it is an option on.
    underlying: str = ""
    expiry: date | None = None
    strike: Decimal | None = None
    option_right: str = ""


def is_manual(execution: Execution) -> bool:
    """Entered by hand: no import batch and no fingerprint of a broker file line."""
    return execution.import_batch_id is None and not execution.fingerprint


# -- reading -----------------------------------------------------------------------------------


def load_trade(vault: Vault, trade_id: uuid.UUID) -> TradeDetail:
    trade = vault.trades.require(trade_id)
    quantities = consolidated_fills(trade.fills)
    fills = []
    for execution_id, quantity in quantities.items():
        execution = vault.executions.get(execution_id)
        if execution is not None:
            fills.append(FillDetail(execution, quantity))
    fills.sort(key=lambda f: (f.execution.executed_at, str(f.execution.id)))
    tags = [vault.tags.get(t) for t in trade.tag_ids]
    return TradeDetail(
        trade=trade,
        account=vault.accounts.require(trade.account_id),
        instrument=vault.instruments.require(trade.instrument_id),
        tag_names=tuple(t.name for t in tags if t is not None),
        fills=tuple(fills),
        attachments=tuple(vault.attachments.for_owner(AttachmentOwner.TRADE, trade_id)),
    )


def choices(vault: Vault) -> Choices:
    db = vault.db
    setups = db.query(
        "SELECT DISTINCT setup FROM trades WHERE deleted = 0 AND setup <> '' "
        "ORDER BY setup COLLATE NOCASE LIMIT ?",
        (CHOICES_LIMIT,),
    )
    mistakes = db.query(
        "SELECT DISTINCT m.value FROM trades, json_each(trades.mistakes) AS m "
        "WHERE trades.deleted = 0 ORDER BY m.value COLLATE NOCASE LIMIT ?",
        (CHOICES_LIMIT,),
    )
    return Choices(
        accounts=tuple(a.name for a in vault.accounts.list_all(order_by="name")),
        tags=tuple(t.name for t in vault.tags.list_all(order_by="name COLLATE NOCASE")),
        setups=tuple(str(r[0]) for r in setups),
        mistakes=tuple(str(r[0]) for r in mistakes),
    )


def merge_candidates(vault: Vault, trade_id: uuid.UUID) -> list[Trade]:
    """The other trades of the same account and instrument, oldest first."""
    trade = vault.trades.require(trade_id)
    return [
        t
        for t in vault.trades.for_position(trade.account_id, trade.instrument_id)
        if t.id != trade_id
    ]


def trades_holding(vault: Vault, execution_ids: Iterable[uuid.UUID]) -> list[Trade]:
    """The live trades whose fills include any of these executions."""
    wanted = set(execution_ids)
    found: dict[uuid.UUID, Trade] = {}
    positions = {
        (e.account_id, e.instrument_id)
        for e in (vault.executions.get(i) for i in wanted)
        if e is not None
    }
    for account_id, instrument_id in positions:
        for trade in vault.trades.for_position(account_id, instrument_id):
            if any(f.execution_id in wanted for f in trade.fills):
                found[trade.id] = trade
    return sorted(found.values(), key=lambda t: (t.opened_at, str(t.id)))


# -- annotations -------------------------------------------------------------------------------


def save_annotations(vault: Vault, trade_id: uuid.UUID, annotations: Annotations) -> Trade:
    """Write what the trader wrote; unknown tag names become new tags, in the same step."""
    with vault.transaction():
        trade = vault.trades.require(trade_id)
        instrument = vault.instruments.require(trade.instrument_id)
        risk = annotations.initial_risk
        if risk is None and annotations.stop_price is not None:
            risk = planned_risk(
                initial_risk=None,
                stop_price=annotations.stop_price,
                entry_price=trade.entry_price,
                quantity=trade.quantity,
                multiplier=instrument.multiplier,
            )
        tag_ids = resolve_tags(vault, annotations.tags)
        updated = dataclasses.replace(
            trade,
            notes=annotations.notes,
            tag_ids=tag_ids,
            setup=annotations.setup.strip(),
            mistakes=_unique_words(annotations.mistakes),
            rating=annotations.rating,
            initial_risk=risk,
            stop_price=annotations.stop_price,
        )
        return vault.trades.update(updated)


def resolve_tags(vault: Vault, names: Iterable[str]) -> tuple[uuid.UUID, ...]:
    ids: list[uuid.UUID] = []
    for name in _unique_words(names):
        tag = vault.tags.by_name(name) or vault.tags.add(Tag(name=name))
        if tag.id not in ids:
            ids.append(tag.id)
    return tuple(ids)


def _unique_words(values: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, non-empty, first spelling kept when two differ only in case."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        word = value.strip()
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            result.append(word)
    return tuple(result)


# -- executions --------------------------------------------------------------------------------


def add_executions(vault: Vault, inputs: Sequence[ExecutionInput]) -> list[Trade]:
    """Store manual executions and match them; returns the trades that hold them."""
    if not inputs:
        raise EditRejected("Enter at least one execution.")
    with vault.transaction():
        stored = vault.executions.add_many([_execution(vault, item) for item in inputs])
        _rematch(vault, {(e.account_id, e.instrument_id) for e in stored})
        return trades_holding(vault, [e.id for e in stored])


def update_execution(vault: Vault, execution_id: uuid.UUID, item: ExecutionInput) -> list[Trade]:
    """Change one execution (keeping its id) and re-match; returns the trades holding it."""
    with vault.transaction():
        previous = vault.executions.require(execution_id)
        fresh = _execution(vault, item)
        updated = dataclasses.replace(
            previous,
            account_id=fresh.account_id,
            instrument_id=fresh.instrument_id,
            side=fresh.side,
            quantity=fresh.quantity,
            price=fresh.price,
            executed_at=fresh.executed_at,
            commission=fresh.commission,
            fees=fresh.fees,
        )
        vault.executions.update(updated)
        _rematch(
            vault,
            {
                (previous.account_id, previous.instrument_id),
                (updated.account_id, updated.instrument_id),
            },
        )
        return trades_holding(vault, [execution_id])


def delete_execution(vault: Vault, execution_id: uuid.UUID) -> list[Trade]:
    """Delete one execution and re-match its position; returns the position's trades."""
    with vault.transaction():
        execution = vault.executions.require(execution_id)
        vault.executions.delete(execution_id)
        position = (execution.account_id, execution.instrument_id)
        _rematch(vault, {position})
        return vault.trades.for_position(*position)


def _rematch(vault: Vault, positions: set[Position]) -> None:
    trade_grouping.prune(vault, positions, matching_method(vault))
    rematch(vault, positions)


def _execution(vault: Vault, item: ExecutionInput) -> Execution:
    account_name = item.account.strip()
    if not account_name:
        raise EditRejected("Enter the account the execution belongs to.")
    account = vault.accounts.by_name(account_name) or vault.accounts.add(Account(name=account_name))
    instrument = _instrument(vault, item)
    try:
        return Execution(
            account_id=account.id,
            instrument_id=instrument.id,
            side=item.side,
            quantity=item.quantity,
            price=item.price,
            executed_at=item.executed_at,
            commission=item.commission,
            fees=item.fees,
        )
    except InvalidRecord as error:
        raise EditRejected(f"This execution cannot be saved: {error}.") from None


def _instrument(vault: Vault, item: ExecutionInput) -> Instrument:
    symbol = item.symbol.strip().upper()
    if not symbol:
        raise EditRejected("Enter the symbol that was traded.")
    if item.asset_class is not AssetClass.OPTION and (
        item.expiry,
        item.strike,
        item.option_right,
    ) != (None, None, ""):
        raise EditRejected("Only an option has an expiry, a strike and a right.")
    for candidate in vault.instruments.by_symbol(symbol):
        if (
            candidate.asset_class is item.asset_class
            and (item.multiplier is None or candidate.multiplier == item.multiplier)
            and candidate.expiry == item.expiry
            and candidate.strike == item.strike
            and candidate.option_right == item.option_right
        ):
            return candidate
    if item.asset_class is AssetClass.OPTION:
        _check_option_terms(item)
    spec = InstrumentSpec(
        symbol=symbol,
        asset_class=item.asset_class,
        multiplier=item.multiplier,
        underlying=item.underlying.strip().upper(),
        expiry=item.expiry,
        strike=item.strike,
        option_right=item.option_right,
    )
    try:
        multiplier = default_multiplier(spec)
    except UnknownContract:
        raise EditRejected(
            f"The contract multiplier of {symbol} is not known; enter it (the money one "
            "point of price is worth)."
        ) from None
    except ValueError as error:
        raise EditRejected(str(error)) from None
    try:
        instrument = spec.instrument(multiplier)
    except InvalidRecord as error:
        raise EditRejected(f"This instrument cannot be saved: {error}.") from None
    return vault.instruments.add(instrument)


def _check_option_terms(item: ExecutionInput) -> None:
    """A new option contract needs its terms: without them, statistics could not tell two
    strikes apart and an imported fill of the same contract would not match it."""
    if item.expiry is None or item.strike is None or item.option_right not in ("C", "P"):
        raise EditRejected("Enter the option's expiry, strike and right (call or put).")
    if item.strike <= 0:
        raise EditRejected(f"An option's strike must be positive, not {item.strike}.")
    if not item.underlying.strip():
        raise EditRejected("Enter the option's underlying symbol.")


# -- split and merge ---------------------------------------------------------------------------


def split_trade(vault: Vault, trade_id: uuid.UUID, fills: Sequence[Fill]) -> tuple[Trade, Trade]:
    """Move `fills` (execution and quantity) into a new trade; returns (original, new).

    The new trade starts with the original's tags, setup and mistakes; notes, rating and risk
    stay with the original (they were written about it).
    """
    with vault.transaction():
        trade = vault.trades.require(trade_id)
        position = (trade.account_id, trade.instrument_id)
        instrument = vault.instruments.require(trade.instrument_id)
        executions = {e.id: e for e in vault.executions.for_position(*position)}
        new_id = uuid.uuid4()
        try:  # check it now, so a refusal says why instead of being skipped silently
            plan_split(
                trade,
                executions,
                fills,
                new_id=new_id,
                multiplier=instrument.multiplier,
                method=matching_method(vault),
            )
        except InvalidGrouping as error:
            raise EditRejected(f"The trade cannot be split: {error}.") from None
        op = SplitOp(trade_id=trade.id, new_id=new_id, fills=tuple(fills))
        _add_op(vault, position, op)
        rematch(vault, {position})
        new_trade = vault.trades.require(new_id)
        new_trade = vault.trades.update(
            dataclasses.replace(
                new_trade, tag_ids=trade.tag_ids, setup=trade.setup, mistakes=trade.mistakes
            )
        )
        return vault.trades.require(trade.id), new_trade


def merge_trades(vault: Vault, trade_ids: Sequence[uuid.UUID]) -> Trade:
    """Merge trades of one account and instrument into the first; returns the merged trade.

    Notes are joined (oldest trade first), tags and mistakes united, the first setup, rating,
    stop and risk given are kept, and every screenshot moves to the merged trade.
    """
    ids = list(dict.fromkeys(trade_ids))
    if len(ids) < 2:
        raise EditRejected("Choose at least two trades to merge.")
    with vault.transaction():
        trades = [vault.trades.require(i) for i in ids]
        positions = {(t.account_id, t.instrument_id) for t in trades}
        if len(positions) != 1:
            raise EditRejected("Only trades of the same account and instrument can be merged.")
        position = positions.pop()
        kept = trades[0]
        ordered = sorted(trades, key=lambda t: (t.opened_at, str(t.id)))
        combined = _combined_annotations(ordered, first=kept)
        vault.trades.update(dataclasses.replace(kept, **combined))
        for other in trades[1:]:
            for attachment in vault.attachments.for_owner(AttachmentOwner.TRADE, other.id):
                vault.attachments.update(dataclasses.replace(attachment, owner_id=kept.id))
        _add_op(vault, position, MergeOp(trade_ids=tuple(ids)))
        rematch(vault, {position})
        merged = vault.trades.get(kept.id)
        if merged is None or any(vault.trades.get(i) is not None for i in ids[1:]):
            raise EditRejected("These trades cannot be merged (their fills no longer match).")
        return merged


def _combined_annotations(trades: Sequence[Trade], *, first: Trade) -> dict[str, Any]:
    preferred = [first, *(t for t in trades if t.id != first.id)]
    notes = [t.notes.strip() for t in trades if t.notes.strip()]
    tag_ids = tuple(dict.fromkeys(i for t in preferred for i in t.tag_ids))
    mistakes = _unique_words(m for t in preferred for m in t.mistakes)
    return {
        "notes": "\n\n---\n\n".join(notes),
        "tag_ids": tag_ids,
        "mistakes": mistakes,
        "setup": next((t.setup for t in preferred if t.setup), ""),
        "rating": next((t.rating for t in preferred if t.rating is not None), None),
        "stop_price": next((t.stop_price for t in preferred if t.stop_price is not None), None),
        "initial_risk": next(
            (t.initial_risk for t in preferred if t.initial_risk is not None), None
        ),
    }


def _add_op(vault: Vault, position: Position, op: SplitOp | MergeOp) -> None:
    ops = trade_grouping.load_ops(vault, *position)
    trade_grouping.save_ops(vault, *position, [*ops, op])
