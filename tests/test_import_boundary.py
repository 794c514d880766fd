"""The Qt boundary is enforced mechanically: only journal_desktop.ui may import Qt.

Two independent checks:

* ruff's banned-api rule (TID251, configured in pyproject.toml) rejects Qt imports outside
  ``src/journal_desktop/ui`` — proved here by feeding ruff probe sources under both paths, so a
  change to the ruff table, the per-file-ignores or ruff itself that weakens the rule fails.
* an AST walk over the package source finds no Qt import outside ``ui/``, independent of ruff.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "src" / "journal_desktop"
UI_DIR = PACKAGE_DIR / "ui"

BANNED_TOP_LEVEL = ("PySide6", "shiboken6", "PyQt5", "PyQt6")

# Sources that must be rejected outside ui/ (and, for PySide6, accepted inside it).
QT_IMPORTS = [
    "import PySide6.QtCore\n",
    "from PySide6 import QtWidgets\n",
    "from PySide6.QtCore import QObject\n",
    "import PySide6\n",
    "import PySide6.QtGui as qtgui\n",
    "import shiboken6\n",
]
OTHER_QT_BINDINGS = [
    "import PyQt6.QtCore\n",
    "from PyQt5 import QtWidgets\n",
]
NON_UI_PROBES = [
    "src/journal_desktop/domain/probe.py",
    "src/journal_desktop/storage/probe.py",
    "src/journal_desktop/probe.py",
]
UI_PROBES = [
    "src/journal_desktop/ui/probe.py",
    "src/journal_desktop/ui/widgets/probe.py",
]


def _ruff_command() -> list[str]:
    """Ruff from the running environment: the binary next to the interpreter, else ``-m ruff``."""
    beside = Path(sys.executable).parent / "ruff"
    if beside.is_file():
        return [str(beside)]
    return [sys.executable, "-m", "ruff"]  # fails loudly below if ruff is not installed


def _ruff_tid251(source: str, stdin_filename: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *_ruff_command(),
            "check",
            "--no-cache",
            "--select",
            "TID251",
            "--output-format",
            "concise",
            "--stdin-filename",
            stdin_filename,
            "-",
        ],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("stdin_filename", NON_UI_PROBES)
@pytest.mark.parametrize("source", QT_IMPORTS + OTHER_QT_BINDINGS)
def test_ruff_rejects_qt_imports_outside_ui(source: str, stdin_filename: str) -> None:
    result = _ruff_tid251(source, stdin_filename)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"ruff accepted {source!r} in {stdin_filename}:\n{output}"
    assert "TID251" in output, output
    assert "is banned" in output, output
    assert "journal_desktop.ui" in output, output  # the message from pyproject's banned-api table


@pytest.mark.parametrize("stdin_filename", UI_PROBES)
@pytest.mark.parametrize("source", QT_IMPORTS)
def test_ruff_accepts_qt_imports_inside_ui(source: str, stdin_filename: str) -> None:
    result = _ruff_tid251(source, stdin_filename)
    assert result.returncode == 0, (
        f"ruff rejected {source!r} in {stdin_filename}:\n{result.stdout}{result.stderr}"
    )


def test_ruff_accepts_qt_free_source_outside_ui() -> None:
    """The rejections above come from the Qt imports, not from ruff failing on any input."""
    result = _ruff_tid251("import json\nimport keyring\n", NON_UI_PROBES[0])
    assert result.returncode == 0, result.stdout + result.stderr


def _is_banned(module: str) -> bool:
    return module.split(".", 1)[0] in BANNED_TOP_LEVEL


def qt_imports_in(source: str, filename: str = "<source>") -> Iterator[tuple[int, str]]:
    """Yield (line, module) for every Qt import in ``source``, at any depth in the module.

    Covers ``import X``, ``from X import Y`` and ``importlib.import_module("X")`` /
    ``__import__("X")`` with a literal name.
    """
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _is_banned(alias.name):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module is not None and _is_banned(node.module):
                yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _is_banned(first.value)
            ):
                yield node.lineno, first.value


def _non_ui_sources() -> list[Path]:
    return sorted(path for path in PACKAGE_DIR.rglob("*.py") if not path.is_relative_to(UI_DIR))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import PySide6.QtCore\n", ["PySide6.QtCore"]),
        ("from PySide6 import QtWidgets\n", ["PySide6"]),
        ("def f() -> None:\n    from shiboken6 import isValid\n", ["shiboken6"]),
        ("import os, PyQt6.QtGui\n", ["PyQt6.QtGui"]),
        ("import importlib\nimportlib.import_module('PySide6.QtWidgets')\n", ["PySide6.QtWidgets"]),
        ("__import__('PyQt5')\n", ["PyQt5"]),
        ("import PySide6_helpers\nfrom . import PySide6\nimport json\n", []),
    ],
)
def test_ast_walker_finds_qt_imports(source: str, expected: list[str]) -> None:
    """The walker used below really detects Qt imports (and only those)."""
    assert [module for _, module in qt_imports_in(source)] == expected


def test_no_qt_import_outside_ui_package() -> None:
    sources = _non_ui_sources()
    assert PACKAGE_DIR / "__init__.py" in sources, f"found no package source under {PACKAGE_DIR}"
    offences = [
        f"{path.relative_to(REPO_ROOT)}:{line}: imports {module}"
        for path in sources
        for line, module in qt_imports_in(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not offences, "Qt imported outside journal_desktop.ui:\n" + "\n".join(offences)
