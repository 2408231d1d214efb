"""A tiny stdlib HTTP server for the demo app and for test pages (no dependencies, threads, loopback)."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

DEMO_APP_DIR = Path(__file__).with_name("demo_app")
DEMO_USERS = {"alice@example.com": {"password": "secret", "name": "Alice"}}
DEMO_ORDERS = [
    {"id": "A-1001", "product": "Blue mug", "status": "Shipped"},
    {"id": "A-1002", "product": "Red scarf", "status": "Processing"},
    {"id": "A-1003", "product": "Green lamp", "status": "Delivered"},
]
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class StaticAppServer:
    """Serves files from `root` plus extra `pages` ({path: html}) on host:port (port 0 picks a free one)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, root: Path | None = None, pages: dict[str, str] | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.root = root
        self.pages = dict(pages or {})
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> StaticAppServer:
        handler = type("Handler", (_Handler,), {"app": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"app-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> StaticAppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle_api(self, handler: _Handler, method: str, path: str, query: dict[str, list[str]], body: Any) -> bool:
        """Override to serve dynamic routes; return True when handled."""
        if path == "/api/slow":
            # Answers after ?ms= milliseconds: for slow-server and cancellation tests.
            time.sleep(min(int(query.get("ms", ["1000"])[0]), 30_000) / 1000)
            handler.send_json({"ok": True})
            return True
        return False


class DemoAppServer(StaticAppServer):
    """The demo web app: login (HttpOnly cookie + local storage), orders, todos, contact form, slow report."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port, root=DEMO_APP_DIR)
        self.sessions: dict[str, str] = {}
        self.messages: list[dict[str, Any]] = []
        self.orders_delay_s = 0.0  # a slow orders API, for the race between loading and typing a filter

    def handle_api(self, handler: _Handler, method: str, path: str, query: dict[str, list[str]], body: Any) -> bool:
        if path == "/api/login" and method == "POST":
            user = DEMO_USERS.get(str((body or {}).get("email", "")).lower())
            if user is None or user["password"] != (body or {}).get("password"):
                handler.send_json({"detail": "Invalid email or password"}, status=401)
                return True
            token = secrets.token_urlsafe(16)
            self.sessions[token] = user["name"]
            handler.send_json(
                {"name": user["name"]}, headers={"Set-Cookie": f"demo_session={token}; HttpOnly; Path=/; SameSite=Lax"}
            )
            return True
        if path == "/api/logout" and method == "POST":
            self.sessions.pop(handler.cookie("demo_session") or "", None)
            handler.send_json({"ok": True}, headers={"Set-Cookie": "demo_session=; Max-Age=0; Path=/"})
            return True
        if path == "/api/me":
            name = self.sessions.get(handler.cookie("demo_session") or "")
            if name is None:
                handler.send_json({"detail": "Not signed in"}, status=401)
            else:
                handler.send_json({"name": name})
            return True
        if path == "/api/orders":
            if self.sessions.get(handler.cookie("demo_session") or "") is None:
                handler.send_json({"detail": "Not signed in"}, status=401)
            else:
                time.sleep(self.orders_delay_s)
                handler.send_json(DEMO_ORDERS)
            return True
        if path == "/api/contact" and method == "POST":
            self.messages.append(body or {})
            handler.send_json({"name": (body or {}).get("name", ""), "attachment": (body or {}).get("attachment")})
            return True
        if path == "/api/report":
            time.sleep(min(int(query.get("delay", ["2500"])[0]), 30_000) / 1000)
            handler.send_json(["Revenue: 1,204 EUR", "Orders: 3", "Returns: 0"])
            return True
        return super().handle_api(handler, method, path, query, body)


class _Handler(BaseHTTPRequestHandler):
    app: StaticAppServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def cookie(self, name: str) -> str | None:
        jar = SimpleCookie(self.headers.get("Cookie", ""))
        return jar[name].value if name in jar else None

    def send_json(self, data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", headers)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self, method: str) -> None:
        parsed = urlparse(self.path)
        body: Any = None
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        try:
            if self.app.handle_api(self, method, parsed.path, parse_qs(parsed.query), body):
                return
        except (BrokenPipeError, ConnectionResetError):
            return
        if method not in {"GET", "HEAD"}:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed", "text/plain")
            return
        path = parsed.path
        if path in self.app.pages:
            self._send(200, self.app.pages[path].encode(), "text/html; charset=utf-8")
            return
        if self.app.root is not None:
            rel = "index.html" if path in {"", "/"} else path.lstrip("/")
            file = (self.app.root / rel).resolve()
            if file.is_relative_to(self.app.root.resolve()) and file.is_file():
                self._send(200, file.read_bytes(), _CONTENT_TYPES.get(file.suffix, "application/octet-stream"))
                return
        self._send(404, b"<h1>Not found</h1>", "text/html")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")
