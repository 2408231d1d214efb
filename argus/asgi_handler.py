"""Django's ASGI handler, with each request's sync code on a thread that outlives the request.

Django's `ASGIHandler` runs every request inside a fresh `ThreadSensitiveContext`, and asgiref gives
each such context a new single-thread executor: the request's sync code (middleware, DRF view, ORM)
runs on a thread created for it and joined after it. Django keeps database connections per thread,
so no connection outlived its request whatever CONN_MAX_AGE said: every request that touched the
database opened one (~1 ms of CPU for SQLite with its PRAGMAs, a TCP and auth round trip for
PostgreSQL) and paid for the thread besides.

Here a request borrows one of at most `threads` long-lived single-thread executors (asgiref lets a
`ThreadSensitiveContext` be given one), so the thread, and the connection Django keeps on it, carry
over to the next request, the way a threaded WSGI server works. All of a request's sync code still
runs on one thread, as Django requires. When every pooled thread is busy the request gets a thread of
its own, as with the stock handler, rather than waiting behind a slow request; that thread's database
connections are closed when the request ends, so what a process keeps open stays bounded by
`threads` connections per database.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler
from django.db import connections


class ReusedThreadASGIHandler(ASGIHandler):
    def __init__(self, *, threads: int) -> None:
        super().__init__()
        self.max_threads = max(0, threads)
        self._idle: list[ThreadPoolExecutor] = []
        self._created = 0
        # Borrowing and returning happen on the event loop, but a process may run several loops
        # (tests, a stream re-entering the app), so the pool is guarded by a lock, not by the loop.
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor, pooled = self._borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            if pooled:
                self._give_back(executor)
            else:
                # Queued behind whatever the request left running on its thread (a view still
                # finishing after the client went away), then the thread exits.
                executor.submit(connections.close_all)
                executor.shutdown(wait=False)

    def _borrow(self) -> tuple[ThreadPoolExecutor, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
            if self._created < self.max_threads:
                self._created += 1
                return ThreadPoolExecutor(max_workers=1, thread_name_prefix="argus-request"), True
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="argus-request-extra"), False

    def _give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            # Last in, first out: the busiest threads keep their connections warm, idle ones age out
            # (Django closes a connection older than CONN_MAX_AGE when its thread next serves a request).
            self._idle.append(executor)

    @property
    def threads_created(self) -> int:
        return self._created

    def close(self) -> None:
        """Close the idle threads' database connections and stop them (tests; a server's shutdown)."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._created -= len(idle)
        for executor in idle:
            executor.submit(connections.close_all)
            executor.shutdown(wait=True)
