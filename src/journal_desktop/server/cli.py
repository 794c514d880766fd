"""`journal-server`: run the sync server.

It refuses to listen on a non-loopback address in plain HTTP: either give it a certificate
(`--tls-cert/--tls-key`) or say it sits behind a TLS-terminating proxy (`--behind-proxy`).
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

import platformdirs

#: uvicorn options every server process runs with: no version banner, and forwarded headers
#: are read by the app itself (only with --behind-proxy), never by uvicorn.
UVICORN_OPTIONS: dict[str, object] = {"server_header": False, "proxy_headers": False}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    serve.add_argument("--port", type=int, default=8443)
    _storage_options(serve)
    serve.add_argument("--tls-cert", type=Path, default=None)
    serve.add_argument("--tls-key", type=Path, default=None)
    serve.add_argument(
        "--behind-proxy",
        action="store_true",
        help="TLS ends at a reverse proxy; trust its X-Forwarded-For/-Proto headers",
    )
    audit = commands.add_parser("audit", help="check the security audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="walk the hash chain; exit 1 if any entry was edited, removed or reordered"
    )
    _storage_options(verify)
    return parser


def audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 if the chain is whole, 1 if it is broken, 2 if it cannot be checked."""
    from journal_desktop.server import audit
    from journal_desktop.server.db import make_engine
    from journal_desktop.server.settings import Settings, read_secret

    try:
        secret = read_secret(args.data_dir)
    except (OSError, RuntimeError) as exc:
        print(f"journal-server: cannot read the server secret: {exc}", file=sys.stderr)
        return 2
    settings = Settings(data_dir=args.data_dir, database_url=args.database_url)
    if settings.database_url is None and not (args.data_dir / "server.db").exists():
        print(f"journal-server: no database in {args.data_dir}", file=sys.stderr)
        return 2
    engine = make_engine(settings.url)
    try:
        with engine.connect() as conn:
            verdict = audit.verify(conn, audit.audit_key(secret))
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
    settings = Settings(
        data_dir=args.data_dir,
        database_url=args.database_url,
        behind_proxy=args.behind_proxy,
        tls=tls,
    )
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        ssl_certfile=str(args.tls_cert) if tls else None,
        ssl_keyfile=str(args.tls_key) if tls else None,
        log_level="info",
        **UVICORN_OPTIONS,  # type: ignore[arg-type]
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "audit" and args.audit_command == "verify":
        return audit_verify(args)
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
