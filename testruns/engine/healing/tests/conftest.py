"""A real Chromium and a tiny HTTP server on 127.0.0.1, shared by the healing package's browser tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-gpu",
]


def chromium_path() -> str:
    for path in (os.environ.get("ARGUS_CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if path and Path(path).exists():
            return path
    raise RuntimeError("no Chromium found: set ARGUS_CHROMIUM_PATH")


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


@pytest.fixture(scope="session")
def healing_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
