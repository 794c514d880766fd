#!/usr/bin/env bash
# Set up a development machine for journal-desktop (Debian 12 / Ubuntu 22.04 or newer).
#
# Idempotent and quiet: one line per step. A re-run on a set-up machine touches neither apt nor
# pip (it checks installed Debian packages with dpkg-query and the virtualenv against a stamp).
#
#   bash scripts/setup.sh            # from anywhere; works on the repository this file is in
#   PYTHON=python3.12 bash scripts/setup.sh   # choose the interpreter for .venv
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.journal-desktop-setup-stamp"

say() { printf 'setup: %s\n' "$*"; }
TMP_FILES=()
trap 'rm -f "${TMP_FILES[@]}"' EXIT
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Debian packages --------------------------------------------------------------------------------
# Qt offscreen, Qt on a real X screen (xcb) and a virtual screen, and a real Secret Service
# keychain for the tests (see the README's requirements).
APT_PACKAGES=(
    libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render0
    libxcb-render-util0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0
    xvfb xauth
    dbus dbus-x11 gnome-keyring
    postgresql
)

python_ok() {  # $1: interpreter; true when it is Python >= 3.11
    "$1" -c 'import sys; raise SystemExit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

python_version() {
    "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || echo "unknown"
}

find_python() {  # prints the interpreter to use, or nothing
    local cand
    if [[ -n "${PYTHON:-}" ]]; then
        command -v "$PYTHON" >/dev/null 2>&1 && echo "$PYTHON"
        return 0
    fi
    for cand in python3 python3.13 python3.12 python3.11; do
        if command -v "$cand" >/dev/null 2>&1 && python_ok "$cand"; then
            echo "$cand"
            return 0
        fi
    done
    # Nothing new enough: report python3 (if any), so the version check below names it.
    command -v python3 >/dev/null 2>&1 && echo python3
    return 0
}

require_new_python() {  # $1: interpreter
    python_ok "$1" && return 0
    die "Python 3.11 or newer is required, but $1 is $(python_version "$1"). Install python3.11" \
        "(or newer) with its venv package, then re-run with PYTHON=python3.11."
}

venv_package_for() {  # $1: interpreter; the Debian package that gives it `-m venv`
    if [[ "$1" == python3 ]]; then
        echo python3-venv
    else
        "$1" -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])'
    fi
}

if [[ -n "${PYTHON:-}" ]] && ! command -v "$PYTHON" >/dev/null 2>&1; then
    die "PYTHON=$PYTHON is not a command"
fi
PY="$(find_python)"
if [[ -n "$PY" ]]; then
    require_new_python "$PY"
fi

# A usable .venv does not need `-m venv` again, so only ask for the venv package when creating.
venv_usable() {
    [[ -x "$VENV/bin/python" ]] && python_ok "$VENV/bin/python"
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)" != ii* ]]; then
        missing+=("$pkg")
    fi
done
if [[ -z "$PY" ]]; then
    missing+=(python3 python3-venv)
elif ! venv_usable && ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=("$(venv_package_for "$PY")")
fi

if ((${#missing[@]} == 0)); then
    say "Debian packages: all ${#APT_PACKAGES[@]} present"
else
    say "Debian packages: installing ${missing[*]}"
    command -v apt-get >/dev/null 2>&1 \
        || die "apt-get not found: install these packages by hand: ${missing[*]}"
    SUDO=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install ${missing[*]}"
        SUDO=(sudo)
    fi
    apt_log="$(mktemp)"
    TMP_FILES+=("$apt_log")
    if ! { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update \
            && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q install -y \
                --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        die "apt-get failed (output above)"
    fi
fi

# Python and .venv -------------------------------------------------------------------------------
[[ -n "$PY" ]] || PY="$(find_python)"
[[ -n "$PY" ]] || die "no python3 found, even after installing it"
require_new_python "$PY"

if venv_usable; then
    say "virtualenv: .venv kept (Python $(python_version "$VENV/bin/python"))"
else
    rm -rf "$VENV"
    "$PY" -m venv "$VENV" \
        || die "'$PY -m venv' failed: install $(venv_package_for "$PY") and re-run"
    say "virtualenv: .venv created with $PY (Python $(python_version "$VENV/bin/python"))"
fi
# Keep the virtualenv out of git without a repository-wide ignore rule.
[[ -f "$VENV/.gitignore" ]] || printf '*\n' >"$VENV/.gitignore"

# Python packages --------------------------------------------------------------------------------
# The stamp records what the last successful install was made from; source files need no
# re-install (the install is editable), pyproject.toml changes do.
want_stamp="$(sha256sum pyproject.toml | cut -d' ' -f1) $(python_version "$VENV/bin/python")"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]] \
        && "$VENV/bin/python" -c 'import journal_desktop' >/dev/null 2>&1; then
    say "Python packages: up to date"
else
    say "Python packages: pip install -e '.[dev]'"
    pip_log="$(mktemp)"
    TMP_FILES+=("$pip_log")
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
            "$VENV/bin/python" -m pip install -q -e '.[dev]' >"$pip_log" 2>&1; then
        cat "$pip_log" >&2
        die "pip install failed (output above)"
    fi
    printf '%s\n' "$want_stamp" >"$STAMP"
fi

say "done: run the app with .venv/bin/journal-desktop, the tests with bash scripts/test.sh"
