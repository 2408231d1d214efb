"""Real receivers for notification tests: an SMTP server (aiosmtpd) and HTTP receivers on 127.0.0.1.

Servers live for the session; each test gets them emptied. Celery runs eagerly in these tests, and
`on_commit` callbacks are executed by `django_capture_on_commit_callbacks(execute=True)` where a test
needs the enqueue that a commit triggers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from argus.celery import app as celery_app
from tests.conftest import api, as_owner, org, owner  # noqa: F401 (the project's shared fixtures)


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return part.get_payload(decode=True).decode()
        raise KeyError(content_type)


class MailHandler:
    """Accepts mail; refuses recipients whose local part starts with `refused` (550) or `busy` (451)."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 No such user here"
        if address.startswith("busy"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.original_content))
            )
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def _smtp_controller():
    handler = MailHandler()
    # aiosmtpd connects to its own port once started, so it needs a real one, not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller, settings) -> MailHandler:
    """A real SMTP server Django's SMTP backend delivers to."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _smtp_controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    handler: MailHandler = _smtp_controller.handler
    handler.messages.clear()
    return handler


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HTTPReceiver:
    """Records every request; answers from a per-path script of (status, headers, body), else 200 ok."""

    host: str
    port: int
    requests: list[ReceivedRequest] = field(default_factory=list)
    script: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def respond(self, path: str, *responses: tuple[int, dict[str, str], bytes]) -> None:
        self.script[path].extend(responses)

    def reset(self) -> None:
        self.requests.clear()
        self.script.clear()


def _start_receiver(host: str) -> tuple[HTTPReceiver, ThreadingHTTPServer]:
    receiver = HTTPReceiver(host=host, port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(ReceivedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            queue = receiver.script.get(self.path)
            status, headers, payload = queue.popleft() if queue else (200, {}, b"ok")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


@pytest.fixture(scope="session")
def _receivers():
    started = [_start_receiver("127.0.0.1"), _start_receiver("127.0.0.2")]
    yield [receiver for receiver, _ in started]
    for _, server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(_receivers) -> HTTPReceiver:
    """An HTTP receiver on 127.0.0.1 (webhooks, Slack)."""
    _receivers[0].reset()
    return _receivers[0]


@pytest.fixture
def internal_receiver(_receivers) -> HTTPReceiver:
    """A second receiver on 127.0.0.2: the 'internal service' SSRF tests must never reach."""
    _receivers[1].reset()
    return _receivers[1]


@pytest.fixture
def allow_private(settings):
    settings.ARGUS_NOTIFICATIONS_ALLOW_PRIVATE_ADDRESSES = True
    settings.ARGUS_NOTIFICATIONS_ALLOWED_NETWORKS = []


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
