"""Finding runs whose worker died, so another worker continues them from their last checkpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from testruns.execution.executor import stale_after
from testruns.models import Run

BATCH = 100


def stale_runs() -> list[str]:
    """Running runs whose worker has not heartbeaten for ARGUS_RUN_STALE_SECONDS."""
    dead = Q(heartbeat_at__lt=timezone.now() - stale_after()) | Q(heartbeat_at__isnull=True)
    return [str(i) for i in Run.objects.filter(dead, status=Run.Status.RUNNING).values_list("id", flat=True)[:BATCH]]


def recover_stale_runs(*, enqueue: Callable[[str], object]) -> list[str]:
    """Enqueue each stale run once more; the claim in run_execute lets exactly one delivery take it.

    While every worker is busy, a dead run is enqueued again at each beat; the extra deliveries find
    the run claimed (or finished) and do nothing.
    """
    run_ids = stale_runs()
    for run_id in run_ids:
        transaction.on_commit(lambda run_id=run_id: enqueue(run_id))
    return run_ids
