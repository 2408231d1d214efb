"""The two stream endpoints as raw ASGI applications (routed in front of Django by `routing.py`).

`GET /api/v1/stream/runs/{run_id}` streams an existing run (EventSource-friendly).
`POST /api/v1/stream/test` starts a run exactly as `POST /api/v1/test/run` does, then streams it.

Everything that can be refused is refused before the stream starts, as a JSON error in the API's one
error shape; once the 200 is sent, the response is events only.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from django.db import connections

from argus.errors import ArgusError, BadRequest, RateLimited, error_body
from testruns.streaming import auth, sse
from testruns.streaming.stream import EventStream, Receive, Send

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
ASGIApp = Any

JSON_HEADERS = [(b"content-type", b"application/json")]


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    all_headers = [*JSON_HEADERS, (b"content-length", str(len(payload)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": payload})


async def send_error(send: Send, exc: ArgusError, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    extra = list(headers or [])
    if isinstance(exc, RateLimited):
        extra.append((b"retry-after", str(exc.retry_after).encode()))
    body = error_body(exc.status_code, exc.detail, code=exc.code, errors=exc.errors)
    await send_json(send, exc.status_code, body, extra)


async def send_method_not_allowed(send: Send, method: str, allowed: str) -> None:
    body = error_body(405, f'Method "{method}" not allowed.', code="method_not_allowed")
    await send_json(send, 405, body, [(b"allow", allowed.encode())])


def last_event_id(scope: Scope) -> int:
    """Where to resume: the `Last-Event-ID` header (EventSource sends it on reconnect) or
    `?last_event_id=` for clients that cannot set headers. Event ids are the run's event seqs."""
    raw = auth.header(scope, b"last-event-id")
    if raw is None or not raw.strip():
        raw = auth.query_params(scope).get("last_event_id", "")
    raw = raw.strip()
    if not raw:
        return 0
    if not raw.isdigit():
        raise BadRequest(f"Last-Event-ID must be an event id (a non-negative integer), got {raw!r}")
    return int(raw)


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client left before sending it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class RunStreamConsumer:
    """`GET /api/v1/stream/runs/{run_id}`: stored events after Last-Event-ID, then live until the run ends."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":
            await send_method_not_allowed(send, scope["method"], "GET")
            return
        run_id = scope["url_route"]["kwargs"]["run_id"]
        # One thread per stream for its database reads, so a slow query stalls only its own stream.
        async with ThreadSensitiveContext():
            try:
                try:
                    after_seq = last_event_id(scope)
                    credentials = auth.credentials_from_scope(scope)
                    caller = await database_sync_to_async(auth.authenticate)(credentials)
                    run = await database_sync_to_async(auth.run_for_caller)(caller, run_id)
                except ArgusError as exc:
                    await send_error(send, exc)
                    return
                stream = EventStream(
                    run_id=run.id, after_seq=after_seq, send=send, receive=receive, headers=sse.STREAM_HEADERS
                )
                await stream.run()
            finally:
                # The stream's thread goes away with its context: close its connection rather than leak it.
                await database_sync_to_async(connections.close_all)()
