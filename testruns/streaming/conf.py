"""Streaming settings (defined in argus/settings.py, overridable by environment variables).

Read on every use rather than at import, so a changed setting (tests, `override_settings`) applies.
"""

from __future__ import annotations

from django.conf import settings


def heartbeat_seconds() -> float:
    return float(settings.ARGUS_STREAM_HEARTBEAT_SECONDS)


def poll_seconds() -> float:
    return float(settings.ARGUS_STREAM_POLL_SECONDS)


def retry_ms() -> int:
    return int(settings.ARGUS_STREAM_RETRY_MS)
