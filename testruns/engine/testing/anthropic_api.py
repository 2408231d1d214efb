"""A local HTTP server that speaks the part of Anthropic's Messages API the AI tie-break uses.

Tests point the real `anthropic` client at it (base_url), so everything from the SDK's request to its
parsing of the response is exercised; only Anthropic's servers are replaced. It records every request
and answers with the text a test sets (or an API error), reporting token usage the way the API does.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class AnthropicStub:
    """`reply` is the assistant's text, or a callable from the request body to it; `error` (status, type)
    makes every call fail the way the API fails."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.reply: str | Callable[[dict[str, Any]], str] = "none"
        self.error: tuple[int, str] | None = None
        self.requests: list[dict[str, Any]] = []  # {"path", "headers", "body"}
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @staticmethod
    def usage_for(body: dict[str, Any], text: str) -> dict[str, int]:
        """Deterministic token counts (about four characters a token, as a rough tokenizer would give)."""
        prompt = (body.get("system") or "") + "".join(
            m["content"] if isinstance(m.get("content"), str) else json.dumps(m.get("content"))
            for m in body.get("messages", [])
        )
        return {"input_tokens": max(1, len(prompt) // 4), "output_tokens": max(1, len(text) // 4)}

    def start(self) -> AnthropicStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if self.path != "/v1/messages":
                    return self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": "no"}})
                # The SDK sends the key as x-api-key or as a bearer token, depending on its version.
                if not (self.headers.get("x-api-key") or self.headers.get("authorization")):
                    return self._send(
                        401, {"type": "error", "error": {"type": "authentication_error", "message": "no key"}}
                    )
                if stub.error is not None:
                    status, kind = stub.error
                    return self._send(status, {"type": "error", "error": {"type": kind, "message": kind}})
                text = stub.reply(body) if callable(stub.reply) else stub.reply
                self._send(
                    200,
                    {
                        "id": f"msg_{secrets.token_hex(12)}",
                        "type": "message",
                        "role": "assistant",
                        "model": body.get("model", ""),
                        "content": [{"type": "text", "text": text}],
                        "stop_reason": "end_turn",
                        "stop_sequence": None,
                        "usage": stub.usage_for(body, text),
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("request-id", f"req_{secrets.token_hex(8)}")
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, name=f"anthropic-stub-{self.port}", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
