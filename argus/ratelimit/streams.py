"""Concurrent streams per organization: a fixed number of slots, each held by one open stream.

With Redis a slot is a member of a sorted set per organization, scored with its last heartbeat
(Redis server time, so server clocks need not agree); a Lua script drops slots whose heartbeat is
older than ARGUS_STREAM_SLOT_TTL and takes a free one atomically. A process that dies holding a slot
therefore loses it after at most one TTL. Without Redis (embedded mode, one process) the same
bookkeeping lives in the cache under a process lock.

    slot = acquire_stream_slot(org.id)          # RateLimited (429) when all slots are taken
    try:
        ... slot.heartbeat() at least every TTL/3 while streaming ...
    finally:
        slot.release()

or `with stream_slot(org.id):` / `async with stream_slot(org.id):` (the async form heartbeats by itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings

from argus.errors import RateLimited
from argus.ratelimit.core import counter_cache, redis_client

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tostring(tonumber(oldest[2]) + ttl - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl) * 2)
return {1, tostring(held + 1)}
"""

_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[2])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now - ttl then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl) * 2)
return 1
"""

_local_lock = threading.Lock()


def slot_ttl() -> float:
    return float(getattr(settings, "ARGUS_STREAM_SLOT_TTL", 60))


def default_limit() -> int:
    return int(settings.ARGUS_STREAM_CONCURRENCY)


def _key(organization_id: UUID | str) -> str:
    return f"streams:{organization_id}"


@dataclass
class StreamSlot:
    organization_id: str
    slot_id: str
    limit: int
    in_use: int  # slots taken in the organization right after this one was

    def heartbeat(self) -> bool:
        """Keep the slot alive; False when it was already reclaimed (the stream should end)."""
        return _heartbeat(self.organization_id, self.slot_id)

    def release(self) -> None:
        _release(self.organization_id, self.slot_id)

    async def aheartbeat(self) -> bool:
        return await sync_to_async(self.heartbeat, thread_sensitive=False)()

    async def arelease(self) -> None:
        await sync_to_async(self.release, thread_sensitive=False)()


def acquire_stream_slot(organization_id: UUID | str, *, limit: int | None = None) -> StreamSlot:
    """Take one of the organization's stream slots, or raise RateLimited (429) when none is free."""
    limit = default_limit() if limit is None else limit
    organization_id = str(organization_id)
    slot_id = uuid.uuid4().hex
    ttl = slot_ttl()
    cache = counter_cache()
    redis = redis_client(cache)
    if redis is not None:
        script = redis.register_script(_ACQUIRE)
        ok, value = script(keys=[cache.make_key(_key(organization_id))], args=[ttl, limit, slot_id])
        if not int(ok):
            _refuse(limit, float(value))
        return StreamSlot(organization_id, slot_id, limit, in_use=int(float(value)))
    with _local_lock:
        now = time.time()
        slots = {s: beat for s, beat in (cache.get(_key(organization_id)) or {}).items() if beat > now - ttl}
        if len(slots) >= limit:
            _refuse(limit, min(slots.values(), default=now) + ttl - now)
        slots[slot_id] = now
        cache.set(_key(organization_id), slots, None)
    return StreamSlot(organization_id, slot_id, limit, in_use=len(slots))


def _refuse(limit: int, seconds_until_oldest_expires: float) -> None:
    raise RateLimited(
        f"Too many concurrent streams: this organization may have {limit} open at once",
        retry_after=max(1, math.ceil(seconds_until_oldest_expires)),
    )


def _heartbeat(organization_id: str, slot_id: str) -> bool:
    cache = counter_cache()
    redis = redis_client(cache)
    if redis is not None:
        script = redis.register_script(_HEARTBEAT)
        return bool(int(script(keys=[cache.make_key(_key(organization_id))], args=[slot_id, slot_ttl()])))
    with _local_lock:
        now = time.time()
        slots = cache.get(_key(organization_id)) or {}
        if slot_id not in slots or slots[slot_id] <= now - slot_ttl():
            slots.pop(slot_id, None)
            cache.set(_key(organization_id), slots, None)
            return False
        slots[slot_id] = now
        cache.set(_key(organization_id), slots, None)
        return True


def _release(organization_id: str, slot_id: str) -> None:
    cache = counter_cache()
    redis = redis_client(cache)
    if redis is not None:
        redis.zrem(cache.make_key(_key(organization_id)), slot_id)
        return
    with _local_lock:
        slots = cache.get(_key(organization_id)) or {}
        if slots.pop(slot_id, None) is not None:
            cache.set(_key(organization_id), slots, None)


def stream_slots_in_use(organization_id: UUID | str) -> int:
    cache = counter_cache()
    redis = redis_client(cache)
    cutoff_offset = slot_ttl()
    if redis is not None:
        seconds, micros = redis.time()
        now = seconds + micros / 1_000_000
        return int(redis.zcount(cache.make_key(_key(organization_id)), now - cutoff_offset, "+inf"))
    now = time.time()
    return sum(1 for beat in (cache.get(_key(organization_id)) or {}).values() if beat > now - cutoff_offset)


async def aacquire_stream_slot(organization_id: UUID | str, *, limit: int | None = None) -> StreamSlot:
    return await sync_to_async(acquire_stream_slot, thread_sensitive=False)(organization_id, limit=limit)


# Lower-case because it reads as a function: `with stream_slot(org_id) as slot:`.
class stream_slot:
    """Hold a stream slot for the block; the async form also heartbeats every TTL/3 on its own."""

    def __init__(self, organization_id: UUID | str, *, limit: int | None = None) -> None:
        self.organization_id = organization_id
        self.limit = limit
        self.slot: StreamSlot | None = None
        self._beater: asyncio.Task[None] | None = None

    def __enter__(self) -> StreamSlot:
        self.slot = acquire_stream_slot(self.organization_id, limit=self.limit)
        return self.slot

    def __exit__(self, *exc: Any) -> None:
        if self.slot is not None:
            self.slot.release()

    async def __aenter__(self) -> StreamSlot:
        self.slot = await aacquire_stream_slot(self.organization_id, limit=self.limit)
        self._beater = asyncio.create_task(self._beat(self.slot))
        return self.slot

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._beater is not None:
            self._beater.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beater
        if self.slot is not None:
            await self.slot.arelease()

    @staticmethod
    async def _beat(slot: StreamSlot) -> None:
        while True:
            await asyncio.sleep(slot_ttl() / 3)
            if not await slot.aheartbeat():
                return
