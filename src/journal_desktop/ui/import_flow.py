"""The import screen's work on the vault's worker thread: read, parse, preview, import.

Qt-free on purpose: these functions run on the worker (file reading and parsing would freeze
the window), and they do exactly what `journal-desktop import` does (same parser, same format
and time-zone choice, same all-or-nothing `import_parsed`), so the app and the command line
cannot disagree about what a file contains.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from journal_desktop.cli_trading import MAPPING_SETTING_PREFIX, load_mapping
from journal_desktop.domain.imported import ImportedExecution, ImportFileError, ParsedFile
from journal_desktop.importers import get_format, parse_file
from journal_desktop.importers.mapping import parse_with_mapping
from journal_desktop.importers.registry import formats
from journal_desktop.importers.text import UndecodableFile, decode_bytes
from journal_desktop.importers.times import BadTime, zone
from journal_desktop.storage.importing import ImportRejected, ImportSummary, import_parsed
from journal_desktop.storage.vault import Vault

#: How many executions the preview shows; enough to recognise the file, cheap to draw.
PREVIEW_ROWS = 50

#: Reports progress (done, total); raises to stop the work (the transaction then rolls back).
ProgressCallback = Callable[[int, int], None]
#: Checks whether the user cancelled; raises if so.
CancelCheck = Callable[[], None]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the trader chose; None means "as the file or its format says"."""

    format_name: str | None = None
    timezone: str | None = None
    account: str = ""
    #: A saved column mapping (`journal-desktop mapping save`) to read any other CSV with.
    mapping: str | None = None


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """A parsed file and what importing it would add, ready for `run_import`."""

    path: Path
    data: bytes
    parsed: ParsedFile
    options: ImportOptions
    #: The zone the file's times were read in (the choice, or the format's default).
    zone_name: str
    #: True when the format was recognised rather than chosen.
    detected: bool
    dry_run: ImportSummary
    #: The zone the format reads times in when none is chosen.
    format_default_zone: str
    #: The account names the executions carry ("Default" when the file names none); worked
    #: out on the worker, since a big file has 100,000 executions to look at.
    accounts_in_file: tuple[str, ...]

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def format_name(self) -> str:
        return self.parsed.format_name

    @property
    def preview(self) -> tuple[ImportedExecution, ...]:
        return self.parsed.executions[:PREVIEW_ROWS]


@dataclass(frozen=True, slots=True)
class FormatChoices:
    """What the format combo offers: every registered format, then the saved mappings."""

    formats: list[tuple[str, str]]
    mappings: list[str]


def format_choices(vault: Vault) -> FormatChoices:
    """Loading the format modules takes a few hundred milliseconds, so it happens on the worker
    when the screen is first shown, never while the window starts."""
    return FormatChoices(
        formats=[(fmt.name, fmt.description) for fmt in formats()],
        mappings=sorted(
            key[len(MAPPING_SETTING_PREFIX) :]
            for key in vault.settings.all()
            if key.startswith(MAPPING_SETTING_PREFIX)
        ),
    )


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportRejected(f"{path} cannot be read ({error.strerror or 'I/O error'})") from None


def parse(data: bytes, path: Path, options: ImportOptions) -> tuple[ParsedFile, str]:
    """Parse as the command line does; returns the parsed file and the zone it was read in.

    Raises `ImportFileError` (file, line, column) for a bad line, and `ImportRejected` for a
    bad choice (unknown format or zone), so the screen can tell the two apart.
    """
    try:
        if options.format_name:
            get_format(options.format_name)
        if options.timezone:
            zone(options.timezone)
    except (ValueError, BadTime) as error:
        raise ImportRejected(f"{path.name}: {error}") from None
    parsed = parse_file(
        data,
        path.name,
        format_name=options.format_name,
        timezone=options.timezone,
        account=options.account,
    )
    zone_name = options.timezone or get_format(parsed.format_name).default_timezone
    return parsed, zone_name


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big file is read and stored.

    Parsing 100,000 executions allocates millions of objects, which sets off full collections;
    each holds the GIL for hundreds of milliseconds and so freezes the window although the work
    runs on the worker. The objects made here hold no reference cycles (reference counting
    frees them), so pausing the collector for the duration loses nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything allocated meanwhile is still in the youngest generation, so the first
            # collection after re-enabling would walk millions of objects in one pass that
            # holds the GIL (measured 40 ms and more: a frozen window). Freezing and at once
            # unfreezing moves every tracked object into the oldest generation without
            # walking it; they are looked at again only by the next full collection, by when
            # the import's objects have mostly been freed by reference counting.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def parse_mapped(
    vault: Vault, data: bytes, path: Path, options: ImportOptions
) -> tuple[ParsedFile, str]:
    """Parse with a saved column mapping, as `journal-desktop import --mapping` does."""
    assert options.mapping is not None
    zone_name = options.timezone or "UTC"
    mapping = load_mapping(vault, options.mapping)
    try:
        parsed = parse_with_mapping(
            decode_bytes(data), path.name, zone(zone_name), options.account, mapping
        )
    except (UndecodableFile, BadTime) as error:
        raise ImportRejected(f"{path.name}: {error}") from None
    return parsed, zone_name


def prepare(
    vault: Vault,
    path: Path,
    options: ImportOptions,
    check: CancelCheck | None = None,
    progress: ProgressCallback | None = None,
) -> PreparedImport:
    """Read and parse the file, then dry-run the import to count what it would add."""
    with gc_paused():
        return _prepare(vault, path, options, check, progress)


def _prepare(
    vault: Vault,
    path: Path,
    options: ImportOptions,
    check: CancelCheck | None,
    progress: ProgressCallback | None,
) -> PreparedImport:
    data = read_file(path)
    if check is not None:
        check()
    if options.mapping:
        parsed, zone_name = parse_mapped(vault, data, path, options)
        default_zone = "UTC"
    else:
        parsed, zone_name = parse(data, path, options)
        default_zone = get_format(parsed.format_name).default_timezone
    if check is not None:
        check()
    # The dry run rolls its own transaction back; nothing may wrap it (a wrapping transaction
    # would be joined, not rolled back, and then commit the dry run's rows).
    summary = import_parsed(
        vault,
        parsed,
        data,
        path.name,
        timezone=zone_name,
        account=options.account or None,
        dry_run=True,
        progress=progress,
    )
    if options.mapping and not options.timezone:
        summary.warnings.append("no time zone was chosen, so the file's times were read as UTC")
    return PreparedImport(
        path=path,
        data=data,
        parsed=parsed,
        options=options,
        zone_name=zone_name,
        detected=not (options.format_name or options.mapping),
        dry_run=summary,
        format_default_zone=default_zone,
        accounts_in_file=tuple(sorted({item.account or "Default" for item in parsed.executions})),
    )


def run_import(
    vault: Vault,
    prepared: PreparedImport,
    check: CancelCheck,
    progress: ProgressCallback,
) -> ImportSummary:
    """Import for real, all or nothing; `check` or `progress` raising rolls everything back.

    The outer transaction keeps the last progress report and the final cancel check inside
    the import's transaction, so a cancel that arrives at the very end still stores nothing.
    """
    with gc_paused(), vault.transaction():
        summary = import_parsed(
            vault,
            prepared.parsed,
            prepared.data,
            prepared.filename,
            timezone=prepared.zone_name,
            account=prepared.options.account or None,
            progress=progress,
        )
        check()
    return summary


@dataclass(frozen=True, slots=True)
class LineError:
    """One per-line problem, split for a table: file, line, column and why."""

    file: str
    line: int | None
    column: str | None
    reason: str


def line_errors(error: BaseException) -> list[LineError]:
    """The problems an exception names, or [] when it is not about the file's content."""
    if isinstance(error, ImportFileError):
        return [LineError(error.file, error.line, error.column, error.reason)]
    return []


def fees_of(item: ImportedExecution) -> Decimal:
    return item.commission + item.fees
