"""One warm Chromium per process (per thread, as sync Playwright is thread-bound); a fresh context per attempt.

Launching Chromium costs ~0.5 s; a new context costs milliseconds and shares nothing (cookies, storage,
cache) with the previous one, so a test attempt is isolated without paying for a browser each time.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from .pagejs import init_script

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
_FALLBACK_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")


def chromium_path() -> str | None:
    """ARGUS_CHROMIUM_PATH, else the Debian package's binary; None lets Playwright use its own download."""
    configured = os.environ.get("ARGUS_CHROMIUM_PATH")
    if configured:
        return configured
    for candidate in _FALLBACK_PATHS:
        if Path(candidate).exists():
            return candidate
    return None


class BrowserHost:
    """Owns the Playwright driver and one Chromium, relaunching it if it died."""

    def __init__(self, *, executable_path: str | None = None, args: list[str] | None = None) -> None:
        self._executable_path = executable_path or chromium_path()
        self._args = args or CHROMIUM_ARGS
        self._playwright: Playwright | None = None
        self._browsers: dict[bool, Browser] = {}
        self._init_script = init_script()

    def browser(self, *, headless: bool = True) -> Browser:
        if not headless and not os.environ.get("DISPLAY"):
            headless = True  # a worker without a display can only run headless; the run still happens
        browser = self._browsers.get(headless)
        if browser is not None and browser.is_connected():
            return browser
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        browser = self._playwright.chromium.launch(
            headless=headless, executable_path=self._executable_path, args=self._args
        )
        self._browsers[headless] = browser
        return browser

    def new_context(
        self,
        *,
        viewport: tuple[int, int] = (1280, 720),
        headless: bool = True,
        storage_state: dict[str, Any] | None = None,
    ) -> BrowserContext:
        context = self.browser(headless=headless).new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            storage_state=storage_state,  # type: ignore[arg-type]
            ignore_https_errors=True,
        )
        context.add_init_script(script=self._init_script)
        return context

    def close(self) -> None:
        for browser in self._browsers.values():
            # Closing a browser that already died must not mask the caller's outcome.
            with contextlib.suppress(Exception):
                browser.close()
        self._browsers.clear()
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


_local = threading.local()


def get_browser_host() -> BrowserHost:
    """The calling thread's host (Celery prefork workers run one per process)."""
    host = getattr(_local, "host", None)
    if host is None:
        host = _local.host = BrowserHost()
    return host
