"""One warm Chromium per host, on a thread of the host's own; a fresh context per attempt.

Launching Chromium costs ~0.5 s; a new context costs milliseconds and shares nothing (cookies, storage,
cache) with the previous one, so a test attempt is isolated without paying for a browser each time.

Sync Playwright is bound to the thread that started it and refuses to start in a thread where another
Playwright (or any asyncio loop) already runs. So every Playwright call of a host happens on the host's
own thread (`host.call(fn)`): the engine works the same when called from a Celery task, from async code,
or from a test session where another Playwright is open.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from .pagejs import ENGINE_NAME, init_script, selector_engine

T = TypeVar("T")

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
    """Owns the Playwright driver and one Chromium (relaunched if it died), all on one thread of its own.

    `browser()`, `new_context()` and the objects they return belong to that thread: use them inside
    `host.call(fn, ...)`, which runs `fn` there (directly when already on it) and returns its result.
    """

    def __init__(self, *, executable_path: str | None = None, args: list[str] | None = None) -> None:
        self._executable_path = executable_path or chromium_path()
        self._args = args or CHROMIUM_ARGS
        self._playwright: Playwright | None = None
        self._browsers: dict[bool, Browser] = {}
        self._init_script = init_script()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argus-browser")
        self._thread = self._executor.submit(threading.current_thread).result()

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run fn on the host's thread and return its result (exceptions propagate)."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        return self._executor.submit(fn, *args, **kwargs).result()

    def browser(self, *, headless: bool = True) -> Browser:
        if threading.current_thread() is not self._thread:
            return self.call(self.browser, headless=headless)
        if not headless and not os.environ.get("DISPLAY"):
            headless = True  # a worker without a display can only run headless; the run still happens
        browser = self._browsers.get(headless)
        if browser is not None and browser.is_connected():
            return browser
        if self._playwright is None:
            self._playwright = sync_playwright().start()
            # Before any context exists: engines apply to the contexts created after them.
            self._playwright.selectors.register(ENGINE_NAME, selector_engine(), content_script=True)
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
        if threading.current_thread() is not self._thread:
            return self.call(self.new_context, viewport=viewport, headless=headless, storage_state=storage_state)
        context = self.browser(headless=headless).new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            storage_state=storage_state,  # type: ignore[arg-type]
            ignore_https_errors=True,
        )
        context.add_init_script(script=self._init_script)
        return context

    def close(self) -> None:
        if self._executor is None:
            return
        self.call(self._close)
        self._executor.shutdown(wait=True)
        self._executor = None  # type: ignore[assignment]

    def _close(self) -> None:
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
    """The calling thread's host: concurrent callers get a browser each (Celery prefork: one per process)."""
    host = getattr(_local, "host", None)
    if host is None:
        host = _local.host = BrowserHost()
    return host
