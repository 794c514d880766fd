"""Broker file parsers: bytes in, domain ImportedExecutions out. No SQL, no Qt."""

from journal_desktop.importers.registry import (
    ImportFormat,
    detect_format,
    formats,
    get_format,
    parse_file,
)

__all__ = ["ImportFormat", "detect_format", "formats", "get_format", "parse_file"]
