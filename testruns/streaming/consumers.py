"""The two stream endpoints as raw ASGI applications (routed in front of Django by `routing.py`).

`GET /api/v1/stream/runs/{run_id}` streams an existing run (EventSource-friendly).
`POST /api/v1/stream/test` starts a run exactly as `POST /api/v1/test/run` does, then streams it.

Everything that can be refused is refused before the stream starts, as a JSON error in the API's one
error shape; once the 200 is sent, the response is events only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

from argus.errors import ArgusError, BadRequest, RateLimited, error_body
from organizations.models import Organization
from projects.models import Project
from testruns.streaming import auth, sse
from testruns.streaming.limits import RequestCounter, hold_stream_slot
from testruns.streaming.stream import EventStream, Receive, Send, nothing_more

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
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_EVENT_ID:
        raise BadRequest(f"Last-Event-ID must be an event id (a non-negative integer), got {raw[:40]!r}")
    return int(raw)


MAX_EVENT_ID = 2**63 - 1  # the largest value the event table's seq column holds


class PayloadTooLarge(ArgusError):
    status_code = 413
    code = "payload_too_large"
    default_detail = "Request body too large"


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body (at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes, as Django allows), or None if
    the client left before sending it."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise PayloadTooLarge(f"Request body too large: at most {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class RunStreamConsumer:
    """`GET /api/v1/stream/runs/{run_id}`: stored events after Last-Event-ID, then live until the run ends."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":
            await send_method_not_allowed(send, scope["method"], "GET")
            return
        run_id = scope["url_route"]["kwargs"]["run_id"]
        counter = RequestCounter(scope)
        # One thread per stream for its database reads, so a slow query stalls only its own stream.
        async with ThreadSensitiveContext(), contextlib.AsyncExitStack() as held:
            held.push_async_callback(close_connections)
            try:
                try:
                    after_seq = last_event_id(scope)
                    caller = await database_sync_to_async(auth.authenticate)(auth.credentials_from_scope(scope))
                except ArgusError:
                    await database_sync_to_async(counter.count)(None)  # a refused request counts too
                    raise
                await database_sync_to_async(counter.count)(caller)
                run, organization = await database_sync_to_async(auth.run_for_caller)(caller, run_id)
                if await database_sync_to_async(nothing_more)(run=run, after_seq=after_seq):
                    # EventSource reconnects whenever a response ends; 204 is the one answer that stops it.
                    await send({"type": "http.response.start", "status": 204, "headers": counter.headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
                await held.enter_async_context(hold_stream_slot(organization))
            except ArgusError as exc:
                await send_error(send, exc, counter.headers)
                return
            stream = EventStream(
                run_id=run.id,
                after_seq=after_seq,
                send=send,
                receive=receive,
                headers=[*sse.STREAM_HEADERS, *counter.headers],
            )
            await stream.run()


class StartStreamConsumer:
    """`POST /api/v1/stream/test`: start a run exactly as `POST /api/v1/test/run` does, then stream it.

    The start goes through Django to that endpoint's own view, so validation, roles, scopes, plan
    limits and the test_execution rate limit are the same code, and any refusal is that endpoint's
    response, relayed as is. Only the stream slot is taken here, before the run starts, so a client
    refused for too many open streams has not started a run it cannot watch.
    """

    def __init__(self, *, django_app: ASGIApp) -> None:
        self.django_app = django_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await send_method_not_allowed(send, scope["method"], "POST")
            return
        try:
            body = await read_body(receive)
        except PayloadTooLarge as exc:
            await send_error(send, exc)
            return
        if body is None:
            return
        async with ThreadSensitiveContext(), contextlib.AsyncExitStack() as held:
            held.push_async_callback(close_connections)
            try:
                credentials = auth.credentials_from_scope(scope)
            except ArgusError:
                credentials = auth.Credentials()  # malformed: the start endpoint gives its own 401
            organization = await database_sync_to_async(organization_to_stream_in)(credentials, body)
            if organization is not None:
                try:
                    await held.enter_async_context(hold_stream_slot(organization))
                except ArgusError as exc:
                    await send_error(send, exc)
                    return
            started = await call_django(
                self.django_app, scope, path=START_RUN_PATH, body=body, headers=start_headers(scope, credentials, body)
            )
            if started.status != 202:
                await started.relay(send)
                return
            try:
                caller = await database_sync_to_async(auth.authenticate)(credentials)
                run, run_organization = await database_sync_to_async(auth.run_for_caller)(
                    caller, started.json()["run_id"], need=auth.WATCH_STARTED_RUN
                )
                if organization is None:  # the project was not visible a moment ago; hold a slot now
                    await held.enter_async_context(hold_stream_slot(run_organization))
            except ArgusError as exc:
                await send_error(send, exc, started.rate_limit_headers())
                return
            stream = EventStream(
                run_id=run.id,
                after_seq=0,
                send=send,
                receive=receive,
                headers=[*sse.STREAM_HEADERS, *started.rate_limit_headers()],
            )
            await stream.run()


START_RUN_PATH = "/api/v1/test/run"


def organization_to_stream_in(credentials: auth.Credentials, body: bytes) -> Organization | None:
    """The organization whose stream slot a start request takes: the body's project's, when the caller
    can see it. None on anything wrong, which the start endpoint then reports in its own words."""
    try:
        caller = auth.authenticate(credentials)
        project_id = json.loads(body or b"null").get("project_id")
        organization_id = Project.objects.filter(id=UUID(str(project_id))).values_list("organization_id", flat=True)
        found = organization_id.first()
        if found is None:
            return None
        return auth.organization_access_for(caller, found, need=auth.READ_RUN).organization
    except (ArgusError, ValueError, TypeError, AttributeError):
        return None


def start_headers(scope: Scope, credentials: auth.Credentials, body: bytes) -> list[tuple[bytes, bytes]]:
    """The client's headers for the start endpoint: JSON in and out, the length of the body as read
    (Django reads no more than Content-Length), and a query-string credential moved into the header the
    REST API reads."""
    replaced = (b"accept", b"content-type", b"content-length", b"transfer-encoding")
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in replaced]
    headers += [
        (b"accept", b"application/json"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    names = {k.lower() for k, _ in headers}
    if b"x-api-key" not in names and b"authorization" not in names:
        if credentials.api_key:
            headers.append((b"x-api-key", credentials.api_key.encode("latin-1")))
        elif credentials.token:
            headers.append((b"authorization", f"Bearer {credentials.token}".encode("latin-1")))
    return headers


@dataclass
class InnerResponse:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)

    def rate_limit_headers(self) -> list[tuple[bytes, bytes]]:
        return [(k, v) for k, v in self.headers if k.lower().startswith(b"x-ratelimit-")]

    async def relay(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


async def call_django(
    django_app: ASGIApp, scope: Scope, *, path: str, body: bytes, headers: list[tuple[bytes, bytes]]
) -> InnerResponse:
    """One request through the Django ASGI app (middleware, authentication, throttles, view), in process."""
    inner_scope = {k: v for k, v in scope.items() if k not in ("url_route", "path_remaining")}
    inner_scope.update(path=path, raw_path=path.encode(), query_string=b"", headers=headers)
    response = InnerResponse()
    answered = asyncio.Event()
    body_sent = False

    async def inner_receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # Django watches for the client leaving while the view runs; nobody leaves an in-process call.
        await answered.wait()
        return {"type": "http.disconnect"}

    chunks: list[bytes] = []

    async def inner_send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            response.status = message["status"]
            response.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                answered.set()

    try:
        await django_app(inner_scope, inner_receive, inner_send)
    finally:
        answered.set()
    response.body = b"".join(chunks)
    return response


async def close_connections() -> None:
    """The stream's thread goes away with its context: close its database connection rather than leak it."""
    await database_sync_to_async(connections.close_all)()
