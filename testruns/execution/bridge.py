"""Run the engine on its own thread and bring its database calls back to the task's thread.

Sync Playwright keeps an asyncio loop marked as running on the thread that uses it, and Django refuses
ORM calls (and async_to_sync) on such a thread. So the engine runs on one long-lived thread per worker
process (which also keeps its Chromium warm between runs), and every port call it makes is queued to
the Celery task's thread, which serves them while it waits. All database work therefore happens on
the thread that owns the task's connection and transaction, exactly as in any other Django code.

Two kinds of call share one FIFO queue:
- `call`: the engine waits for the answer (a fingerprint read, a screenshot's URL, the AI budget).
- `post`: a write the engine needs no answer to (an event, a checkpoint, a fingerprint). The engine goes
  on at once; the write runs on the task thread in queue order, so a later `call` sees it, and every
  write is stored in the order the engine made it (events and checkpoints interleave exactly as
  before). At most `max_posted` posted writes wait at a time: past that the engine waits, so it never
  runs far ahead of what is stored (a worker killed mid-run loses at most those, and a resumed run
  redoes the work after its last stored checkpoint as it always did).
  A posted write that fails fails the run the way a refused `call` would: nothing queued after it is
  written, the engine's next `call` or `post` raises the error, and `serve_until` raises it (after the
  engine has stopped) even if the engine made no further call.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_engine_executor: ThreadPoolExecutor | None = None

# Posted writes that may wait at once: a step posts about three (its log event, its checkpoint, a fingerprint).
MAX_POSTED = 32

_WAKE = object()  # queued when the engine's work is done, so serve_until returns without waiting a poll


def engine_executor() -> ThreadPoolExecutor:
    """The worker process's engine thread (created lazily, after any fork)."""
    global _engine_executor
    if _engine_executor is None:
        _engine_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argus-engine")
    return _engine_executor


class CallBridge:
    """Calls made on the engine thread, executed on the thread that runs `serve_until`."""

    def __init__(self, *, max_posted: int = MAX_POSTED) -> None:
        self._closed: BaseException | None = None
        self._failed: BaseException | None = None  # the first posted write that failed
        # (future or None for a posted write, fn, args, kwargs), or _WAKE
        self._calls: queue.Queue[Any] = queue.Queue()
        self._posted = 0
        self._max_posted = max_posted
        self._room = threading.Condition()

    def _check(self) -> None:
        if self._closed is not None:
            raise self._closed
        if self._failed is not None:
            raise self._failed

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run fn on the serving thread and return its result (or raise its exception) here."""
        self._check()
        future: Future[T] = Future()
        self._calls.put((future, fn, args, kwargs))
        return future.result()

    def post(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue fn to run on the serving thread and return at once (waiting only while the queue is full).

        The arguments must not change after this call: they are used later, on the other thread.
        """
        with self._room:
            while self._posted >= self._max_posted and self._closed is None and self._failed is None:
                self._room.wait()
            self._check()
            self._posted += 1
        self._calls.put((None, fn, args, kwargs))

    def close(self, error: BaseException) -> None:
        """Stop serving: calls waiting now and calls made later fail with `error` on the engine thread;
        posted writes not yet run are dropped."""
        self._closed = error
        while True:
            try:
                item = self._calls.get_nowait()
            except queue.Empty:
                break
            if item is not _WAKE and item[0] is not None:
                item[0].set_exception(error)
        with self._room:
            self._room.notify_all()

    def _done_posting(self) -> None:
        with self._room:
            self._posted -= 1
            self._room.notify_all()

    def _serve(self, item: Any) -> None:
        future, fn, args, kwargs = item
        if self._failed is not None:
            # Nothing queued after a failed write is done: the engine stops at its next call.
            if future is None:
                self._done_posting()
            else:
                future.set_exception(self._failed)
            return
        if future is None:
            try:
                fn(*args, **kwargs)
            except BaseException as exc:  # raised on the engine thread at its next call, and by serve_until
                self._failed = exc
            finally:
                self._done_posting()
            return
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the engine thread, which decides what it means
            future.set_exception(exc)

    def serve_until(self, done: Future[T], *, tick: Callable[[], None], poll_seconds: float = 0.05) -> T:
        """Serve calls until `done` completes, calling `tick` between calls (heartbeats, cancel checks).

        Returns once `done` is complete and every call and posted write made before it has been served;
        raises the error of a posted write that failed, if one did.
        """
        done.add_done_callback(lambda _: self._calls.put(_WAKE))
        while True:
            try:
                item = self._calls.get(timeout=poll_seconds)
            except queue.Empty:
                item = None
            if item is not None and item is not _WAKE:
                self._serve(item)
            tick()
            # Everything the engine queued happened before `done` completed, so an empty queue now stays empty.
            if done.done() and self._calls.empty():
                if self._failed is not None:
                    raise self._failed
                return done.result()
