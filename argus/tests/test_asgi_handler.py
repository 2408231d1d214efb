"""Requests reuse threads, and with them Django's per-thread database connections."""

import asyncio
import json

import pytest
from django.db import connection
from django.test import override_settings

from argus.asgi_handler import ReusedThreadASGIHandler

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _get(app: ReusedThreadASGIHandler, *, hold: asyncio.Event | None = None) -> dict:
    sent: list[dict] = []
    request_read = False
    finished = asyncio.Event()

    async def receive() -> dict:
        nonlocal request_read
        if not request_read:
            request_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and hold is not None:
            await hold.wait()  # keeps this request (and its thread) busy until released

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/where",
        "raw_path": b"/where",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    finished.set()
    assert sent[0]["status"] == 200
    return json.loads(sent[1]["body"])


@override_settings(ROOT_URLCONF="argus.tests.asgi_handler_urls")
def test_sequential_requests_share_a_thread_and_its_connection():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # persistent connections, as in argus.settings
    app = ReusedThreadASGIHandler(threads=2)

    async def scenario() -> list[dict]:
        return [await _get(app) for _ in range(3)]

    try:
        first, second, third = asyncio.run(scenario())
        created = app.threads_created
    finally:
        app.close()  # closes the pooled thread's connection (PostgreSQL drops the test database after)
    assert first["thread"] == second["thread"] == third["thread"]
    assert first["connection"] == second["connection"] == third["connection"]
    assert created == 1


@override_settings(ROOT_URLCONF="argus.tests.asgi_handler_urls")
def test_concurrent_requests_get_their_own_threads_and_overflow_past_the_pool():
    app = ReusedThreadASGIHandler(threads=1)

    async def scenario() -> tuple[dict, dict, dict]:
        hold = asyncio.Event()
        busy = asyncio.create_task(_get(app, hold=hold))
        await asyncio.sleep(0.2)  # the first request now holds the only pooled thread
        extra = await _get(app)  # served at once on a thread of its own, not queued behind it
        hold.set()
        pooled = await busy
        return pooled, extra, await _get(app)

    try:
        pooled, extra, later = asyncio.run(scenario())
        created = app.threads_created
    finally:
        app.close()
    assert extra["thread"] != pooled["thread"]
    assert later["thread"] == pooled["thread"]
    assert created == 1
