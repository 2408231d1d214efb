"""Finding runs whose worker died, so another worker continues them from their last checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from testruns.execution.executor import stale_after
from testruns.models import Run

BATCH = 100


def stale_runs() -> list[str]:
    """Running runs whose worker has not heartbeaten for ARGUS_RUN_STALE_SECONDS and that are not already
    waiting for a worker: re-queued since the last heartbeat, less than ARGUS_RUN_REQUEUE_SECONDS ago."""
    now = timezone.now()
    dead = Q(heartbeat_at__lt=now - stale_after()) | Q(heartbeat_at__isnull=True)
    waiting = Q(recovery_queued_at__gte=now - timedelta(seconds=settings.ARGUS_RUN_REQUEUE_SECONDS)) & (
        Q(heartbeat_at__isnull=True) | Q(recovery_queued_at__gte=F("heartbeat_at"))
    )
    runs = Run.objects.filter(dead, status=Run.Status.RUNNING).exclude(waiting)
    return [str(i) for i in runs.values_list("id", flat=True)[:BATCH]]


def recover_stale_runs(*, enqueue: Callable[[str], object]) -> list[str]:
    """Enqueue each stale run once more; the claim in run_execute lets exactly one delivery take it.

    A run is re-queued once per death, not at every beat: while every worker is busy its delivery
    waits in the queue, and beat leaves it alone until a worker has taken it (and died too) or the
    delivery looks lost (ARGUS_RUN_REQUEUE_SECONDS).
    """
    with transaction.atomic():
        run_ids = stale_runs()
        Run.objects.filter(id__in=run_ids).update(recovery_queued_at=timezone.now())
        for run_id in run_ids:
            transaction.on_commit(lambda run_id=run_id: enqueue(run_id))
    return run_ids
