"""Where the files the app ships besides its code (icons, sample data) are found.

Qt-free so that the sample-data loader, which runs on the vault's worker thread and in the
CLI, can find its file too. The repository's `resources/` folder is used from a source
checkout (the package is installed editable); a `resources/` folder inside the package is
preferred when a build ever ships one there.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


class ResourcesMissing(FileNotFoundError):
    """The app's resources folder cannot be found: the installation is incomplete."""


@cache
def resources_dir() -> Path:
    """The folder holding `icons/` and `sample/`."""
    candidates = (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent.parent / "resources")
    for candidate in candidates:
        if (candidate / "icons").is_dir():
            return candidate
    raise ResourcesMissing(
        "The app's resources folder was not found next to the package; reinstall Journal Desktop."
    )


def resource_path(*parts: str) -> Path:
    """A file under the resources folder, e.g. `resource_path("icons", "trades.svg")`."""
    return resources_dir().joinpath(*parts)


SAMPLE_EXECUTIONS = ("sample", "sample-executions.csv")
