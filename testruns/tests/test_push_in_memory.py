"""Pushes through the in-memory channel layer (embedded mode): delivered to this process's group members,
skipped without an event loop when the process has none (a Celery worker, whose streams live in Daphne)."""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import sync_to_async

from testruns import events


def test_a_group_member_of_this_process_receives_the_push(in_memory_layer):
    run_id = uuid.uuid4()

    async def scenario() -> dict:
        channel = await in_memory_layer.new_channel()
        await in_memory_layer.group_add(events.run_group_name(run_id), channel)
        # From a sync thread, as a request's code appends an event inside Daphne.
        await sync_to_async(events.push_event, thread_sensitive=False)(run_id=run_id, seq=7)
        return await asyncio.wait_for(in_memory_layer.receive(channel), timeout=5)

    assert asyncio.run(scenario()) == {"type": events.EVENT_MESSAGE_TYPE, "seq": 7}


def test_without_a_member_in_this_process_no_loop_is_started(in_memory_layer, monkeypatch, caplog):
    def no_loop(*_args, **_kwargs):
        raise AssertionError("async_to_sync called for a group with no member in this process")

    monkeypatch.setattr(events, "async_to_sync", no_loop)
    events.push_event(run_id=uuid.uuid4(), seq=1)
    assert not caplog.records  # the AssertionError would have been caught and logged as a warning
