#!/usr/bin/env bash
# Set up, lint, type-check and run the whole test suite inside a real Secret Service keychain.
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -k boundary -x  # extra arguments go to pytest
#
# Each run gets fresh XDG directories, its own D-Bus session bus and an unlocked gnome-keyring,
# so the tests never see (or touch) the keychain of the person running them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'test: %s\n' "$*"; }

bash scripts/setup.sh

VENV_BIN="$ROOT/.venv/bin"

# Lint and type failures are reported at the end, so one run shows the test results too.
failed=()

say "ruff check ."
"$VENV_BIN/ruff" check --quiet . || failed+=("ruff check . (problems above)")

say "mypy"
"$VENV_BIN/mypy" || failed+=("mypy (problems above)")

TEST_TMP="$(mktemp -d "${TMPDIR:-/tmp}/journal-desktop-test.XXXXXX")"
cleanup() {
    # The keyring daemon is stopped inside the session; retry once in case it was still exiting.
    rm -rf "$TEST_TMP" 2>/dev/null || { sleep 1; rm -rf "$TEST_TMP"; }
}
trap cleanup EXIT
mkdir -p "$TEST_TMP"/{data,config,cache,runtime}
chmod 700 "$TEST_TMP"/runtime

export XDG_DATA_HOME="$TEST_TMP/data"
export XDG_CONFIG_HOME="$TEST_TMP/config"
export XDG_CACHE_HOME="$TEST_TMP/cache"
export XDG_RUNTIME_DIR="$TEST_TMP/runtime"
export QT_QPA_PLATFORM=offscreen
export JOURNAL_DESKTOP_TEST_KEYCHAIN=1
export PATH="$VENV_BIN:$PATH"
export VIRTUAL_ENV="$ROOT/.venv"
# Nothing from the caller's desktop session may steer keyring away from the private keychain.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL PYTHON_KEYRING_BACKEND

# Runs on the private session bus that dbus-run-session starts; "$@" are pytest's arguments.
IFS= read -r -d '' IN_SESSION <<'EOF' || true
say() { printf 'test: %s\n' "$*"; }
die() { printf 'test: FAILED: %s\n' "$*" >&2; exit 1; }

say "keychain: gnome-keyring-daemon (secrets) on a private D-Bus session"
keyring_env="$(printf %s pass | gnome-keyring-daemon --unlock --components=secrets)" \
    || die "gnome-keyring-daemon --unlock failed"
while IFS= read -r line; do  # it may print VAR=value lines for the session
    # shellcheck disable=SC2163  # export "NAME=value" is meant
    if [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then export "$line"; fi
done <<<"$keyring_env"

stop_keyring() {  # end the daemon this session started, found by its bus name
    local pid
    pid="$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets \
        2>/dev/null | awk '/uint32/ {print $2}')" || true
    if [[ -n "$pid" ]]; then
        kill "$pid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
}
trap stop_keyring EXIT

backend="$(python -c 'import keyring; print(keyring.get_keyring())')" \
    || die "could not ask keyring for its backend"
if [[ "$backend" != *SecretService* ]]; then
    die "keyring resolved to '$backend', not the Secret Service: the keychain tests would not" \
        "test a real keychain. Are dbus and gnome-keyring installed (bash scripts/setup.sh)?"
fi
python - <<'PY' || die "a keychain round trip (set, get, delete) through $backend failed"
import keyring

keyring.set_password("journal-desktop-test-probe", "probe", "secret")
assert keyring.get_password("journal-desktop-test-probe", "probe") == "secret"
keyring.delete_password("journal-desktop-test-probe", "probe")
PY
say "keychain: $backend works"

say "pytest${*:+ $*}"
set +e
python -m pytest "$@"
rc=$?
set -e
case "$rc" in
    0) say "pytest passed" ;;
    5) die "pytest collected no tests (exit 5): the suite must run at least one test" ;;
    *) die "pytest exited with $rc" ;;
esac
EOF

# dbus-daemon may warn "Failed to set fd limit" in containers; that is harmless.
dbus-run-session -- bash -euo pipefail -c "$IN_SESSION" in-session "$@" \
    || failed+=("keychain session or pytest (see above)")

if ((${#failed[@]} > 0)); then
    for step in "${failed[@]}"; do
        printf 'test: FAILED: %s\n' "$step" >&2
    done
    exit 1
fi
say "all passed: ruff, mypy, pytest"
