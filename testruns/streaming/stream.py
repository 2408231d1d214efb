"""Replay a run's stored events, then follow it live, over one open HTTP response.

One loop, one rule: read `events_after(last sent seq)`, send what is there, then wait for a wake-up
(a channel-layer push, the client leaving) or the poll interval, whichever comes first, and read again.
A push only says "look now", so a lost, late or duplicated push can delay an event by one poll but
never lose, duplicate or reorder it. In embedded mode (worker in another process, in-memory layer) the
worker's pushes arrive as datagrams (wake.py), turned into this process's group push; the poll stays
as the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

from testruns.events import EVENT_MESSAGE_TYPE, run_group_name
from testruns.models import Run
from testruns.selectors import events_after
from testruns.streaming import conf, sse, wake

logger = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

PAGE_SIZE = 500
TERMINAL_EVENT = "complete"


@dataclass(frozen=True)
class Batch:
    events: list[tuple[int, str, Any]]
    run_finished: bool


def read_batch(*, run_id: UUID | str, after_seq: int) -> Batch:
    """The run's status, read BEFORE its events: if the run had finished when we looked, every event it
    will ever have is already stored, so an empty batch after a finished status means the stream is done."""
    status = Run.objects.filter(id=run_id).values_list("status", flat=True).first()
    finished = status is None or status in Run.FINISHED
    rows = events_after(run_id=run_id, after_seq=after_seq, limit=PAGE_SIZE)
    return Batch(events=[(row.seq, row.kind, row.data) for row in rows], run_finished=finished)


def nothing_more(*, run: Run, after_seq: int) -> bool:
    """A finished run with no event after `after_seq`: a reconnecting EventSource should stop (204)."""
    return run.is_finished and not events_after(run_id=run.id, after_seq=after_seq, limit=1)


class _CrossProcessWakeups:
    """Embedded mode: a datagram from another process's writer (see wake.py) becomes the in-memory group
    push a writer in this process would have made, so this process's streams of that run read now."""

    def __init__(self, layer: InMemoryChannelLayer) -> None:
        self.layer = layer
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, run_id: str, seq: int) -> None:
        group = run_group_name(run_id)
        if not self.layer.groups.get(group):
            return
        task = asyncio.get_running_loop().create_task(
            self.layer.group_send(group, {"type": EVENT_MESSAGE_TYPE, "seq": seq})
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


_cross_process: dict[int, _CrossProcessWakeups] = {}  # id(layer) -> its wake-up handler


@dataclass
class StreamResult:
    """What happened, for logs and tests."""

    sent: int = 0
    last_seq: int = 0
    heartbeats: int = 0
    client_gone: bool = False
    ended_by: str = ""


class EventStream:
    """One SSE response for one run. `run()` returns only when nothing it started is still running."""

    def __init__(
        self,
        *,
        run_id: UUID | str,
        after_seq: int,
        send: Send,
        receive: Receive,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        self.run_id = str(run_id)
        self.after_seq = after_seq
        self._send = send
        self._receive = receive
        self._headers = headers
        self._wake = asyncio.Event()
        self._layer: BaseChannelLayer | None = get_channel_layer()
        self._channel: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.result = StreamResult(last_seq=after_seq)

    @property
    def group(self) -> str:
        return run_group_name(self.run_id)

    async def run(self) -> StreamResult:
        loop = asyncio.get_running_loop()
        try:
            self._tasks.append(asyncio.create_task(self._watch_client(), name=f"sse-client-{self.run_id}"))
            await self._subscribe()
            await self._send({"type": "http.response.start", "status": 200, "headers": self._headers})
            # The retry hint doubles as the first body chunk: servers send headers only with a body.
            await self._write(sse.encode_retry(conf.retry_ms()))
            last_write = loop.time()
            while not self.result.client_gone:
                self._wake.clear()
                batch = await database_sync_to_async(read_batch)(run_id=self.run_id, after_seq=self.after_seq)
                for seq, kind, data in batch.events:
                    await self._write(sse.encode_event(seq=seq, kind=kind, data=data))
                    self.after_seq = seq
                    self.result.sent += 1
                    last_write = loop.time()
                    if kind == TERMINAL_EVENT:
                        self.result.ended_by = TERMINAL_EVENT
                        break
                if self.result.ended_by or self.result.client_gone:
                    break
                if len(batch.events) == PAGE_SIZE:
                    continue  # a long replay: keep reading without waiting
                if batch.run_finished and not batch.events:
                    self.result.ended_by = "run_finished"
                    break
                silent_for = loop.time() - last_write
                heartbeat_in = conf.heartbeat_seconds() - silent_for
                if heartbeat_in <= 0:
                    await self._write(sse.HEARTBEAT)
                    self.result.heartbeats += 1
                    last_write = loop.time()
                    heartbeat_in = conf.heartbeat_seconds()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=min(conf.poll_seconds(), heartbeat_in))
            if not self.result.client_gone:
                # End the response before the clean-up below: leaving a Redis channel layer can wait for
                # its blocking pop to return, and the client need not wait for that.
                await self._send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await self._stop()
        self.result.last_seq = self.after_seq
        if self.result.client_gone:
            self.result.ended_by = self.result.ended_by or "client_gone"
        logger.debug(
            "Stream of run %s ended (%s) after %d events, last id %d",
            self.run_id,
            self.result.ended_by,
            self.result.sent,
            self.result.last_seq,
        )
        return self.result

    async def _write(self, chunk: bytes) -> None:
        if not self.result.client_gone:
            await self._send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def _watch_client(self) -> None:
        """The rest of the request channel: the only thing that can arrive is the client leaving."""
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.result.client_gone = True
                self._wake.set()
                return

    async def _subscribe(self) -> None:
        """Join the run's group before the first read, so no push between the read and the wait is missed."""
        if self._layer is None:
            return
        try:
            self._channel = await self._layer.new_channel(prefix="sse.")
            await self._layer.group_add(self.group, self._channel)
        except Exception:
            # The stream still works by polling; only the latency suffers.
            logger.warning("Run %s stream could not join the channel layer; polling only", self.run_id, exc_info=True)
            self._channel = None
            return
        self._tasks.append(asyncio.create_task(self._pump_wakeups(), name=f"sse-wake-{self.run_id}"))
        if isinstance(self._layer, InMemoryChannelLayer):
            handler = _cross_process.get(id(self._layer))
            if handler is None or handler.layer is not self._layer:
                handler = _cross_process[id(self._layer)] = _CrossProcessWakeups(self._layer)
            wake.listen(handler)

    async def _pump_wakeups(self) -> None:
        assert self._layer is not None and self._channel is not None
        try:
            while True:
                await self._layer.receive(self._channel)
                self._wake.set()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("Channel layer receive failed for run %s; polling only", self.run_id, exc_info=True)

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._layer is not None and self._channel is not None:
            try:
                await self._layer.group_discard(self.group, self._channel)
            except Exception:
                logger.warning("Could not leave group %s", self.group, exc_info=True)
            self._channel = None
