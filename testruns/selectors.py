"""Reads of runs, events and checkpoints. Anything reachable from the API is scoped by organization."""

from __future__ import annotations

from uuid import UUID

from testruns.models import RunEvent

MAX_EVENTS_PAGE = 1000


def events_after(*, run_id: UUID | str, after_seq: int = 0, limit: int = 500) -> list[RunEvent]:
    """The run's stored events with seq > after_seq, oldest first (for SSE replay and Last-Event-ID).

    Not scoped here: callers (the stream views) resolve the run through `run_for_organization` first.
    """
    limit = max(1, min(limit, MAX_EVENTS_PAGE))
    return list(RunEvent.objects.filter(run_id=run_id, seq__gt=after_seq).order_by("seq")[:limit])
