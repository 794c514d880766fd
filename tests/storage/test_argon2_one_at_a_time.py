"""Two threads deriving a passphrase key at once must both finish.

cryptography's Argon2id hangs for good when two threads derive with several lanes at the same
time (see `journal_desktop.argon2`). The check runs in a child process with a time limit, so
a regression fails this test instead of hanging the whole run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CONCURRENT_DERIVATIONS = textwrap.dedent(
    """
    import threading
    from journal_desktop.storage.key_wrapping import Argon2Parameters, derive_key

    params = Argon2Parameters()
    results = {}

    def work(n):
        results[n] = derive_key(f"passphrase {n}", bytes([n]) * 16, params)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a derivation never finished"
    assert len(set(results.values())) == 3
    assert results[1] == derive_key("passphrase 1", bytes([1]) * 16, params)
    print("three derivations finished")
    """
)


def test_concurrent_passphrase_derivations_all_finish() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_DERIVATIONS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "three derivations finished" in done.stdout
