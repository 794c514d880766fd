"""Every supported broker format, how to recognise it, and the one entry point to parse a file.

Formats register themselves here; `detect_format` scores each against the file's first lines
so `--format` is rarely needed, and refuses to guess between two equally likely formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from journal_desktop.domain.imported import ImportFileError, ParsedFile
from journal_desktop.importers.ordering import oldest_first
from journal_desktop.importers.text import UndecodableFile, decode_bytes
from journal_desktop.importers.times import zone

#: A parser: the decoded text, the file's name (for errors), the zone for naive times, and the
#: account name to use when the file does not name one.
Parser = Callable[[str, str, tzinfo, str], ParsedFile]
#: A detector: 0 when the text is surely not this format, higher the more certain.
Detector = Callable[[str, str], int]


@dataclass(frozen=True, slots=True)
class ImportFormat:
    name: str
    description: str
    default_timezone: str
    detect: Detector
    parse: Parser


_FORMATS: dict[str, ImportFormat] = {}


def register(fmt: ImportFormat) -> ImportFormat:
    if fmt.name in _FORMATS:
        raise ValueError(f"import format {fmt.name!r} registered twice")
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> list[ImportFormat]:
    _load_builtin_formats()
    return sorted(_FORMATS.values(), key=lambda f: f.name)


def get_format(name: str) -> ImportFormat:
    _load_builtin_formats()
    try:
        return _FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise ValueError(f"unknown import format {name!r}; known formats: {known}") from None


def detect_format(text: str, filename: str) -> ImportFormat:
    _load_builtin_formats()
    scored = sorted(
        ((fmt.detect(text, filename), fmt) for fmt in _FORMATS.values()),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not scored or scored[0][0] <= 0:
        raise ImportFileError(
            filename,
            "its format was not recognised; name it with --format (see `journal-desktop "
            "import --list-formats`) or use a saved column mapping",
        )
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        raise ImportFileError(
            filename,
            f"it could be {scored[0][1].name} or {scored[1][1].name}; name one with --format",
        )
    return scored[0][1]


def parse_file(
    data: bytes,
    filename: str,
    *,
    format_name: str | None = None,
    timezone: str | None = None,
    account: str = "",
) -> ParsedFile:
    """Decode, detect (unless named) and parse one broker file; errors name file and line.

    The executions come back oldest first even when the file lists the newest first (see
    `ordering`)."""
    try:
        text = decode_bytes(data)
    except UndecodableFile as error:
        raise ImportFileError(filename, str(error)) from None
    fmt = get_format(format_name) if format_name else detect_format(text, filename)
    try:
        tz = zone(timezone or fmt.default_timezone)
    except ValueError as error:
        raise ImportFileError(filename, str(error)) from None
    return oldest_first(fmt.parse(text, filename, tz, account))


_loaded = False


def _load_builtin_formats() -> None:
    """Import the format modules once; each registers itself on import."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil

    import journal_desktop.importers.formats as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
