"""`journal-server`: run the sync server, and operate it.

`serve` refuses to listen on a non-loopback address in plain HTTP: either give it a certificate
(`--tls-cert/--tls-key`) or say it sits behind a TLS-terminating proxy (`--behind-proxy`).
`--workers N` runs N uvicorn worker processes (each builds its app through
`app_from_environment`); the schema and the server secret are prepared once, before they start.

`admin list|suspend|unsuspend|delete` manage accounts (every change audited), `backup FILE`
copies a SQLite database online, and `audit verify` checks the security log's hash chain.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import getpass
import ipaddress
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from starlette.applications import Starlette

    from journal_desktop.server.admin import AccountSummary
    from journal_desktop.server.settings import Settings

#: uvicorn options every server process runs with: no version banner, and forwarded headers
#: are read by the app itself (only with --behind-proxy), never by uvicorn.
UVICORN_OPTIONS: dict[str, object] = {"server_header": False, "proxy_headers": False}
#: How `serve --workers N` hands its settings to the worker processes it starts.
WORKER_SETTINGS_ENV = "JOURNAL_SERVER_WORKER_SETTINGS"
WORKER_APP = "journal_desktop.server.cli:app_from_environment"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    """A TCP port, checked here: uvicorn met 99999 with a traceback from bind()."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535)")
    return port


def _seconds(text: str) -> float:
    """A positive, finite number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < seconds < 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 86400 seconds")
    return seconds


def _tls_problem(cert: Path, key: Path) -> str | None:
    """Why the certificate and key cannot serve TLS, or None: checked before uvicorn starts,
    which met a missing or mismatched file with a traceback."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:  # an OSError too: first
        return (
            f"--tls-cert {cert} and --tls-key {key} are not a PEM certificate chain and its "
            f"private key ({exc.reason or exc})"
        )
    except OSError as exc:
        return f"cannot read --tls-cert {cert} or --tls-key {key}: {exc.strerror or exc}"
    return None


def _storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(platformdirs.user_data_dir("journal-server", appauthor=False)),
    )
    parser.add_argument("--database-url", default=None, help="default: SQLite in the data dir")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="journal-server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sync server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8443)
    _storage_options(serve)
    serve.add_argument("--tls-cert", type=Path, default=None)
    serve.add_argument("--tls-key", type=Path, default=None)
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help="TLS ends at a reverse proxy; trust its X-Forwarded-For/-Proto headers",
    )
    serve.add_argument(
        "--body-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="a request body must arrive within this many seconds of its headers, or 408 "
        "(default 30)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default 1); several are meant for PostgreSQL, and work on "
        "SQLite too (WAL: reads in parallel, one writer at a time)",
    )
    admin = commands.add_parser("admin", help="list, suspend, unsuspend or delete accounts")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    listing = admin_commands.add_parser("list", help="every account, with its usage")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    _storage_options(listing)
    for name, what in (
        ("suspend", "refuse the account's sign-ins and tokens (403) and end its sessions"),
        ("unsuspend", "let the account sign in again"),
        ("delete", "delete the account and everything it stored (its audit trail stays)"),
    ):
        action = admin_commands.add_parser(name, help=what)
        action.add_argument("account", help="account id or email")
        if name == "delete":
            action.add_argument("--yes", action="store_true", help="do it (no prompt)")
        _storage_options(action)
    backup = commands.add_parser(
        "backup", help="copy the SQLite database online into FILE (PostgreSQL: use pg_dump)"
    )
    backup.add_argument("file", type=Path)
    _storage_options(backup)
    audit = commands.add_parser("audit", help="check the security audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="walk the hash chain; exit 1 if any entry was edited, removed or reordered"
    )
    _storage_options(verify)
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"journal-server: {message}", file=sys.stderr)
    return code


def _existing_engine(args: argparse.Namespace) -> Engine | str:
    """An engine for the database the options name, if it exists; else why not."""
    from journal_desktop.server.db import UnsupportedDatabase, make_engine
    from journal_desktop.server.settings import Settings

    settings = Settings(data_dir=args.data_dir, database_url=args.database_url)
    if settings.database_url is None and not (args.data_dir / "server.db").exists():
        return f"no database in {args.data_dir}"
    try:
        return make_engine(settings.url)
    except UnsupportedDatabase as exc:
        return f"--database-url: {exc}"


def audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 if the chain is whole, 1 if it is broken, 2 if it cannot be checked."""
    from sqlalchemy.exc import OperationalError

    from journal_desktop.server import audit
    from journal_desktop.server.settings import read_secret

    try:
        secret = read_secret(args.data_dir)
    except (OSError, RuntimeError) as exc:
        return _fail(f"cannot read the server secret: {exc}")
    engine = _existing_engine(args)
    if isinstance(engine, str):
        return _fail(engine)
    try:
        with engine.connect() as conn:
            verdict = audit.verify(conn, audit.audit_key(secret))
    except OperationalError as exc:
        return _fail(f"cannot use the database: {exc.orig or exc}")
    finally:
        engine.dispose()
    if verdict.ok:
        print(f"audit log intact: {verdict.checked} entries")
        return 0
    print(
        f"audit log BROKEN after {verdict.checked} good entries: {verdict.problem}",
        file=sys.stderr,
    )
    return 1


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from journal_desktop.server.app import create_app
    from journal_desktop.server.settings import Settings

    if (args.tls_cert is None) != (args.tls_key is None):
        print("journal-server: give both --tls-cert and --tls-key, or neither.", file=sys.stderr)
        return 2
    tls = args.tls_cert is not None
    if not _is_loopback(args.host) and not tls and not args.behind_proxy:
        print(
            f"journal-server: refusing to serve plain HTTP on {args.host}: tokens would cross "
            "the network unencrypted. Pass --tls-cert/--tls-key, or --behind-proxy if a "
            "TLS-terminating proxy is in front.",
            file=sys.stderr,
        )
        return 2
    if args.workers < 1:
        return _fail("--workers must be at least 1.")
    if tls:
        problem = _tls_problem(args.tls_cert, args.tls_key)
        if problem:
            return _fail(problem)
    if args.database_url is not None:
        from journal_desktop.server.db import UnsupportedDatabase, database_url

        try:
            database_url(args.database_url)
        except UnsupportedDatabase as exc:
            return _fail(f"--database-url: {exc}")
    settings = Settings(
        data_dir=args.data_dir,
        database_url=args.database_url,
        behind_proxy=args.behind_proxy,
        tls=tls,
    )
    if args.body_timeout is not None:
        settings = dataclasses.replace(settings, body_timeout=args.body_timeout)
    options: dict[str, object] = {
        "host": args.host,
        "port": args.port,
        "ssl_certfile": str(args.tls_cert) if tls else None,
        "ssl_keyfile": str(args.tls_key) if tls else None,
        "log_level": "info",
        **UVICORN_OPTIONS,
    }
    problem = _prepare(settings)
    if problem:
        return _fail(problem)
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return 0
    os.environ[WORKER_SETTINGS_ENV] = json.dumps(
        {
            "data_dir": str(settings.data_dir),
            "database_url": settings.database_url,
            "behind_proxy": settings.behind_proxy,
            "tls": settings.tls,
            "body_timeout": settings.body_timeout,
        }
    )
    if settings.database_url is None:
        print(
            f"journal-server: {args.workers} workers share SQLite in {settings.data_dir} (WAL: "
            "reads in parallel, writes one at a time); PostgreSQL scales further.",
            file=sys.stderr,
        )
    uvicorn.run(WORKER_APP, factory=True, workers=args.workers, **options)  # type: ignore[arg-type]
    return 0


def _prepare(settings: Settings) -> str | None:
    """Create the server secret and migrate the schema once, before any worker starts; why
    that failed, if it did. Checked here, so an unusable data dir or database (missing
    parent, no permission, disk full, PostgreSQL down) is one clear line, not a traceback
    from inside uvicorn's start-up."""
    from sqlalchemy.exc import SQLAlchemyError

    from journal_desktop.server.db import make_engine, migrate
    from journal_desktop.server.settings import load_or_create_secret

    try:
        load_or_create_secret(settings.data_dir)
    except (OSError, RuntimeError) as exc:
        return f"cannot use the data dir {settings.data_dir}: {exc}"
    engine = make_engine(settings.url)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        return f"cannot prepare the database: {orig or exc}"
    finally:
        engine.dispose()
    return None


def app_from_environment() -> Starlette:
    """The app of one `serve --workers N` worker, from the settings its parent exported."""
    from journal_desktop.server.app import create_app
    from journal_desktop.server.settings import Settings

    exported = json.loads(os.environ[WORKER_SETTINGS_ENV])
    return create_app(
        Settings(
            data_dir=Path(exported["data_dir"]),
            database_url=exported["database_url"],
            behind_proxy=bool(exported["behind_proxy"]),
            tls=bool(exported["tls"]),
            body_timeout=float(exported["body_timeout"]),
        )
    )


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return "-"
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M")


def admin_command(args: argparse.Namespace) -> int:
    """Exit 0 on success, 1 if the account does not exist, 2 if nothing could be done."""
    import time

    from sqlalchemy.exc import OperationalError

    from journal_desktop.server import admin, audit
    from journal_desktop.server.db import migrate
    from journal_desktop.server.settings import read_secret

    if args.admin_command == "delete" and not args.yes:
        return _fail(f"deleting {args.account} removes all it stored for good; add --yes.")
    try:
        secret = read_secret(args.data_dir)
    except (OSError, RuntimeError) as exc:
        return _fail(
            f"cannot read the server secret ({exc}); give the --data-dir the server uses, "
            "so the audit entries join its chain"
        )
    engine = _existing_engine(args)
    if isinstance(engine, str):
        return _fail(engine)
    key, now, who = audit.audit_key(secret), int(time.time()), _operator()
    try:
        migrate(engine)  # a server not yet restarted after an upgrade may be behind
        if args.admin_command == "list":
            with engine.connect() as conn:
                _print_accounts(admin.list_accounts(conn), args.json)
            return 0
        if args.admin_command == "suspend":
            email, ended = admin.suspend(engine, key, args.account, now, who)
            print(f"suspended {email}; {ended} session(s) ended")
        elif args.admin_command == "unsuspend":
            lifted = admin.unsuspend(engine, key, args.account, now, who)
            print(f"unsuspended {lifted}" if lifted else f"{args.account} was not suspended")
        else:
            email = admin.delete_account(engine, secret, key, args.account, now, who)
            print(f"deleted {email} and everything it stored")
        return 0
    except admin.AccountNotFound:
        return _fail(f"no account {args.account!r} (give its id or email)", 1)
    except OperationalError as exc:
        return _fail(f"cannot use the database: {exc.orig or exc}")
    finally:
        engine.dispose()


def _print_accounts(found: list[AccountSummary], as_json: bool) -> None:
    import dataclasses

    rows = [dataclasses.asdict(a) for a in found]
    if as_json:
        for row in rows:
            print(json.dumps(row, sort_keys=True))
        return
    header = ("ID", "EMAIL", "CREATED", "LAST SIGN-IN", "ITEMS", "STORED BYTES", "SUSPENDED")
    table = [header] + [
        (
            r["id"],
            r["email"],
            _when(r["created_at"]),
            _when(r["last_sign_in"]),
            str(r["items"]),
            str(r["stored_bytes"]),
            _when(r["suspended_at"]) if r["suspended_at"] is not None else "no",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    print(f"{len(rows)} account(s)")


def backup_command(args: argparse.Namespace) -> int:
    """Exit 0 with a whole copy in FILE, 1 if the copy failed, 2 if it cannot be done here."""
    from journal_desktop.server import backup
    from journal_desktop.server.settings import SECRET_FILE, Settings

    settings = Settings(data_dir=args.data_dir, database_url=args.database_url)
    if not settings.url.startswith("sqlite"):
        return _fail(
            "backup copies the SQLite database only. Back up PostgreSQL with pg_dump, for "
            "example (password from PGPASSWORD or ~/.pgpass):\n  "
            + backup.pg_dump_command(settings.url, args.file)
            + f"\nand keep a copy of {args.data_dir / SECRET_FILE} with it."
        )
    try:
        done = backup.backup_sqlite(args.data_dir / "server.db", args.file)
    except backup.BackupError as exc:
        return _fail(str(exc), 1)
    print(
        f"backed up {done.accounts} account(s), {done.size} bytes, to {done.path}. Keep a copy "
        f"of {args.data_dir / SECRET_FILE} with it: the audit chain, throttle counters and "
        "recovery codes are keyed by it."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "audit" and args.audit_command == "verify":
        return audit_verify(args)
    if args.command == "admin":
        return admin_command(args)
    if args.command == "backup":
        return backup_command(args)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
