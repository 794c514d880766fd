"""Auto-detection picks each of these formats for its files, whatever their encoding, and
leaves the generic format's files to the generic format."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.importers import detect_format, parse_file
from tests.importers.support import (
    FIXTURES,
    IBKR_FLEX_XML,
    TRADOVATE_PAIRS,
    utf16_le_with_bom,
)

FILES = [
    (IBKR_FLEX_XML, "ibkr-flex-xml"),
    (TRADOVATE_PAIRS, "tradovate-performance"),
    (FIXTURES / "ibkr-flex-trades.csv", "ibkr-flex-csv"),
    (FIXTURES / "ibkr-flex-coded.csv", "ibkr-flex-csv"),
    (FIXTURES / "ibkr-activity-statement.csv", "ibkr-activity-csv"),
    (FIXTURES / "tradovate-orders.csv", "tradovate-orders"),
    (FIXTURES / "tradovate-fills.csv", "tradovate-fills"),
    (FIXTURES / "ninjatrader-trades.csv", "ninjatrader-trades"),
    (FIXTURES / "tradovate-position-history-split.csv", "tradovate-performance"),
    (FIXTURES / "tradovate-performance.csv", "tradovate-performance"),
    (FIXTURES / "generic.csv", "generic"),
    (FIXTURES / "generic-semicolon.csv", "generic"),
]


@pytest.mark.parametrize(("path", "expected"), FILES, ids=[p.name for p, _ in FILES])
def test_each_file_is_detected_as_its_format(path: Path, expected: str) -> None:
    data = path.read_bytes()
    assert detect_format(data.decode("utf-8"), path.name).name == expected
    assert parse_file(data, path.name).format_name == expected


@pytest.mark.parametrize(("path", "expected"), FILES, ids=[p.name for p, _ in FILES])
def test_utf16_and_bom_encodings_parse_the_same(path: Path, expected: str) -> None:
    data = path.read_bytes()
    text = data.decode("utf-8")
    plain = parse_file(data, path.name)
    assert parse_file(utf16_le_with_bom(text), path.name) == plain
    assert parse_file(codecs.BOM_UTF8 + data, path.name) == plain


def test_a_file_of_no_known_format_is_refused_by_name() -> None:
    with pytest.raises(ImportFileError, match="not recognised") as caught:
        parse_file(b"Col A,Col B\n1,2\n", "mystery.csv")
    assert caught.value.file == "mystery.csv"
    with pytest.raises(ImportFileError, match="not recognised"):
        parse_file(b"", "empty.csv")
