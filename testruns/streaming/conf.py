"""Streaming settings, each overridable in `argus/settings.py` (and so by environment variables)."""

from __future__ import annotations

from django.conf import settings


def heartbeat_seconds() -> float:
    """How long a stream may stay silent before a comment line keeps proxies and browsers from closing it."""
    return float(getattr(settings, "ARGUS_STREAM_HEARTBEAT_SECONDS", 15.0))


def poll_seconds() -> float:
    """The longest a stream waits before re-reading the event table when no push wakes it.

    Embedded mode's in-memory channel layer cannot reach a worker in another process, so there the poll
    is what delivers events and it must be short; with Redis the push is the fast path and this is the
    safety net for a lost push.
    """
    default = 0.5 if getattr(settings, "REDIS_URL", "") else 0.05
    return float(getattr(settings, "ARGUS_STREAM_POLL_SECONDS", default))


def retry_ms() -> int:
    """The reconnect delay an EventSource is told to use (`retry:`), after which it resumes with Last-Event-ID."""
    return int(getattr(settings, "ARGUS_STREAM_RETRY_MS", 2000))
