"""The screenshots command renders every screen with demo data into non-empty PNG files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from journal_desktop.ui.screens import sidebar_screens
from journal_desktop.ui.screenshots import render_all
from tests.ui.shell_stubs import STUB_SCREENS, StubDetail

REPO_ROOT = Path(__file__).resolve().parents[2]


def _assert_real_png(path: Path, width: int, height: int) -> None:
    image = QImage(str(path))
    assert not image.isNull(), path
    assert (image.width(), image.height()) == (width, height), path
    # Not a blank canvas: a rendered window has many distinct colours.
    colours = {image.pixel(x, y) for x in range(0, width, 7) for y in range(0, height, 7)}
    assert len(colours) > 3, path


def test_render_all_writes_every_screen(qtbot: QtBot, tmp_path: Path) -> None:
    written = render_all(tmp_path / "shots", screens=STUB_SCREENS, detail=StubDetail)
    names = sorted(path.name for path in written)
    assert names == [
        "00-first-run-passphrase.png",
        "00-first-run.png",
        "01-dashboard.png",
        "02-trades.png",
        "03-journal.png",
        "04-import.png",
        "05-security-settings.png",
        "06-trade-detail.png",
        "07-lock.png",
        "08-dashboard-dark.png",
    ]
    for path in written:
        if path.name.startswith("00-"):
            _assert_real_png(path, 640, 500)
        else:
            _assert_real_png(path, 1280, 800)


def test_the_command_renders_the_real_screens(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "journal_desktop.ui.screenshots", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.png"))
    expected = 2 + len(sidebar_screens()) + 1  # wizard pages, sidebar screens, lock
    assert len(files) >= expected
    assert all(path.stat().st_size > 5_000 for path in files)
    assert sorted(line for line in result.stdout.splitlines() if line) == [str(p) for p in files]


def test_the_command_explains_its_usage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "journal_desktop.ui.screenshots"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "usage:" in result.stderr
