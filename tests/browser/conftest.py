"""Helpers of the browser stories (the Chromium they run in is ``launch_chromium`` in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
