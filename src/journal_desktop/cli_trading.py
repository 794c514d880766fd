"""The trading commands of `journal-desktop`: import, trades, imports, undo-import, stats.

Amounts in JSON output are strings (`"197.75"`), never floats, so scripts get the exact
figures the vault holds.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from journal_desktop.domain.contracts import POINT_VALUES, futures_root
from journal_desktop.domain.decimals import canonical_decimal
from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.matching import MatchingMethod
from journal_desktop.domain.records import AssetClass, Instrument, Trade
from journal_desktop.domain.statistics import BucketStats, Statistics, TradeFilter, r_multiple
from journal_desktop.importers import get_format, parse_file
from journal_desktop.importers.mapping import ColumnMapping, MappingError, parse_with_mapping
from journal_desktop.importers.registry import formats
from journal_desktop.importers.text import UndecodableFile, decode_bytes
from journal_desktop.importers.times import BadTime, zone
from journal_desktop.storage import codec
from journal_desktop.storage.errors import VaultError
from journal_desktop.storage.importing import (
    MATCHING_METHOD_SETTING,
    ImportRejected,
    ImportSummary,
    import_parsed,
    matching_method,
    rematch,
    undo_import,
)
from journal_desktop.storage.statistics_sql import StatisticsQueries
from journal_desktop.storage.vault import Vault

#: Opens the vault named by the global options; returns it with its key (for local backups).
VaultOpener = Callable[[argparse.Namespace], tuple[Vault, bytes]]
AfterChange = Callable[[Vault, bytes], None]

EXIT_OK = 0


def _money(value: Any) -> str | None:
    return None if value is None else canonical_decimal(value)


def _cents(text: str | None) -> str | None:
    """An amount for people: `-1,218.40`, rounded half-even to the cent as statements print
    it; the JSON output keeps every digit (an IBKR commission of 1.1108314 stays exact)."""
    if text is None:
        return None
    return f"{Decimal(text).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,.2f}"


def _print_json(document: Any) -> None:
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


class TradingCommands:
    def __init__(self, open_vault: VaultOpener, after_change: AfterChange) -> None:
        self._open = open_vault
        self._after_change = after_change

    # -- import -----------------------------------------------------------------------------

    def cmd_import(self, args: argparse.Namespace) -> int:
        if args.list_formats:
            for fmt in formats():
                print(f"{fmt.name:<24} {fmt.description} (default zone {fmt.default_timezone})")
            return EXIT_OK
        if not args.file:
            raise ImportRejected("name the file to import: journal-desktop import FILE")
        path = Path(args.file).expanduser()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ImportRejected(f"{path} cannot be read ({error.strerror})") from None
        if args.mapping:
            return self._import_with_mapping(args, path, data)
        try:
            if args.format:
                get_format(args.format)  # an unknown name is reported before reading
            parsed = parse_file(
                data,
                path.name,
                format_name=args.format,
                timezone=args.timezone,
                account=args.account or "",
            )
        except ImportFileError as error:
            raise ImportRejected(str(error)) from None
        except ValueError as error:
            raise ImportRejected(f"{path.name}: {error}") from None
        zone_name = args.timezone or get_format(parsed.format_name).default_timezone
        vault, key = self._open(args)
        with vault:
            summary = import_parsed(
                vault,
                parsed,
                data,
                path.name,
                timezone=zone_name,
                account=args.account,
                dry_run=args.dry_run,
            )
            if not args.dry_run and summary.new_executions:
                self._after_change(vault, key)
        _report_import(summary, zone_name)
        return EXIT_OK

    def _import_with_mapping(self, args: argparse.Namespace, path: Path, data: bytes) -> int:
        zone_name = args.timezone or "UTC"
        vault, key = self._open(args)
        with vault:
            mapping = load_mapping(vault, args.mapping)
            try:
                parsed = parse_with_mapping(
                    decode_bytes(data), path.name, zone(zone_name), args.account or "", mapping
                )
            except (ImportFileError, UndecodableFile, BadTime) as error:
                raise ImportRejected(str(error)) from None
            summary = import_parsed(
                vault,
                parsed,
                data,
                path.name,
                timezone=zone_name,
                account=args.account,
                dry_run=args.dry_run,
            )
            if not args.dry_run and summary.new_executions:
                self._after_change(vault, key)
        if not args.timezone:
            summary.warnings.append("no --timezone was given, so the file's times were read as UTC")
        _report_import(summary, zone_name)
        return EXIT_OK

    def cmd_mapping_save(self, args: argparse.Namespace) -> int:
        source = Path(args.file).expanduser()
        try:
            mapping = ColumnMapping.from_json(source.read_text(encoding="utf-8"))
        except OSError as error:
            raise VaultError(f"{source} cannot be read ({error.strerror}).") from None
        except MappingError as error:
            raise VaultError(f"{source}: {error}; nothing was saved.") from None
        vault, _key = self._open(args)
        with vault:
            vault.settings.set(MAPPING_SETTING_PREFIX + mapping.name, mapping.to_json())
        print(
            f"Saved the column mapping {mapping.name!r}; use it with "
            f"`journal-desktop import FILE --mapping {mapping.name}`."
        )
        return EXIT_OK

    def cmd_mapping_list(self, args: argparse.Namespace) -> int:
        vault, _key = self._open(args)
        with vault:
            names = sorted(
                k[len(MAPPING_SETTING_PREFIX) :]
                for k in vault.settings.all()
                if k.startswith(MAPPING_SETTING_PREFIX)
            )
        for name in names:
            print(name)
        if not names:
            print("No saved column mappings.")
        return EXIT_OK

    def cmd_imports(self, args: argparse.Namespace) -> int:
        vault, _key = self._open(args)
        with vault:
            batches = vault.imports.newest_first()
        if args.json:
            _print_json(
                [
                    {
                        "id": str(b.id),
                        "filename": b.filename,
                        "format": b.format_name,
                        "imported_at": b.imported_at.isoformat(),
                        "timezone": b.timezone,
                        "executions": b.execution_count,
                        "duplicates": b.duplicate_count,
                        "sha256": b.sha256,
                    }
                    for b in batches
                ]
            )
            return EXIT_OK
        if not batches:
            print("No imports yet.")
        for b in batches:
            print(
                f"{b.id}  {b.imported_at:%Y-%m-%d %H:%M} UTC  {b.format_name:<22} "
                f"{b.execution_count:>7} executions  {b.filename}"
            )
        return EXIT_OK

    def cmd_undo_import(self, args: argparse.Namespace) -> int:
        try:
            batch_id = uuid.UUID(args.id)
        except ValueError:
            raise VaultError(
                f"{args.id!r} is not an import id; `journal-desktop imports` lists them."
            ) from None
        vault, key = self._open(args)
        with vault:
            result = undo_import(vault, batch_id)
            self._after_change(vault, key)
        print(
            f"Removed the import of {result.filename}: {result.executions_removed} "
            f"executions; {result.trades_remaining} trades remain in the positions it touched."
        )
        return EXIT_OK

    # -- matching method --------------------------------------------------------------------

    def cmd_matching(self, args: argparse.Namespace) -> int:
        """Show the matching method, or choose another and match every position again.

        The method changes the realized P&L of partial exits (FIFO, LIFO, weighted average);
        a round trip that ends flat is the same under each. Trades keep their ids, so notes
        and tags stay with them.
        """
        vault, key = self._open(args)
        with vault:
            if args.method is None:
                print(f"Matching method: {matching_method(vault).value}")
                return EXIT_OK
            method = MatchingMethod(args.method)
            if method is matching_method(vault):
                print(f"The matching method is already {method.value}.")
                return EXIT_OK
            positions = [
                (uuid.UUID(str(account)), uuid.UUID(str(instrument)))
                for account, instrument in vault.db.query(
                    "SELECT DISTINCT account_id, instrument_id FROM executions WHERE deleted = 0"
                )
            ]
            with vault.transaction():
                vault.settings.set(MATCHING_METHOD_SETTING, method.value)
                trades = rematch(vault, positions)
            self._after_change(vault, key)
        print(
            f"Matching method: {method.value}; {len(positions)} positions matched again, "
            f"{len(trades)} trades."
        )
        return EXIT_OK

    # -- statistics -------------------------------------------------------------------------

    def cmd_stats(self, args: argparse.Namespace) -> int:
        vault, _key = self._open(args)
        with vault:
            flt, tag_names = build_filter(vault, args)
            stats = StatisticsQueries(vault.db).statistics(flt, tz=flt.tz, tag_names=tag_names)
        document = statistics_document(stats)
        if args.json:
            _print_json(document)
            return EXIT_OK
        _print_statistics(document)
        return EXIT_OK

    # -- trades -----------------------------------------------------------------------------

    def cmd_trades(self, args: argparse.Namespace) -> int:
        vault, _key = self._open(args)
        with vault:
            rows = [
                trade_document(vault, t, lookups)
                for lookups in [_Lookups(vault)]
                for t in vault.trades.list_all(order_by="opened_at, rowid")
            ]
        if args.json:
            _print_json(rows)
            return EXIT_OK
        if not rows:
            print("No trades yet: import a broker file with `journal-desktop import FILE`.")
        for row in rows:
            print(
                f"{row['open_time'][:16].replace('T', ' ')}  {row['account']:<12.12} "
                f"{row['symbol']:<10.10} {row['side']:<5} {row['quantity']:>8} "
                f"{row['entry_price']:>10} -> {row['exit_price'] or '':>10}  "
                f"net {_cents(row['net_pnl']):>10}  {row['status']}"
            )
        return EXIT_OK


MAPPING_SETTING_PREFIX = "import.mapping."


def load_mapping(vault: Vault, name: str) -> ColumnMapping:
    saved = vault.settings.get(MAPPING_SETTING_PREFIX + name)
    if saved is None:
        raise VaultError(
            f"There is no saved column mapping named {name!r}; `journal-desktop mapping list` "
            "shows the saved ones."
        )
    try:
        return ColumnMapping.from_json(saved)
    except MappingError as error:
        raise VaultError(f"The saved column mapping {name!r} is unusable: {error}.") from None


def _ratio(value: Decimal | None) -> str | None:
    """A ratio as the statistics give it: correctly rounded to 28 significant digits, which is
    what Decimal's own division gives a script (2/3 is 0.6666666666666666666666666667)."""
    return None if value is None else canonical_decimal(value)


def _places(text: str | None, places: int = 2) -> str | None:
    """A ratio for people, rounded half-even to `places` decimals (the JSON keeps them all)."""
    if text is None:
        return None
    return f"{Decimal(text).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)}"


def _bucket_document(bucket: BucketStats) -> dict[str, Any]:
    return {
        "trades": bucket.count,
        "wins": bucket.wins,
        "losses": bucket.losses,
        "net_pnl": canonical_decimal(bucket.net_pnl),
        "gross_pnl": canonical_decimal(bucket.gross_pnl),
        "fees": canonical_decimal(bucket.fees),
        "win_rate": _ratio(bucket.win_rate),
        "profit_factor": _ratio(bucket.profit_factor),
        "profit_factor_unbounded": bucket.profit_factor_unbounded,
        "expectancy": _money(bucket.expectancy),
    }


def statistics_document(stats: Statistics) -> dict[str, Any]:
    """Every figure, amounts as exact decimal strings, ratios to six places."""
    totals = stats.totals
    return {
        "trade_count": stats.trade_count,
        "wins": totals.wins,
        "losses": totals.losses,
        "breakeven": totals.breakeven,
        "win_rate": _ratio(stats.win_rate),
        "net_pnl": canonical_decimal(stats.net_pnl),
        "gross_pnl": canonical_decimal(stats.gross_pnl),
        "fees": canonical_decimal(stats.fees),
        "profit_factor": _ratio(stats.profit_factor),
        "profit_factor_unbounded": totals.profit_factor_unbounded,
        "expectancy": _money(stats.expectancy),
        "avg_win": _money(totals.avg_win),
        "avg_loss": _money(totals.avg_loss),
        "largest_win": _money(totals.largest_win),
        "largest_loss": _money(totals.largest_loss),
        "payoff_ratio": _ratio(totals.payoff_ratio),
        "kelly": _ratio(totals.kelly),
        "max_drawdown": canonical_decimal(stats.max_drawdown),
        "max_drawdown_percent": _ratio(stats.max_drawdown_percent),
        "r_count": stats.r.count,
        "total_r": _ratio(stats.r.total),
        "avg_r": _ratio(stats.r.average),
        "sqn": _ratio(stats.r.sqn),
        "longest_win_streak": stats.longest_win_streak,
        "longest_loss_streak": stats.longest_loss_streak,
        "daily": [
            {"date": day.isoformat(), **_bucket_document(bucket)}
            for day, bucket in stats.daily.items()
        ],
        "equity_curve": [
            {"time": codec.enc_utc(point[0]), "equity": canonical_decimal(point[1])}
            for point in stats.equity_curve
        ],
        "by_symbol": {k: _bucket_document(v) for k, v in stats.by_symbol.items()},
        "by_tag": {k: _bucket_document(v) for k, v in stats.by_tag.items()},
        "by_setup": {k: _bucket_document(v) for k, v in stats.by_setup.items()},
        "by_weekday": {_WEEKDAYS[k]: _bucket_document(v) for k, v in stats.by_weekday.items()},
        "by_hour": {f"{k:02d}": _bucket_document(v) for k, v in stats.by_hour.items()},
        "by_holding_time": {k.label: _bucket_document(v) for k, v in stats.by_holding_time.items()},
        "by_side": {k.value: _bucket_document(v) for k, v in stats.by_direction.items()},
    }


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise VaultError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def build_filter(
    vault: Vault, args: argparse.Namespace
) -> tuple[TradeFilter, dict[uuid.UUID, str]]:
    """The command line's filter options as a TradeFilter; unknown names are errors, so a typo
    never shows an empty report that looks like a real one."""
    try:
        tz = zone(args.timezone) if args.timezone else UTC
    except BadTime as error:
        raise VaultError(f"{error}.") from None
    account_ids = None
    if args.account:
        account = vault.accounts.by_name(args.account)
        if account is None:
            raise VaultError(f"There is no account named {args.account!r}.")
        account_ids = frozenset({account.id})
    instrument_ids = None
    if args.symbol:
        found = _instruments_for(vault, args.symbol)
        if not found:
            raise VaultError(f"No trades have the symbol {args.symbol!r}.")
        instrument_ids = frozenset(i.id for i in found)
    tag_id = None
    if args.tag:
        tag = vault.tags.by_name(args.tag)
        if tag is None:
            raise VaultError(f"There is no tag named {args.tag!r}.")
        tag_id = tag.id
    try:
        flt = TradeFilter(
            date_from=_parse_day(args.date_from, "--from"),
            date_to=_parse_day(args.date_to, "--to"),
            tz=tz,
            account_ids=account_ids,
            instrument_ids=instrument_ids,
            tag_id=tag_id,
        )
    except ValueError as error:
        raise VaultError(f"{error}.") from None
    tag_names = {t.id: t.name for t in vault.tags.list_all(include_deleted=True)}
    return flt, tag_names


def _instruments_for(vault: Vault, symbol: str) -> list[Instrument]:
    """The instruments a `--symbol` names: that symbol, and when it is a futures root (`MES`)
    every contract of that root however the broker wrote it (`MESH6`, `/MESH26`,
    `MES 03-26`), since a trader asks about MES, not about one spelling of one expiry."""
    text = symbol.strip().upper()
    found = {i.id: i for i in vault.instruments.by_symbol(text)}
    if text in POINT_VALUES:
        for instrument in vault.instruments.list_all():
            if (
                instrument.asset_class is AssetClass.FUTURE
                and futures_root(instrument.symbol) == text
            ):
                found.setdefault(instrument.id, instrument)
    return list(found.values())


class _Lookups:
    """Names for ids, read once, so listing 100,000 trades is not 300,000 queries."""

    def __init__(self, vault: Vault) -> None:
        self.accounts = {a.id: a.name for a in vault.accounts.list_all(include_deleted=True)}
        self.instruments = {i.id: i for i in vault.instruments.list_all(include_deleted=True)}
        self.tags = {t.id: t.name for t in vault.tags.list_all(include_deleted=True)}


def trade_document(vault: Vault, trade: Trade, lookups: _Lookups) -> dict[str, Any]:
    instrument = lookups.instruments.get(trade.instrument_id)
    # The statistics' own R (a 28-digit quotient whatever the decimal context), so a trade's
    # R is the one the averages are made of.
    r = (
        None
        if trade.r_multiple is None or trade.initial_risk is None
        else r_multiple(trade.net_pnl, trade.initial_risk)
    )
    return {
        "id": str(trade.id),
        "account": lookups.accounts.get(trade.account_id, ""),
        "symbol": instrument.symbol if instrument else "",
        "asset_class": instrument.asset_class.value if instrument else "",
        "side": trade.direction.value,
        "quantity": canonical_decimal(trade.quantity),
        "entry_price": canonical_decimal(trade.entry_price),
        "exit_price": _money(trade.exit_price),
        "open_time": codec.enc_utc(trade.opened_at),
        "close_time": None if trade.closed_at is None else codec.enc_utc(trade.closed_at),
        "gross_pnl": canonical_decimal(trade.gross_pnl),
        "fees": canonical_decimal(trade.fees),
        "net_pnl": canonical_decimal(trade.net_pnl),
        "r_multiple": _ratio(r),
        "tags": [lookups.tags.get(t, "") for t in trade.tag_ids],
        "status": trade.status.value,
    }


def _print_statistics(document: dict[str, Any]) -> None:
    def show(label: str, value: object, suffix: str = "") -> None:
        print(f"{label:<22} {'-' if value is None else value}{suffix if value is not None else ''}")

    show("Trades", document["trade_count"])
    show("Net P&L", _cents(document["net_pnl"]))
    show("Gross P&L", _cents(document["gross_pnl"]))
    show("Fees", _cents(document["fees"]))
    win_rate = document["win_rate"]
    show("Win rate", None if win_rate is None else f"{Decimal(win_rate) * 100:.1f}", " %")
    factor = (
        "no losses" if document["profit_factor_unbounded"] else _places(document["profit_factor"])
    )
    show("Profit factor", factor)
    show("Expectancy", _cents(document["expectancy"]))
    show("Average win", _cents(document["avg_win"]))
    show("Average loss", _cents(document["avg_loss"]))
    drawdown = _cents(document["max_drawdown"])
    percent = document["max_drawdown_percent"]
    show(
        "Max drawdown",
        drawdown
        if percent is None or drawdown is None
        else f"{drawdown} ({Decimal(percent):.1f} % of the peak)",
    )
    show("Average R", _places(document["avg_r"]))
    show("SQN", _places(document["sqn"]))
    show("Kelly", _places(document["kelly"]))
    show("Longest win streak", document["longest_win_streak"])
    show("Longest loss streak", document["longest_loss_streak"])
    for title, key in (("By symbol", "by_symbol"), ("By side", "by_side")):
        if document[key]:
            print(f"\n{title}:")
            for name, bucket in document[key].items():
                net = _cents(bucket["net_pnl"])
                print(f"  {name:<20} {bucket['trades']:>6} trades  net {net:>12}")


def _report_import(summary: ImportSummary, zone_name: str) -> None:
    verb = "Would import" if summary.dry_run else "Imported"
    print(
        f"{verb} {summary.new_executions} of {summary.executions_in_file} executions from "
        f"{summary.filename} ({summary.format_name}, times read in {zone_name}); "
        f"{summary.duplicates} were already in the vault."
    )
    if summary.accounts_created:
        print("New accounts: " + ", ".join(summary.accounts_created))
    if summary.instruments_created:
        print("New instruments: " + ", ".join(summary.instruments_created))
    print(
        f"Trades in the positions touched: {summary.trades_closed} closed, "
        f"{summary.trades_open} open."
    )
    for warning in summary.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    if summary.dry_run:
        print("Dry run: nothing was stored.")
    elif summary.batch_id is not None:
        print(
            f"Import id {summary.batch_id} (undo with `journal-desktop undo-import "
            f"{summary.batch_id}`)."
        )


def add_trading_commands(commands: Any, trading: TradingCommands) -> None:
    """Register the trading sub-commands on the CLI's sub-parser collection."""
    importer = commands.add_parser("import", help="import a broker file (all or nothing)")
    importer.add_argument("file", nargs="?")
    importer.add_argument("--format", help="the file's format (detected when left out)")
    importer.add_argument("--account", help="the account to import into")
    importer.add_argument("--timezone", help="zone of the file's times, e.g. America/New_York")
    importer.add_argument("--dry-run", action="store_true", help="show what would be imported")
    importer.add_argument("--list-formats", action="store_true", help="list known formats")
    importer.add_argument("--mapping", metavar="NAME", help="read the file by a saved mapping")
    importer.set_defaults(handler=trading.cmd_import)

    trades = commands.add_parser("trades", help="list trades")
    trades.add_argument("--json", action="store_true")
    trades.set_defaults(handler=trading.cmd_trades)

    stats = commands.add_parser("stats", help="trading statistics over closed trades")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--from", dest="date_from", metavar="DATE", help="first close date")
    stats.add_argument("--to", dest="date_to", metavar="DATE", help="last close date")
    stats.add_argument("--account", metavar="A")
    stats.add_argument("--tag", metavar="T")
    stats.add_argument("--symbol", metavar="S")
    stats.add_argument(
        "--timezone", metavar="TZ", help="zone for dates, days and hours (default UTC)"
    )
    stats.set_defaults(handler=trading.cmd_stats)

    imports = commands.add_parser("imports", help="list past imports")
    imports.add_argument("--json", action="store_true")
    imports.set_defaults(handler=trading.cmd_imports)

    mapping = commands.add_parser("mapping", help="column mappings for any other CSV")
    mapping_commands = mapping.add_subparsers(
        title="mapping commands", metavar="COMMAND", required=True
    )
    save = mapping_commands.add_parser(
        "save", help="save a mapping from a JSON file (see the README for its fields)"
    )
    save.add_argument("file")
    save.set_defaults(handler=trading.cmd_mapping_save)
    listing = mapping_commands.add_parser("list", help="list saved mappings")
    listing.set_defaults(handler=trading.cmd_mapping_list)

    matching = commands.add_parser(
        "matching", help="show or choose how exits are matched to entries (fifo, lifo, average)"
    )
    matching.add_argument(
        "method",
        nargs="?",
        choices=[m.value for m in MatchingMethod],
        help="match every position again with this method (FIFO unless chosen)",
    )
    matching.set_defaults(handler=trading.cmd_matching)

    undo = commands.add_parser("undo-import", help="remove one import's executions")
    undo.add_argument("id")
    undo.set_defaults(handler=trading.cmd_undo_import)
