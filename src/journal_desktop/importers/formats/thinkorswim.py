"""thinkorswim (Schwab, formerly TD Ameritrade): the account statement's Account Trade History.

The statement (Monitor > Account Statement > Export to file) stacks sections, each under a title
line of its own: Cash Balance, Futures Statements, Forex Statements, Account Order History,
Account Trade History, Profits and Losses, and so on. Fills come from Account Trade History:

    ,Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Exp,Strike,Type,Price,Net Price,Order Type

- rows newest first, as real statements print them (the fills are put back in the order they
  happened, see `_chronological`);
- a leading empty column; `Qty` is signed (`+100` bought, `-2,180` sold) and must agree with
  `Side` (BUY or SELL);
- a multi-leg order (VERTICAL, CALENDAR, ...) prints one row per leg, and the legs after the
  first leave `Exec Time`, `Spread` and `Order Type` blank: they were filled at the first leg's
  time;
- options carry `Exp` (`17 APR 26`; old statements print only `MAR 15`, read as that month's
  third Friday, the standard monthly expiry), `Strike` and `Type` CALL or PUT;
- futures are `/ESH26` with `Type` FUTURE (their multiplier comes from the contract table);
- options on futures put the future, its dollars per point and the expiry in `Symbol` and the
  option series in `Exp`: `/ESU25 1/50 4 AUG 25 (Monday) (Wk2)`, `/E1AQ25`, Strike 6350, PUT
  (multiplier 50, from the `1/50`);
- an option that expired, or was assigned or exercised, is a row with `Pos Effect` EXPIRED
  (ASSIGNED, EXERCISED) at price 0, whose `Side` may be blank: the signed `Qty` then gives
  the direction. These two forms are from the tests of a public trade-log service's
  thinkorswim parser (its fixture quotes a real statement's Account Trade History);
- the price of a single-leg fill is `Net Price` (the average the cash ledger books), of a leg
  of a spread its own `Price` (the spread's `Net Price` is the whole order's, or DEBIT/CREDIT).

Fees: Account Trade History has none. They are taken from the TRD rows of the Cash Balance
(stocks, options) and Futures Statements sections, whose descriptions read `BOT +100 AAPL
@150.25`, matched to a fill by date and time to the second, side, quantity, symbol and, when
several rows agree on those, price. A multi-leg order is one ledger row for the whole order,
named by its spread: `SOLD -1 VERTICAL SPY 100 (Weeklys) 5 JUN 26 715/714 PUT @.34`, `BOT +1
IRON CONDOR QCOM 100 16 FEB 18 65/67.5/60/57.5 CALL/PUT @1.44` (seen in the PaperMoney
statement of TradeTally's issue 322, tests of GeneBO98/tradetally's CSV parser, and the spread
table of a thinkorswim e-mail parser's README); its charges are shared among the order's legs
in proportion to their quantities, to the cent, the last leg taking the rounding.
`Commissions & Fees` is the commission; `Misc Fees` and any other fee column are fees. A fill
with no matching ledger row (a statement exported with only Trades shown, say) keeps zero
commission and fees, and the import says how many fills that was.

Times are printed in the platform's display time zone, which the statement does not name. The
default is New York; a trader whose thinkorswim shows another zone passes `--timezone`. The
account is the number in the first line (`Account Statement for 12345678SCHW ...`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal

from journal_desktop.domain.imported import (
    ImportedExecution,
    ImportFileError,
    InstrumentSpec,
    ParsedFile,
)
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.numbers import NotANumber, parse_amount
from journal_desktop.importers.registry import ImportFormat, register
from journal_desktop.importers.symbols import month_number, option_contract, third_friday
from journal_desktop.importers.table import Row, Table, find_header_line, read_table
from journal_desktop.importers.times import BadTime, parse_naive, to_utc, zone_reminder

DEFAULT_ZONE = "America/New_York"
NAME = "thinkorswim"
#: What marks the Trade History header (the Order History has Spread and Pos Effect too, but
#: `Time Placed` instead of `Exec Time`); the rest of TRADE_COLUMNS must then be there as well.
TRADE_ANCHOR = ("Exec Time", "Spread", "Pos Effect")
TRADE_COLUMNS = ("Exec Time", "Spread", "Side", "Qty", "Pos Effect", "Symbol", "Price")
CASH_COLUMNS = ("DATE", "TIME", "TYPE", "DESCRIPTION")
FUTURES_COLUMNS = ("Exec Date", "Exec Time", "Type", "Description")
TIME_FORMATS = ("%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M")
#: Spreads whose single row is the whole order, so `Net Price` is that fill's own price.
SINGLE_LEG = frozenset({"", "STOCK", "SINGLE", "FUTURE", "FUND", "FOREX", "ETF"})
SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}
#: Pos Effects of a position removed by the exchange, not by an order; such rows may have no
#: Side (`,4/21/26 16:00:00,SINGLE,,-1,EXPIRED,SPX,21 APR 26,7080,PUT,0.00,0.00,`).
REMOVALS = frozenset({"EXPIRED", "ASSIGNED", "EXERCISED"})
COMMISSION_COLUMN = "Commissions & Fees"
_ACCOUNT = re.compile(r"Account Statement for\s+(\S+)", re.IGNORECASE)
_TRADE = re.compile(r"(BOT|SOLD)\s+([+-]?[\d,]*\.?\d+)\s+(\S+)(.*)")
_AT_PRICE = re.compile(r"@\s*([\d,]*\.?\d+)")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([A-Z]{3})\s+(\d{2}|\d{4})\b")
_MONTH_YEAR = re.compile(r"([A-Z]{3})\s+(\d{2}|\d{4})\b")
#: `/ESU25 1/50 4 AUG 25 (Monday) (Wk2)`: future, points per dollar (`1/50`), the rest.
_FUTURES_OPTION = re.compile(r"(/[A-Z0-9]+)(?::[A-Z]+)?\s+1/(\d+(?:\.\d+)?)\s*(.*)")
_EXCHANGE = re.compile(r":[A-Z]+$")


def detect(text: str, filename: str) -> int:
    """Account Trade History's header is unique to thinkorswim (its Order History has `Time
    Placed`, not `Exec Time`); the statement's first line makes it certain."""
    lines = text.split("\n")
    if find_header_line(text, *TRADE_ANCHOR, limit=len(lines)) is None:
        return 0
    return 95 if _statement_account(lines) else 90


def parse(text: str, filename: str, tz: tzinfo, account: str) -> ParsedFile:
    lines = text.split("\n")
    trades = _section(text, lines, filename, TRADE_ANCHOR)
    if trades is None:
        raise ImportFileError(
            filename,
            "no Account Trade History section was found (a header with "
            + ", ".join(TRADE_COLUMNS)
            + "); export the account statement with Trades shown",
            line=1,
        )
    trades.require_columns(*TRADE_COLUMNS)
    legs = list(_legs(trades, _decimal_comma(trades)))
    if not legs:
        raise ImportFileError(filename, "Account Trade History lists no fills", line=1)
    ledger = _FeeLedger.read(text, lines, filename)
    name = _statement_account(lines) or account or "Default"
    costed = _chronological(list(zip(legs, ledger.costs(legs), strict=True)))
    executions = tuple(_execution(leg, cost, tz, name, i) for i, (leg, cost) in enumerate(costed))
    reminder = zone_reminder(tz, DEFAULT_ZONE, "thinkorswim's display time zone")
    return ParsedFile(NAME, executions, warnings=(*reminder, *ledger.warnings(len(legs))))


def _chronological(
    costed: list[tuple[_Leg, tuple[Decimal, Decimal]]],
) -> list[tuple[_Leg, tuple[Decimal, Decimal]]]:
    """The fills in the order they happened. Real statements list the Trade History newest
    first; such a file (its orders' times never rising, and falling somewhere) is read from
    the bottom up, order by order, each order's legs kept in their printed order. Fills of
    one second are then matched in the order they were made."""
    orders: list[list[tuple[_Leg, tuple[Decimal, Decimal]]]] = []
    for item in costed:
        if not orders or orders[-1][0][0].order != item[0].order:
            orders.append([])
        orders[-1].append(item)
    times = [order[0][0].local_time for order in orders]
    newest_first = times[0] > times[-1] and all(a >= b for a, b in itertools.pairwise(times))
    if not newest_first:
        return costed
    return [item for order in reversed(orders) for item in order]


def _statement_account(lines: Sequence[str]) -> str:
    for line in lines[:5]:
        match = _ACCOUNT.search(line)
        if match:
            return match.group(1).strip('",')
    return ""


def _section(text: str, lines: list[str], file: str, columns: Sequence[str]) -> Table | None:
    """The table under a section header, ending at the next section's title line (a line
    with no delimiter at all) so that the next section's rows are not read as this one's."""
    header = find_header_line(text, *columns, limit=len(lines))
    if header is None:
        return None
    end = next(
        (
            i
            for i in range(header + 1, len(lines))
            if lines[i].strip() and not any(d in lines[i] for d in ",;\t")
        ),
        len(lines),
    )
    return read_table("\n".join(lines[:end]), file, header_line_index=header)


def _decimal_comma(table: Table) -> bool | None:
    return table.decimal_comma("Qty", "Price", default=table.delimiter == ";")


@dataclass(frozen=True, slots=True)
class _Leg:
    """One fill of the Trade History, before its fees are known."""

    row: Row
    local_time: datetime
    side: Side
    quantity: Decimal
    price: Decimal
    instrument: InstrumentSpec
    #: The Spread of the order this leg belongs to, and that order's index in the file.
    spread: str = ""
    order: int = 0

    def ledger_key(self) -> tuple[datetime, Side, Decimal, str]:
        symbol = self.instrument.underlying or self.instrument.symbol
        return (self.local_time, self.side, self.quantity, symbol)


def _legs(table: Table, decimal_comma: bool | None) -> Iterator[_Leg]:
    previous_time: datetime | None = None
    spread = ""
    order = -1
    for row in table.rows:
        if row.text("Exec Time", required=False):
            previous_time = _local_time(row, "Exec Time")
            spread = row.text("Spread", required=False).upper()
            order += 1
        elif previous_time is None:
            raise row.error("this leg has no Exec Time and follows no order", "Exec Time")
        side, quantity = _side_and_quantity(row, decimal_comma)
        instrument = _instrument(row, decimal_comma)
        price = _price(row, spread, decimal_comma)
        yield _Leg(row, previous_time, side, quantity, price, instrument, spread, order)


def _local_time(row: Row, column: str, text: str | None = None) -> datetime:
    try:
        return parse_naive(text if text is not None else row.text(column), TIME_FORMATS)
    except BadTime as error:
        raise row.error(str(error), column) from None


def _side_and_quantity(row: Row, decimal_comma: bool | None) -> tuple[Side, Decimal]:
    signed = row.amount("Qty", decimal_comma=decimal_comma)
    if signed == 0:
        raise row.error("a quantity of zero is not a fill", "Qty")
    side_text = row.text("Side", required=False).upper()
    if not side_text and row.text("Pos Effect", required=False).upper() in REMOVALS:
        # An expiry or assignment may print no Side: the signed Qty says which way it went.
        return (Side.SELL if signed < 0 else Side.BUY), abs(signed)
    side = SIDES.get(side_text)
    if side is None:
        raise row.error(f"{row.text('Side')!r} is not a side (BUY or SELL)", "Side")
    if (signed < 0) != (side is Side.SELL) and row.text("Qty").startswith(("-", "+", "(")):
        raise row.error(
            f"the quantity {row.text('Qty')} contradicts the side {row.text('Side')}", "Qty"
        )
    return side, abs(signed)


def _price(row: Row, spread: str, decimal_comma: bool | None) -> Decimal:
    """Net Price for a single-leg order when it is a number, else the leg's own Price."""
    if spread in SINGLE_LEG:
        net = row.text("Net Price", required=False)
        if net and net not in ("~", "DEBIT", "CREDIT"):
            return row.price("Net Price", decimal_comma=decimal_comma)
    if row.text("Price") == "~":
        raise row.error("the fill price is not printed ('~'); this leg cannot be priced", "Price")
    return row.price("Price", decimal_comma=decimal_comma)


def _instrument(row: Row, decimal_comma: bool | None) -> InstrumentSpec:
    symbol = row.text("Symbol").upper()
    kind = row.text("Type", required=False).upper()
    if kind in ("CALL", "PUT"):
        if symbol.startswith("/"):
            return _futures_option(row, symbol, kind, decimal_comma)
        strike = row.amount("Strike", decimal_comma=decimal_comma)
        expiry = _expiry(row)
        try:
            return option_contract(symbol, expiry, kind, strike).spec()
        except ValueError as error:
            raise row.error(str(error), "Strike") from None
    if symbol.startswith("/") or kind == "FUTURE":
        # `/MGCJ26:XCEC` as the ledger writes it is the same contract as `/MGCJ26`.
        return InstrumentSpec(symbol=_EXCHANGE.sub("", symbol), asset_class=AssetClass.FUTURE)
    if kind == "FOREX":
        return InstrumentSpec(symbol=symbol, asset_class=AssetClass.FOREX, currency=symbol[-3:])
    return InstrumentSpec(symbol=symbol, asset_class=AssetClass.STOCK)


def _futures_option(row: Row, symbol: str, kind: str, decimal_comma: bool | None) -> InstrumentSpec:
    """An option on a future: Symbol `/ESU25 1/50 4 AUG 25 (Monday) (Wk2)` (the underlying
    future, `1/50` for $50 a point, the expiry) and Exp `/E1AQ25` (the option series)."""
    match = _FUTURES_OPTION.match(symbol)
    if match is None:
        raise row.error(
            f"options on futures are read in thinkorswim's form '/ESU25 1/50 4 AUG 25' (the "
            f"future, 1/its dollars per point, the expiry), not {row.text('Symbol')!r}",
            "Symbol",
        )
    expiry_match = _DAY_MONTH_YEAR.search(match.group(3))
    month = month_number(expiry_match.group(2)) if expiry_match else None
    if expiry_match is None or month is None:
        raise row.error(f"{row.text('Symbol')!r} names no expiry such as '4 AUG 25'", "Symbol")
    try:
        expiry = date(int(expiry_match.group(3)) % 100 + 2000, month, int(expiry_match.group(1)))
    except ValueError:
        raise row.error(f"{row.text('Symbol')!r} names no real expiry date", "Symbol") from None
    strike = row.amount("Strike", decimal_comma=decimal_comma)
    if strike <= 0:
        raise row.error("an option strike must be positive", "Strike")
    series = _EXCHANGE.sub("", row.text("Exp", required=False).upper()) or match.group(1)
    strike_text = f"{strike.normalize():f}"
    return InstrumentSpec(
        symbol=f"{series} {expiry:%y%m%d} {strike_text} {kind}",
        asset_class=AssetClass.OPTION,
        multiplier=Decimal(match.group(2)),
        underlying=match.group(1),
        expiry=expiry,
        strike=strike,
        option_right=kind[0],
    )


def _expiry(row: Row) -> date:
    text = row.text("Exp").upper()
    match = _DAY_MONTH_YEAR.search(text)
    month = month_number(match.group(2)) if match else None
    if match and month:
        year = int(match.group(3)) % 100 + 2000
        try:
            return date(year, month, int(match.group(1)))
        except ValueError:
            pass
    match = _MONTH_YEAR.match(text)
    month = month_number(match.group(1)) if match else None
    if match and month:
        return third_friday(int(match.group(2)) % 100 + 2000, month)
    raise row.error(f"{row.text('Exp')!r} is not an expiry such as '17 APR 26'", "Exp")


def _execution(
    leg: _Leg, cost: tuple[Decimal, Decimal], tz: tzinfo, account: str, position: int
) -> ImportedExecution:
    commission, fees = cost
    try:
        executed_at = to_utc(leg.local_time, tz)
    except BadTime as error:
        raise leg.row.error(str(error), "Exec Time") from None
    return ImportedExecution(
        account=account,
        instrument=leg.instrument,
        side=leg.side,
        quantity=leg.quantity,
        price=leg.price,
        executed_at=executed_at,
        commission=commission,
        fees=fees,
        line=leg.row.line,
        position_in_file=position,
    )


@dataclass(slots=True)
class _Charge:
    """A ledger TRD row's costs, waiting to be matched to one fill."""

    price: Decimal | None
    commission: Decimal
    fees: Decimal
    used: bool = False


@dataclass(slots=True)
class _FeeLedger:
    """Commissions and fees by fill, from the Cash Balance and Futures Statements sections."""

    charges: dict[tuple[datetime, Side, Decimal, str], list[_Charge]] = field(default_factory=dict)
    #: Whole-order rows of multi-leg orders, by time and the words after the quantity
    #: (`VERTICAL SPY 100 (Weeklys) ...`), matched to an order by its Spread and underlying.
    spread_charges: dict[datetime, list[tuple[str, _Charge]]] = field(default_factory=dict)
    unmatched: int = 0
    has_ledger: bool = False

    @classmethod
    def read(cls, text: str, lines: list[str], file: str) -> _FeeLedger:
        ledger = cls()
        cash = _section(text, lines, file, CASH_COLUMNS)
        if cash is not None:
            ledger.add_rows(cash, "DATE", "TIME", "DESCRIPTION")
        futures = _section(text, lines, file, FUTURES_COLUMNS)
        if futures is not None:
            ledger.add_rows(futures, "Exec Date", "Exec Time", "Description")
        return ledger

    def add_rows(self, table: Table, date_column: str, time_column: str, what: str) -> None:
        self.has_ledger = True
        fee_columns = [c for c in table.header if "fee" in c and c != COMMISSION_COLUMN.lower()]
        for row in table.rows:
            if row.text("TYPE" if table.has_columns("TYPE") else "Type", required=False) != "TRD":
                continue
            trade = _TRADE.match(row.text(what, required=False).upper())
            if trade is None:
                continue
            when = f"{row.text(date_column)} {row.text(time_column)}"
            local_time = _local_time(row, date_column, when)
            key = (local_time, *_ledger_fill(row, trade))
            charge = _Charge(
                price=_ledger_price(trade.group(4)),
                commission=_cost(row, COMMISSION_COLUMN),
                fees=sum((_cost(row, c) for c in fee_columns), Decimal(0)),
            )
            self.charges.setdefault(key, []).append(charge)
            words = f"{trade.group(3)}{trade.group(4)}".lstrip("~")
            self.spread_charges.setdefault(local_time, []).append((words, charge))

    def costs(self, legs: Sequence[_Leg]) -> list[tuple[Decimal, Decimal]]:
        """Commission and fees per leg, in the legs' order: a multi-leg order's from its one
        whole-order ledger row when there is one, else every leg's from its own row."""
        costs: list[tuple[Decimal, Decimal] | None] = [None] * len(legs)
        orders: dict[int, list[int]] = {}
        for i, leg in enumerate(legs):
            orders.setdefault(leg.order, []).append(i)
        for indexes in orders.values():
            order = [legs[i] for i in indexes]
            if len(order) < 2 or order[0].spread in SINGLE_LEG:
                continue
            shared = self._take_spread(order)
            if shared is not None:
                for i, cost in zip(indexes, shared, strict=True):
                    costs[i] = cost
        return [
            cost if cost is not None else self.take(leg)
            for leg, cost in zip(legs, costs, strict=True)
        ]

    def _take_spread(self, order: Sequence[_Leg]) -> list[tuple[Decimal, Decimal]] | None:
        first = order[0]
        underlying = first.instrument.underlying or first.instrument.symbol
        prefix = f"{first.spread.lstrip('~')} {underlying} "
        for words, charge in self.spread_charges.get(first.local_time, []):
            if not charge.used and words.startswith(prefix):
                charge.used = True
                total = sum((leg.quantity for leg in order), Decimal(0))
                commissions = _shares(charge.commission, [leg.quantity for leg in order], total)
                fees = _shares(charge.fees, [leg.quantity for leg in order], total)
                return list(zip(commissions, fees, strict=True))
        return None

    def take(self, leg: _Leg) -> tuple[Decimal, Decimal]:
        """The costs of the first unused ledger row for this fill (one at the fill's own price
        when several match), or zero when the ledger has none."""
        candidates = [c for c in self.charges.get(leg.ledger_key(), []) if not c.used]
        if not candidates:
            self.unmatched += 1
            return Decimal(0), Decimal(0)
        charge = next((c for c in candidates if c.price == leg.price), candidates[0])
        charge.used = True
        return charge.commission, charge.fees

    def warnings(self, fills: int) -> tuple[str, ...]:
        if not self.unmatched:
            return ()
        if not self.has_ledger:
            return (
                "the statement has no Cash Balance section, so commissions and fees are zero "
                f"for all {fills} fills",
            )
        return (
            f"{self.unmatched} of {fills} fills had no matching Cash Balance or Futures "
            "Statements row; their commissions and fees are zero",
        )


def _shares(amount: Decimal, weights: Sequence[Decimal], total: Decimal) -> list[Decimal]:
    """`amount` split in proportion to `weights`, each share to the cent and the last taking
    what rounding left, so the shares add up to the amount exactly."""
    cent = Decimal("0.01")
    shares = [(amount * weight / total).quantize(cent) for weight in weights[:-1]]
    return [*shares, amount - sum(shares, Decimal(0))]


def _ledger_fill(row: Row, trade: re.Match[str]) -> tuple[Side, Decimal, str]:
    side = Side.BUY if trade.group(1) == "BOT" else Side.SELL
    try:
        quantity = abs(parse_amount(trade.group(2), decimal_comma=False))
    except NotANumber as error:
        raise row.error(str(error), "DESCRIPTION") from None
    return side, quantity, trade.group(3).split(":")[0]


def _ledger_price(rest: str) -> Decimal | None:
    match = _AT_PRICE.search(rest)
    if match is None:
        return None
    try:
        return parse_amount(match.group(1), decimal_comma=False)
    except NotANumber:
        return None


def _cost(row: Row, column: str) -> Decimal:
    """A ledger charge as a cost: the statement prints charges negative (`-0.65`, `(0.65)`);
    `--` or an empty cell is no charge."""
    text = row.text(column, required=False)
    if text in ("", "-", "--"):
        return Decimal(0)
    return Decimal(0) - row.amount(column, decimal_comma=False)


FORMAT = register(
    ImportFormat(
        name=NAME,
        description="thinkorswim account statement CSV (Account Trade History, fees from Cash "
        "Balance)",
        default_timezone=DEFAULT_ZONE,
        detect=detect,
        parse=parse,
    )
)
