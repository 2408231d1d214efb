"""Run the engine on its own thread and bring its database calls back to the task's thread.

Sync Playwright keeps an asyncio loop marked as running on the thread that uses it, and Django refuses
ORM calls (and async_to_sync) on such a thread. So the engine runs on one long-lived thread per worker
process (which also keeps its Chromium warm between runs), and every port call it makes is queued to
the Celery task's thread, which serves them while it waits. All database work therefore happens on
the thread that owns the task's connection and transaction, exactly as in any other Django code.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_engine_executor: ThreadPoolExecutor | None = None


def engine_executor() -> ThreadPoolExecutor:
    """The worker process's engine thread (created lazily, after any fork)."""
    global _engine_executor
    if _engine_executor is None:
        _engine_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argus-engine")
    return _engine_executor


class CallBridge:
    """Calls made on the engine thread, executed on the thread that runs `serve_until`."""

    def __init__(self) -> None:
        self._closed: BaseException | None = None
        self._calls: queue.Queue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = (
            queue.Queue()
        )

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run fn on the serving thread and return its result (or raise its exception) here."""
        if self._closed is not None:
            raise self._closed
        future: Future[T] = Future()
        self._calls.put((future, fn, args, kwargs))
        return future.result()

    def close(self, error: BaseException) -> None:
        """Stop serving: calls waiting now and calls made later fail with `error` on the engine thread."""
        self._closed = error
        while True:
            try:
                future, *_ = self._calls.get_nowait()
            except queue.Empty:
                return
            future.set_exception(error)

    def serve_until(self, done: Future[T], *, tick: Callable[[], None], poll_seconds: float = 0.05) -> T:
        """Serve calls until `done` completes, calling `tick` between calls (heartbeats, cancel checks)."""
        while True:
            try:
                future, fn, args, kwargs = self._calls.get(timeout=poll_seconds)
            except queue.Empty:
                tick()
                if done.done() and self._calls.empty():
                    return done.result()
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the engine thread, which decides what it means
                future.set_exception(exc)
            tick()
