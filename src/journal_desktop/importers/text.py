"""Turning a broker file's bytes into text: UTF-8 with or without BOM, UTF-16 from Excel.

Brokers and spreadsheets write whatever encoding their platform likes; a trader should never
have to know which. Legacy single-byte files (cp1252) are the last resort, never a guess that
silently mangles a symbol.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableFile(ValueError):
    pass


def decode_bytes(data: bytes) -> str:
    """The file's text, with line endings normalised to \\n."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _normalise(data.decode(encoding))
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return _normalise(data.decode("utf-16-le"))  # UTF-16 without BOM (some Excel exports)
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return _normalise(data.decode("utf-16-be"))
    try:
        return _normalise(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        return _normalise(data.decode("cp1252"))
    except UnicodeDecodeError:
        raise UndecodableFile("the file is not text in UTF-8, UTF-16 or Windows-1252") from None


def _normalise(text: str) -> str:
    if "\x00" in text:
        raise UndecodableFile("the file holds binary data, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")
