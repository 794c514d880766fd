"""Broker file parsers: bytes in, domain ImportedExecutions out. No SQL, no Qt.

The list of formats is `journal_desktop.importers.registry.formats()`. It is not re-exported
here: the subpackage `journal_desktop.importers.formats`, loaded lazily on first use, would
replace a package attribute of the same name with itself.
"""

from journal_desktop.importers.registry import (
    ImportFormat,
    detect_format,
    get_format,
    parse_file,
)

__all__ = ["ImportFormat", "detect_format", "get_format", "parse_file"]
