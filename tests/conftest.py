"""Root conftest: run Qt without a display unless a test run asks for one.

pytest-qt has no offscreen default, and Qt aborts when it finds no display. Set
JOURNAL_DESKTOP_TEST_DISPLAY=1 to keep the platform of the environment (for example under
xvfb-run, or on a desktop to watch the widgets).
"""

import os

if not os.environ.get("JOURNAL_DESKTOP_TEST_DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
