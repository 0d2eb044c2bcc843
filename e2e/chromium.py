"""Which Chromium the browser tests use, or why there is none.

    python e2e/chromium.py     # prints the browser's path (exit 0), or why there is none (exit 1)

The browser is the system's: ``$SEQLAB_CHROMIUM`` when set, else the first of ``BROWSER_NAMES``
on PATH (Debian's ``chromium`` package installs ``/usr/bin/chromium``). Playwright drives it; the
tests never download a browser. ``make browser`` runs this file to decide whether to install one.
"""

import os
import shutil
import sys
from pathlib import Path

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


def find_browser() -> tuple[str | None, str]:
    """(path of a Chromium-family browser, "") or (None, why there is none)."""
    chosen = os.environ.get("SEQLAB_CHROMIUM")
    if chosen:
        if Path(chosen).is_file() and os.access(chosen, os.X_OK):
            return chosen, ""
        return None, f"SEQLAB_CHROMIUM={chosen} is not an executable file"
    found = next(filter(None, map(shutil.which, BROWSER_NAMES)), None)
    if found:
        return found, ""
    return None, f"no Chromium on PATH (looked for {', '.join(BROWSER_NAMES)})"


if __name__ == "__main__":
    path, reason = find_browser()
    print(path or reason)
    sys.exit(0 if path else 1)
