"""Event pushes through a real Redis channel layer from the process's one push loop, and when Redis is not there.

Redis is the machine's (127.0.0.1:6379), in a database of its own with a prefix per test, so nothing
here meets another test's or another process's messages.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from testruns import events
from testruns.events import append_event, push_event, run_group_name
from testruns.models import Run
from tests import factories

REDIS_DB_URL = "redis://127.0.0.1:6379/12"


def redis_layer_settings(host: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [host], "prefix": f"argus-push-test-{uuid.uuid4().hex[:8]}"},
        }
    }


class Listener:
    """A group member in another "process": its own channel layer instance on its own event loop thread,
    as a Daphne process holds one (a Redis layer receives on one loop only)."""

    def __init__(self, config: dict) -> None:
        self.layer = RedisChannelLayer(**config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.loop.run_forever()
        # Closed on its own thread: channels_redis flushes on close with run_until_complete, which fails in
        # a thread where another loop runs (the main thread does while a sync Playwright session is open).
        self.loop.close()

    def call(self, coroutine, timeout: float = 15):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)

    def join(self, group: str) -> str:
        async def join() -> str:
            channel = await self.layer.new_channel()
            await self.layer.group_add(group, channel)
            return channel

        return self.call(join())

    def receive(self, channel: str, count: int) -> list[dict]:
        async def take() -> list[dict]:
            return [await self.layer.receive(channel) for _ in range(count)]

        return self.call(asyncio.wait_for(take(), timeout=10))

    def peek(self, channel: str, wait: float = 0.3) -> dict | None:
        async def peek() -> dict | None:
            try:
                return await asyncio.wait_for(self.layer.receive(channel), timeout=wait)
            except TimeoutError:
                return None

        return self.call(peek())

    def close(self) -> None:
        self.call(self.layer.close_pools())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


@pytest.fixture
def listener(settings):
    """The process's channel layer is a Redis one, and a listener in "another process" uses the same Redis."""
    settings.CHANNEL_LAYERS = redis_layer_settings(REDIS_DB_URL)
    listener = Listener(settings.CHANNEL_LAYERS["default"]["CONFIG"])
    yield listener
    listener.close()
    pusher = get_channel_layer()
    # The push loop keeps its connections to this test's layer; close them with the layer.
    asyncio.run_coroutine_threadsafe(pusher.close_pools(), events._push_loop.get()).result(timeout=5)


@pytest.fixture
def run(org):
    project = factories.make_project(org)
    return Run.objects.create(organization=org, project=project, app_url=project.app_url, status="running")


@pytest.mark.redis
@pytest.mark.django_db
def test_stored_events_arrive_at_a_group_member_in_order_after_commit(
    run, listener, django_capture_on_commit_callbacks
):
    channel = listener.join(run_group_name(run.id))

    with django_capture_on_commit_callbacks(execute=True):
        stored = [append_event(run_id=run.id, kind="log", data={"i": i}) for i in range(30)]
        assert listener.peek(channel) is None  # nothing is pushed until the rows are committed

    received = listener.receive(channel, len(stored))
    assert received == [{"type": "run.event", "seq": event.seq} for event in stored]
    assert [m["seq"] for m in received] == list(range(1, 31))


@pytest.mark.redis
def test_pushes_from_many_threads_share_one_loop_and_all_arrive(listener):
    group = run_group_name(uuid.uuid4())
    channel = listener.join(group)
    run_id = group.removeprefix("run_")

    def push_range(start: int) -> None:
        for seq in range(start, start + 10):
            push_event(run_id=run_id, seq=seq)

    threads = [threading.Thread(target=push_range, args=(start,)) for start in (1, 11, 21, 31)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    received = listener.receive(channel, 40)
    assert sorted(m["seq"] for m in received) == list(range(1, 41))
    assert sum(1 for t in threading.enumerate() if t.name == "argus-event-push") == 1


@pytest.mark.redis
def test_a_forked_child_pushes_through_a_loop_of_its_own(listener):
    group = run_group_name(uuid.uuid4())
    channel = listener.join(group)
    run_id = group.removeprefix("run_")
    push_event(run_id=run_id, seq=1)  # the parent's push loop exists before the fork

    pid = os.fork()
    if pid == 0:  # the child: the parent's loop thread did not come along
        try:
            push_event(run_id=run_id, seq=2)
            alive = [t for t in threading.enumerate() if t.name == "argus-event-push"]
            os._exit(0 if len(alive) == 1 else 3)
        except BaseException:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    push_event(run_id=run_id, seq=3)  # and the parent's loop still works

    received = listener.receive(channel, 3)
    assert [m["seq"] for m in received] == [1, 2, 3]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the probe is: connections are refused


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never answers: a Redis that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.redis
def test_a_push_to_an_unreachable_redis_returns_promptly_and_logs(settings, closed_port, caplog, monkeypatch):
    monkeypatch.setattr(events, "PUSH_TIMEOUT_SECONDS", 0.5)
    settings.CHANNEL_LAYERS = redis_layer_settings(f"redis://127.0.0.1:{closed_port}/0")
    caplog.set_level(logging.WARNING, logger="testruns.events")

    started = time.monotonic()
    push_event(run_id=uuid.uuid4(), seq=7)
    elapsed = time.monotonic() - started

    assert elapsed < 0.5 + 1.0  # the bounded wait, plus generous slack for a loaded machine
    [record] = [r for r in caplog.records if r.name == "testruns.events"]
    assert record.levelno == logging.WARNING and "event 7" in record.getMessage()


@pytest.mark.redis
def test_a_push_to_a_hanging_redis_gives_up_after_the_bounded_wait(settings, silent_server, caplog, monkeypatch):
    monkeypatch.setattr(events, "PUSH_TIMEOUT_SECONDS", 0.3)
    settings.CHANNEL_LAYERS = redis_layer_settings(f"redis://127.0.0.1:{silent_server}/0")
    caplog.set_level(logging.WARNING, logger="testruns.events")

    started = time.monotonic()
    push_event(run_id=uuid.uuid4(), seq=8)
    elapsed = time.monotonic() - started

    assert 0.3 <= elapsed < 0.3 + 1.0
    [record] = [r for r in caplog.records if r.name == "testruns.events"]
    assert "timed out" in record.getMessage() and "event 8" in record.getMessage()
    # The loop is not wedged by the abandoned push: the next one is bounded the same way.
    started = time.monotonic()
    push_event(run_id=uuid.uuid4(), seq=9)
    assert time.monotonic() - started < 0.3 + 1.0
