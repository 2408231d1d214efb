from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from argus.errors import RateLimited
from argus.ratelimit import acquire_stream_slot, stream_slot, stream_slots_in_use


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


def test_eleventh_stream_is_refused_and_a_released_slot_is_reusable(backend, settings):
    settings.ARGUS_STREAM_CONCURRENCY = 10
    org = uuid.uuid4()
    slots = [acquire_stream_slot(org) for _ in range(10)]
    assert [s.in_use for s in slots] == list(range(1, 11))
    with pytest.raises(RateLimited) as refused:
        acquire_stream_slot(org)
    assert refused.value.status_code == 429
    assert "10" in refused.value.detail
    assert 1 <= refused.value.retry_after <= settings.ARGUS_STREAM_SLOT_TTL
    # Another organization has its own slots.
    acquire_stream_slot(uuid.uuid4()).release()

    slots[3].release()
    assert stream_slots_in_use(org) == 9
    replacement = acquire_stream_slot(org)
    assert replacement.in_use == 10
    with pytest.raises(RateLimited):
        acquire_stream_slot(org)


def test_a_slot_without_heartbeat_is_reclaimed_and_a_beating_one_is_not(backend, settings):
    settings.ARGUS_STREAM_SLOT_TTL = 1
    org = uuid.uuid4()
    crashed = acquire_stream_slot(org, limit=2)
    alive = acquire_stream_slot(org, limit=2)
    with pytest.raises(RateLimited):
        acquire_stream_slot(org, limit=2)
    for _ in range(3):
        time.sleep(0.4)
        assert alive.heartbeat() is True
    # `crashed` never beat: its slot went to the next stream, and its owner learns it lost the slot.
    taken = acquire_stream_slot(org, limit=2)
    assert stream_slots_in_use(org) == 2
    assert crashed.heartbeat() is False
    with pytest.raises(RateLimited):
        acquire_stream_slot(org, limit=2)
    taken.release()
    alive.release()
    assert stream_slots_in_use(org) == 0


def test_context_managers_release_on_exit_sync_and_async(backend, settings):
    settings.ARGUS_STREAM_SLOT_TTL = 0.6
    org = uuid.uuid4()
    with stream_slot(org, limit=1):
        assert stream_slots_in_use(org) == 1
        with pytest.raises(RateLimited), stream_slot(org, limit=1):
            pass
    assert stream_slots_in_use(org) == 0

    async def stream() -> None:
        async with stream_slot(org, limit=1):
            # Longer than the TTL: the async form heartbeats by itself, so the slot is still held.
            await asyncio.sleep(1.5)
            assert stream_slots_in_use(org) == 1
            with pytest.raises(RateLimited):
                acquire_stream_slot(org, limit=1)

    asyncio.run(stream())
    assert stream_slots_in_use(org) == 0
