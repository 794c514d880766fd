"""The sync server as the benchmarks run it: uvicorn on 127.0.0.1, in its own process.

`python -m benchmarks.sync_server_process --port P --data-dir D [--database-url U]` serves
`create_app(settings, benchmark_echo=True)`: the real app plus the unauthenticated echo route
the items figures are compared with. Only ever on a loopback address; only for benchmarks.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from journal_desktop.server.app import create_app
from journal_desktop.server.cli import UVICORN_OPTIONS
from journal_desktop.server.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync_server_process")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir, database_url=args.database_url)
    uvicorn.run(
        create_app(settings, benchmark_echo=True),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        **UVICORN_OPTIONS,  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
