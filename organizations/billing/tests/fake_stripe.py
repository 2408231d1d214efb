"""A local HTTP server speaking the part of Stripe's API that Argus calls.

The real `stripe` library talks to it through STRIPE_API_BASE, so requests are encoded, sent, parsed
and errors raised exactly as against Stripe; only Stripe's side is small. It checks the secret key,
replays Idempotency-Key requests like Stripe does, and records what it was sent.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

SECRET_KEY = "sk_test_argus_fake"


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


@dataclass
class FakeStripeState:
    requests: list[Recorded] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    # (status, Stripe error body) returned once by the next request, to test how failures surface.
    fail_next: tuple[int, dict[str, Any]] | None = None

    def reset(self) -> None:
        self.requests.clear()
        self.subscriptions.clear()
        self.idempotent.clear()
        self.fail_next = None

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]


_ids = itertools.count(1)


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **({"code": code} if code else {})}}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_fake_{next(_ids)}")
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        params = dict(parse_qsl(raw or query, keep_blank_values=True))
        key = self.headers.get("Idempotency-Key")
        state.requests.append(Recorded(self.command, path, params, key))

        if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            return self._send(401, _error("invalid_request_error", "Invalid API Key provided"))
        if state.fail_next is not None:
            status, body = state.fail_next
            state.fail_next = None
            return self._send(status, body)
        if key and key in state.idempotent:
            return self._send(*state.idempotent[key])
        status, body = self._route(self.command, path, params)
        if key and self.command == "POST":
            state.idempotent[key] = (status, body)
        return self._send(status, body)

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        n = next(_ids)
        if method == "POST" and path == "/v1/customers":
            return 200, {
                "id": f"cus_fake{n}",
                "object": "customer",
                "name": params.get("name"),
                "metadata": {"organization_id": params.get("metadata[organization_id]")},
            }
        if method == "POST" and path == "/v1/checkout/sessions":
            required = ("customer", "line_items[0][price]", "success_url", "cancel_url")
            missing = [p for p in required if not params.get(p)]
            if missing:
                message = f"Missing required param: {missing[0]}"
                return 400, _error("invalid_request_error", message, "parameter_missing")
            return 200, {
                "id": f"cs_test_fake{n}",
                "object": "checkout.session",
                "mode": params.get("mode"),
                "customer": params["customer"],
                "url": f"https://checkout.stripe.test/c/pay/cs_test_fake{n}",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": f"bps_fake{n}",
                "object": "billing_portal.session",
                "customer": params.get("customer"),
                "return_url": params.get("return_url"),
                "url": f"https://billing.stripe.test/p/session/{n}",
            }
        if method == "GET" and path.startswith("/v1/subscriptions/"):
            subscription = self.server.state.subscriptions.get(path.rsplit("/", 1)[1])
            if subscription is None:
                return 404, _error("invalid_request_error", "No such subscription", "resource_missing")
            return 200, subscription
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            subscription = self.server.state.subscriptions.get(path.rsplit("/", 1)[1])
            if subscription is None:
                return 404, _error("invalid_request_error", "No such subscription", "resource_missing")
            subscription["status"] = "canceled"
            return 200, subscription
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path})")

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FakeStripeState


class FakeStripe:
    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = FakeStripeState()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def state(self) -> FakeStripeState:
        return self._server.state

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
