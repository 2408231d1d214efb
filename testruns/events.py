"""The run event log: store first, then tell live listeners.

Convention for streaming (testruns/streaming/ consumes this):
- Every event is a `RunEvent` row with a per-run, strictly increasing `seq`; the seq is the SSE `id`.
  Numbers are never reused. When a dead worker's run is resumed, the events it emitted after its last
  checkpoint (work the new worker redoes) are deleted, so the stored log may skip those numbers.
- `screenshot` events are stored without the image: {"step", "test_id", "url", "path", "mime"}; `path`
  is the file's name in default_storage (a JPEG). `event_data_for_stream(event)` gives the data as the
  reference's SSE shows it ({"base64", "step", ...}, without `path`).
- After the row is committed, `{"type": "run.event", "seq": n}` is sent to the channel-layer group
  `run_group_name(run_id)` == "run_<run_id>" (the run's UUID with dashes, as str(uuid)). The message
  carries only the seq: listeners read rows with `selectors.events_after`, so a lost or reordered push
  never loses or reorders an event, it only delays it until the next push or poll.
- A failed push is logged and ignored: the stored event is the truth.
- Embedded mode (in-memory channel layer, which reaches only its own process): the push is also sent
  as a datagram to the other processes' open streams (testruns.streaming.wake), so Daphne's streams
  read an event the worker stored at once instead of at their next poll.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import threading
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction

from testruns.models import Run, RunEvent
from testruns.streaming import wake

logger = logging.getLogger(__name__)

EVENT_MESSAGE_TYPE = "run.event"
# Longest a writer waits for one push (a normal one takes well under a millisecond).
PUSH_TIMEOUT_SECONDS = 0.5


def run_group_name(run_id: UUID | str) -> str:
    return f"run_{run_id}"


class LeaseLost(Exception):
    """The run is now held by another worker (its lease moved on); this writer must stop."""


def append_event(
    *, run_id: UUID | str, kind: str, data: dict[str, Any], key: str | None = None, lease: int | None = None
) -> RunEvent:
    """Store the next event of a run and push its seq to listeners once committed.

    The seq comes from `Run.event_seq`, incremented by an UPDATE that holds the run's row lock until
    commit, so concurrent writers (two workers, a re-delivered task, the API) get distinct, gap-free
    numbers. With `key`, an event already stored under that key is returned instead of stored twice.
    With `lease`, the event is refused (LeaseLost) unless the run is still held under that lease.
    """
    with transaction.atomic():
        if key is not None:
            # Take the row lock first so the existence check and the insert are one step per run.
            Run.objects.select_for_update().filter(id=run_id).values_list("id", flat=True).first()
            existing = RunEvent.objects.filter(run_id=run_id, key=key).first()
            if existing is not None:
                return existing
        seq = _next_seq(run_id, lease)
        if seq is None:
            if lease is not None and Run.objects.filter(id=run_id).exists():
                raise LeaseLost(f"run {run_id} is no longer held under lease {lease}")
            raise Run.DoesNotExist(f"Run {run_id} does not exist")
        try:
            with transaction.atomic():
                event = RunEvent.objects.create(run_id=run_id, seq=seq, kind=kind, data=data, key=key)
        except IntegrityError:
            # Only a racing writer with the same key can get here (the seq is ours under the lock).
            existing = RunEvent.objects.filter(run_id=run_id, key=key).first() if key else None
            if existing is None:
                raise
            return existing
        transaction.on_commit(lambda: push_event(run_id=run_id, seq=seq))
    return event


def _next_seq(run_id: UUID | str, lease: int | None) -> int | None:
    """Increment the run's `event_seq` (the UPDATE takes the row lock until commit) and return the new
    value, in one statement; None when no run (held under `lease`) matched.

    Written as SQL (UPDATE ... RETURNING: PostgreSQL, SQLite >= 3.35): the ORM's UPDATE and the SELECT
    after it cost ~0.5 ms of query building per event, on the worker thread that runs beside the engine.
    """
    meta = Run._meta
    quote = connection.ops.quote_name
    seq_column = quote(meta.get_field("event_seq").column)
    sql = f"UPDATE {quote(meta.db_table)} SET {seq_column} = {seq_column} + 1 WHERE {quote(meta.pk.column)} = %s"
    params: list[Any] = [meta.pk.get_db_prep_value(run_id, connection)]
    if lease is not None:
        sql += f" AND {quote(meta.get_field('lease').column)} = %s"
        params.append(lease)
    with connection.cursor() as cursor:
        cursor.execute(sql + f" RETURNING {seq_column}", params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


class _PushLoop:
    """One asyncio loop on a daemon thread per process, where every push of the process runs.

    channels_redis keeps a connection pool per event loop, so `async_to_sync` (a new loop per call)
    paid a new loop and a new Redis connection for every event; one long-lived loop keeps one pool.
    A forked child (Celery prefork workers fork) inherits the object but not the thread, so the loop
    belongs to the process id that started it and a different pid starts its own.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # Also the child's after-fork hook: the parent's lock may have been held by another thread at
        # fork time, and the parent's loop thread does not exist in the child.
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            alive = self._thread is not None and self._thread.is_alive()
            if self._loop is None or self._pid != os.getpid() or not alive:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="argus-event-push", daemon=True)
                thread.start()
                self._loop, self._thread, self._pid = loop, thread, os.getpid()
            return self._loop


_push_loop = _PushLoop()
os.register_at_fork(after_in_child=_push_loop.reset)


def push_event(*, run_id: UUID | str, seq: int) -> None:
    """Tell the run's group that event `seq` is stored. Never raises: listeners also poll the table.

    Waits at most PUSH_TIMEOUT_SECONDS: a stuck channel layer delays the writer (a worker between two
    steps) by that much, never more, and the event is not lost because streams also poll for it.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    group, message = run_group_name(run_id), {"type": EVENT_MESSAGE_TYPE, "seq": seq}
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Embedded mode: streams in other processes (Daphne's, when a worker writes) hear of it by a
            # datagram; without one they would find the event only at their next poll.
            wake.notify(run_id, seq)
            # Only this process's own streams can listen on it. A process with none in the group (a
            # Celery worker in embedded mode: the streams live in Daphne, which polls) skips the push
            # rather than start an event loop for it: ~0.3-0.6 ms of a ~1.3 ms append, on every event.
            if not layer.groups.get(group):
                return
            # No connection to keep, and its queues belong to the loop of this process's consumers,
            # which async_to_sync reaches when called from a sync thread inside an ASGI server.
            async_to_sync(layer.group_send)(group, message)
            return
        loop = _push_loop.get()
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        try:
            future.result(timeout=PUSH_TIMEOUT_SECONDS)
        except TimeoutError:
            future.cancel()
            logger.warning("Push of event %s of run %s timed out; listeners will poll for it", seq, run_id)
    except Exception:
        logger.warning("Could not push event %s of run %s to the channel layer", seq, run_id, exc_info=True)


def event_data_for_stream(event: RunEvent) -> dict[str, Any]:
    """The event's data as the reference's SSE shows it: a `screenshot` gets its image back as `base64`.

    The image is read from storage here, at send time, so the database keeps only the file's path. A
    screenshot whose file is gone is sent without `base64` (its `url` still says where it was).
    """
    data = dict(event.data)
    path = data.pop("path", None) if event.kind == "screenshot" else None
    if path:
        try:
            with default_storage.open(path, "rb") as image:
                data["base64"] = base64.b64encode(image.read()).decode()
        except OSError:
            logger.warning("Screenshot %s of run %s is missing from storage", path, event.run_id)
    return data
