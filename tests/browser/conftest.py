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


def wait_until(page: Any, check: Callable[[], bool], *, timeout_ms: int = 30_000, what: str = "") -> None:
    """Poll ``check`` from Python until it holds. Playwright's ``wait_for_function`` evaluates its predicate
    with ``eval`` inside the page, which the site's Content-Security-Policy (no 'unsafe-eval') forbids;
    locator queries run in Playwright's own isolated world and are allowed."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_ms} ms waiting for {what or check}")
        page.wait_for_timeout(100)
