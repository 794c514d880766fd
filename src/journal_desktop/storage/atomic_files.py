"""Writing precious files so that a crash leaves either the old file or the new one.

A temp file in the same folder (owner-only permissions from the start), flushed and fsynced,
then renamed over the target, then the folder fsynced so the rename itself survives power loss.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def fsync_directory(directory: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory for fsync; NTFS journals renames.
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(directory: Path) -> None:
    """Create the folder (owner-only) if it is missing; tighten nothing that already exists."""
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)


@contextlib.contextmanager
def _temp_beside(target: Path) -> Iterator[tuple[int, Path]]:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(name)
    try:
        if os.name == "posix":
            os.fchmod(fd, PRIVATE_FILE_MODE)
        yield fd, temp
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def write_atomic(target: Path, chunks: Iterable[bytes]) -> None:
    """Replace `target` with the concatenated chunks, all or nothing."""
    with _temp_beside(target) as (fd, temp):
        with os.fdopen(fd, "wb", closefd=True) as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    fsync_directory(target.parent)


def write_atomic_bytes(target: Path, data: bytes) -> None:
    write_atomic(target, [data])


def copy_atomic(source: Path, target: Path, *, chunk_size: int = 1024 * 1024) -> None:
    """Copy a file so that `target` appears only once it is complete and on disk."""

    def chunks() -> Iterator[bytes]:
        with source.open("rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    write_atomic(target, chunks())
