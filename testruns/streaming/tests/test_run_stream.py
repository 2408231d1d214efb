"""GET /api/v1/stream/runs/{run_id} through the real ASGI application (routing, auth, DB, channel layer)."""

from __future__ import annotations

import asyncio
import threading
from unittest import mock
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connections

from testruns.events import append_event, run_group_name
from testruns.models import Run
from testruns.streaming.tests.client import StreamClient
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def path_for(run: Run) -> str:
    return f"/api/v1/stream/runs/{run.id}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def append(run: Run, kind: str, data: dict) -> int:
    """Store an event before any stream listens (so without a push). A push from the test's thread would
    use the channel layer from a second event loop, which a Redis layer refuses; in production pushes
    come from worker processes, each with its own layer."""
    with mock.patch("testruns.events.push_event"):
        return append_event(run_id=run.id, kind=kind, data=data).seq


async def a_append(run: Run, kind: str, data: dict) -> int:
    """Store an event while streams listen, pushing it on the streams' own event loop."""
    return await sync_to_async(lambda: append_event(run_id=run.id, kind=kind, data=data).seq)()


def finish(run: Run, status: str = Run.Status.PASSED) -> None:
    Run.objects.filter(id=run.id).update(status=status)


def test_replays_stored_events_in_order_then_closes_after_complete(run, owner_token, fast_streams):
    append(run, "state_update", {"status": "running", "current_test": "login_test"})
    append(run, "log", {"level": "info", "message": "Navigating to login page"})
    append(run, "screenshot", {"base64": "iVBORw0KGgo=", "step": 1})
    append(run, "complete", {"passed": 1, "failed": 0, "duration_seconds": 2})
    finish(run)

    async def scenario():
        client = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        assert client.status == 200
        assert client.response_headers["content-type"] == "text/event-stream"
        assert client.response_headers["cache-control"].startswith("no-cache")
        assert client.response_headers["x-accel-buffering"] == "no"
        events = await client.rest()
        await client.wait_closed()
        return events

    events = async_to_sync(scenario)()
    assert [(e.id, e.event) for e in events] == [(1, "state_update"), (2, "log"), (3, "screenshot"), (4, "complete")]
    assert events[0].data == {"status": "running", "current_test": "login_test"}
    assert events[3].data == {"passed": 1, "failed": 0, "duration_seconds": 2}


@pytest.mark.parametrize("how", ["bearer_header", "api_key_header", "token_query", "api_key_query"])
def test_every_credential_source_the_browser_can_use(how, run, org, owner, owner_token, fast_streams):
    _, raw_key = factories.make_api_key(org, owner, scopes=["read"])
    headers, query = {}, ""
    if how == "bearer_header":
        headers = bearer(owner_token)
    elif how == "api_key_header":
        headers = {"X-API-Key": raw_key}
    elif how == "token_query":
        query = f"token={owner_token}"
    else:
        query = f"api_key={raw_key}"
    append(run, "complete", {"passed": 0, "failed": 0, "duration_seconds": 0})
    finish(run)

    async def scenario():
        client = await StreamClient(path_for(run), query=query, headers=headers).open()
        return client.status, await client.rest()

    status, events = async_to_sync(scenario)()
    assert status == 200
    assert [e.event for e in events] == ["complete"]


@pytest.mark.parametrize(
    ("headers", "query", "detail"),
    [
        ({}, "", "credentials were not provided"),
        ({"Authorization": "Bearer not-a-jwt"}, "", ""),
        ({}, "token=not-a-jwt", ""),
        ({}, "api_key=argus_sk_wrong", "Invalid, expired or revoked API key"),
        ({"Authorization": "Bearer a b"}, "", "expected 'Bearer <token>'"),
    ],
)
def test_missing_or_bad_credentials_are_a_401_in_the_error_shape(run, headers, query, detail):
    async def scenario():
        client = await StreamClient(path_for(run), query=query, headers=headers).open()
        return client.status, client.response_headers, await client.json()

    status, response_headers, body = async_to_sync(scenario)()
    assert status == 401
    assert response_headers["content-type"] == "application/json"
    assert body["status_code"] == 401
    assert detail in body["detail"]
    assert set(body) <= {"detail", "status_code", "code"}


def test_a_run_of_another_organization_is_a_404_like_a_missing_one(run, fast_streams):
    stranger = factories.make_profile("stranger@example.com")
    factories.make_org(stranger, name="Other Corp")
    token = factories.bearer(stranger)["HTTP_AUTHORIZATION"].split()[1]
    missing = "00000000-0000-4000-8000-000000000000"

    async def scenario(path):
        client = await StreamClient(path, headers=bearer(token)).open()
        return client.status, await client.json()

    expected = {"detail": "Run not found", "status_code": 404, "code": "not_found"}
    assert async_to_sync(scenario)(path_for(run)) == (404, expected)
    assert async_to_sync(scenario)(f"/api/v1/stream/runs/{missing}")[0] == 404


def test_an_api_key_of_another_organization_and_one_without_read_scope_are_refused(run, org, owner):
    other_org = factories.make_org(factories.make_profile(), name="Keys Corp")
    _, foreign_key = factories.make_api_key(other_org, other_org.memberships.first().profile, scopes=["read"])
    _, write_only = factories.make_api_key(org, owner, scopes=["write"])

    async def scenario(raw):
        client = await StreamClient(path_for(run), headers={"X-API-Key": raw}).open()
        return client.status, await client.json()

    assert async_to_sync(scenario)(foreign_key)[0] == 404
    status, body = async_to_sync(scenario)(write_only)
    assert status == 403
    assert body["code"] == "insufficient_scope"


@pytest.mark.parametrize("source", ["header", "query"])
def test_last_event_id_resumes_without_duplicate_or_gap(source, run, owner_token, fast_streams):
    for i in range(1, 8):
        append(run, "log", {"level": "info", "message": f"line {i}"})
    append(run, "complete", {"passed": 1, "failed": 0, "duration_seconds": 1})
    finish(run)
    headers = bearer(owner_token)
    query = ""
    if source == "header":
        headers["Last-Event-ID"] = "5"
    else:
        query = "last_event_id=5"

    async def scenario():
        client = await StreamClient(path_for(run), query=query, headers=headers).open()
        return await client.rest()

    events = async_to_sync(scenario)()
    assert [e.id for e in events] == [6, 7, 8]
    assert events[0].data["message"] == "line 6"


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "\u00b2", str(2**63)])
def test_a_malformed_last_event_id_is_a_400(value, run, owner_token):
    async def scenario():
        client = StreamClient(path_for(run), query=f"last_event_id={quote(value)}", headers=bearer(owner_token))
        await client.open()
        return client.status, await client.json()

    status, body = async_to_sync(scenario)()
    assert status == 400
    assert "Last-Event-ID" in body["detail"]


def test_live_events_arrive_in_order_after_the_replay(run, owner_token, fast_streams):
    append(run, "state_update", {"status": "running", "current_test": "t1"})

    async def scenario():
        client = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        first = await client.messages(1)
        for i in range(5):
            await a_append(run, "log", {"level": "info", "message": f"live {i}"})
        live = await client.messages(5)
        await a_append(run, "complete", {"passed": 1, "failed": 0, "duration_seconds": 1})
        await sync_to_async(finish)(run)
        tail = await client.rest()
        return first + live + tail

    events = async_to_sync(scenario)()
    assert [e.id for e in events] == list(range(1, 8))
    assert [e.data.get("message") for e in events[1:6]] == [f"live {i}" for i in range(5)]
    assert events[-1].event == "complete"


def test_events_written_by_another_thread_without_any_push_still_arrive_exactly_once(
    run, owner_token, fast_streams, monkeypatch
):
    """Embedded mode: the worker is another process the in-memory layer cannot reach. No push at all;
    the poll alone must deliver everything, in order, once."""
    monkeypatch.setattr("testruns.events.push_event", lambda **kwargs: None)
    total = 60

    def writer():
        try:
            for i in range(total - 1):
                append(run, "log", {"level": "info", "message": str(i)})
            append(run, "complete", {"passed": 1, "failed": 0, "duration_seconds": 1})
            finish(run)
        finally:
            connections.close_all()

    async def scenario():
        client = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        thread = threading.Thread(target=writer)
        thread.start()
        events = await client.rest(timeout=20)
        await asyncio.get_running_loop().run_in_executor(None, thread.join)
        return events

    events = async_to_sync(scenario)()
    assert [e.id for e in events] == list(range(1, total + 1))


def test_reconnecting_with_the_last_seen_id_gives_the_rest_exactly_once(run, owner_token, fast_streams):
    for i in range(10):
        append(run, "log", {"level": "info", "message": str(i)})

    async def scenario():
        first = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        seen = await first.messages(4)
        await first.disconnect()
        for i in range(10, 13):
            await a_append(run, "log", {"level": "info", "message": str(i)})
        await a_append(run, "complete", {"passed": 1, "failed": 0, "duration_seconds": 1})
        await sync_to_async(finish)(run)
        second = await StreamClient(
            path_for(run), headers={**bearer(owner_token), "Last-Event-ID": str(seen[-1].id)}
        ).open()
        return seen + await second.rest()

    events = async_to_sync(scenario)()
    assert [e.id for e in events] == list(range(1, 15))


def test_a_finished_run_without_a_complete_event_ends_after_the_replay(run, owner_token, fast_streams):
    append(run, "error", {"message": "Cancelled by user"})
    finish(run, Run.Status.CANCELLED)

    async def scenario():
        client = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        events = await client.rest()
        await client.wait_closed()
        return events

    assert [e.event for e in async_to_sync(scenario)()] == ["error"]


def test_reconnecting_after_the_end_of_a_finished_run_is_a_204_so_eventsource_stops(run, owner_token):
    append(run, "log", {"level": "info", "message": "last words"})
    append(run, "complete", {"passed": 1, "failed": 0, "duration_seconds": 1})
    finish(run)

    async def scenario(last_seen):
        headers = {**bearer(owner_token), "Last-Event-ID": last_seen}
        client = await StreamClient(path_for(run), headers=headers).open()
        body = b""
        while not client.finished:
            body += await client.read_chunk()
        return client.status, client.response_headers, body

    status, headers, body = async_to_sync(scenario)("2")
    assert (status, body) == (204, b"")
    assert "x-ratelimit-limit" in headers
    assert async_to_sync(scenario)("1")[0] == 200  # something left to replay


def test_an_idle_stream_gets_comment_heartbeats(run, owner_token, fast_streams):
    fast_streams.ARGUS_STREAM_HEARTBEAT_SECONDS = 0.15

    async def scenario():
        client = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        messages = await client.messages(3, events_only=False, timeout=3)
        await client.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    assert messages[0].retry is not None  # the reconnect hint opens every stream
    assert [m.comment for m in messages[1:]] == ["heartbeat", "heartbeat"]


def test_a_client_that_leaves_stops_all_the_stream_work(run, owner_token, fast_streams, monkeypatch):
    layer = get_channel_layer()
    joined: list[tuple[str, str]] = []
    left: list[tuple[str, str]] = []
    real_add, real_discard = layer.group_add, layer.group_discard

    async def spy_add(group, channel):
        joined.append((group, channel))
        await real_add(group, channel)

    async def spy_discard(group, channel):
        left.append((group, channel))
        await real_discard(group, channel)

    monkeypatch.setattr(layer, "group_add", spy_add)
    monkeypatch.setattr(layer, "group_discard", spy_discard)

    async def scenario():
        client = await StreamClient(path_for(run), headers=bearer(owner_token)).open()
        await asyncio.sleep(0.1)
        tasks_while_open = {t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("sse-")}
        left_while_open = list(left)
        await client.disconnect(timeout=2)  # returns only once the application has returned
        tasks_after = {t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("sse-")}
        return tasks_while_open, left_while_open, tasks_after

    tasks_while_open, left_while_open, tasks_after = async_to_sync(scenario)()
    assert [group for group, _ in joined] == [run_group_name(run.id)]
    assert left_while_open == []
    assert tasks_while_open == {f"sse-client-{run.id}", f"sse-wake-{run.id}"}
    assert tasks_after == set()
    assert left == joined  # the same channel left the same group


def test_other_methods_on_the_stream_path_are_a_405(run, owner_token):
    async def scenario():
        client = await StreamClient(path_for(run), method="DELETE", headers=bearer(owner_token)).open()
        return client.status, client.response_headers, await client.json()

    status, headers, body = async_to_sync(scenario)()
    assert status == 405
    assert headers["allow"] == "GET"
    assert body["status_code"] == 405


def test_every_other_path_still_reaches_django(db):
    async def scenario():
        client = await StreamClient("/api/v1/stream/runs/not-a-uuid").open()
        return client.status, await client.json()

    status, body = async_to_sync(scenario)()
    assert status == 404
    assert body["status_code"] == 404
