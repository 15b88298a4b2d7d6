"""The browser the stories run in: Debian's Chromium, headless, no `playwright install` (no download)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def launch_chromium() -> Callable[[Any], Any]:
    """``launch_chromium(playwright)`` → a Playwright browser on Debian's Chromium (./install.sh installs it)."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run ./install.sh"

    def launch(playwright: Any) -> Any:
        return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

    return launch
