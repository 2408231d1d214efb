"""A real Chromium and a tiny HTTP server on 127.0.0.1, shared by the healing package's browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from testruns.engine.browser import CHROMIUM_ARGS, chromium_path


class _Pages:
    """Path -> HTML, editable by a test between two loads (the app 'changes')."""

    def __init__(self) -> None:
        self.html: dict[str, str] = {}


@pytest.fixture(scope="session")
def healing_site() -> Iterator[tuple[str, _Pages]]:
    pages = _Pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.html.get(self.path)
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


# Package scope, not session: a sync Playwright marks an asyncio loop as running in this thread while it
# is open, and later tests in the session (asyncio.run, channels_redis) must not find one there.
@pytest.fixture(scope="package")
def healing_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
