"""What an importer hands over: executions as the broker file states them, before storage.

A broker file names accounts and instruments by text, not by the vault's UUIDs; the import
pipeline in storage resolves them. Everything here is pure data, already in exact decimals and
UTC, so each importer's job ends at "this line means this fill".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from journal_desktop.domain.records import AssetClass, Instrument, Side


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """An instrument as a file describes it. `multiplier` None means "use the default":
    100 for options, the contract table for futures, 1 otherwise."""

    symbol: str
    asset_class: AssetClass
    currency: str = "USD"
    multiplier: Decimal | None = None
    underlying: str = ""
    expiry: date | None = None
    strike: Decimal | None = None
    option_right: str = ""

    def instrument(self, multiplier: Decimal) -> Instrument:
        """The new instrument record for this spec, at the multiplier the caller settled on
        (`contracts.default_multiplier` when the spec gives none)."""
        return Instrument(
            symbol=self.symbol,
            asset_class=self.asset_class,
            currency=self.currency,
            multiplier=multiplier,
            underlying=self.underlying,
            expiry=self.expiry,
            strike=self.strike,
            option_right=self.option_right,
        )


@dataclass(frozen=True, slots=True)
class ImportedExecution:
    """One fill read from a file. `line` is the 1-based line (or record) it came from.

    `position_in_file` counts executions in file order; with the other fields it makes the
    fingerprint that tells two genuinely identical fills apart when the broker gives no id.
    """

    account: str
    instrument: InstrumentSpec
    side: Side
    quantity: Decimal
    price: Decimal
    executed_at: datetime
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    broker_execution_id: str = ""
    line: int = 0
    position_in_file: int = 0

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError("an imported execution's quantity must be positive")
        if self.executed_at.utcoffset() != timedelta(0):
            raise ValueError("an imported execution's time must be in UTC")


@dataclass(frozen=True, slots=True)
class ReportedTrade:
    """A round trip as the broker itself reports it (e.g. Tradovate's Performance export):
    kept to check our own matching against the broker's figures."""

    account: str
    symbol: str
    quantity: Decimal
    buy_price: Decimal
    sell_price: Decimal
    pnl: Decimal
    line: int = 0


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """The result of parsing one file: its format, its executions, and any broker totals."""

    format_name: str
    executions: tuple[ImportedExecution, ...]
    reported_trades: tuple[ReportedTrade, ...] = ()
    warnings: tuple[str, ...] = field(default=())


class ImportFileError(ValueError):
    """A file that cannot be imported, with where: file, line and column when known.

    The whole import is refused on the first such error: half an import would leave a
    position half-built and P&L wrong.
    """

    def __init__(
        self, file: str, message: str, *, line: int | None = None, column: str | None = None
    ) -> None:
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.file = file
        self.line = line
        self.column = column
        self.reason = message
