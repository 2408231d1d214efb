"""Reads of runs, events and checkpoints. Anything reachable from the API is scoped by organization."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from argus.errors import NotFound
from organizations.models import Organization
from projects.models import Project
from testruns.models import Checkpoint, Run, RunEvent, TestResult

MAX_EVENTS_PAGE = 1000


def events_after(*, run_id: UUID | str, after_seq: int = 0, limit: int = 500) -> list[RunEvent]:
    """The run's stored events with seq > after_seq, oldest first (for SSE replay and Last-Event-ID).

    Not scoped here: callers (the stream views) resolve the run through `run_for_organization` first.
    """
    limit = max(1, min(limit, MAX_EVENTS_PAGE))
    return list(RunEvent.objects.filter(run_id=run_id, seq__gt=after_seq).order_by("seq")[:limit])


def run_organization_id(*, run_id: UUID | str) -> UUID | None:
    """The run's organization, for the access check that must come before reading the run."""
    return Run.objects.filter(id=run_id).values_list("organization_id", flat=True).first()


def thread_organization_id(*, thread_id: str) -> UUID | None:
    return Run.objects.filter(thread_id=thread_id).values_list("organization_id", flat=True).first()


def checkpoint_organization_id(*, checkpoint_id: str) -> UUID | None:
    return Checkpoint.objects.filter(id=checkpoint_id).values_list("run__organization_id", flat=True).first()


def run_get(*, organization: Organization, run_id: UUID | str) -> Run:
    run = Run.objects.select_related("project").filter(organization=organization, id=run_id).first()
    if run is None:
        raise NotFound("Run not found")
    return run


def run_detail(*, organization: Organization, run_id: UUID | str) -> Run:
    """The run with its test results and their steps loaded."""
    run = (
        Run.objects.select_related("project", "parent_checkpoint")
        .prefetch_related(Prefetch("test_results", queryset=TestResult.objects.prefetch_related("steps")))
        .filter(organization=organization, id=run_id)
        .first()
    )
    if run is None:
        raise NotFound("Run not found")
    return run


def runs_for_project(*, organization: Organization, project: Project) -> QuerySet[Run]:
    return Run.objects.filter(organization=organization, project=project).order_by("-created_at", "-id")


def run_by_thread(*, organization: Organization, thread_id: str) -> Run:
    run = Run.objects.filter(organization=organization, thread_id=thread_id).first()
    if run is None:
        raise NotFound("Thread not found")
    return run


def checkpoints_for_thread(*, organization: Organization, thread_id: str) -> QuerySet[Checkpoint]:
    """The thread's checkpoints, oldest first (defers the state: history lists only ids and nodes)."""
    return Checkpoint.objects.filter(run__organization=organization, thread_id=thread_id).defer("state").order_by("seq")


def checkpoint_get(*, organization: Organization, checkpoint_id: str) -> Checkpoint:
    checkpoint = (
        Checkpoint.objects.select_related("run").filter(run__organization=organization, id=checkpoint_id).first()
    )
    if checkpoint is None:
        raise NotFound("Checkpoint not found")
    return checkpoint


def last_checkpoint(*, run: Run) -> Checkpoint | None:
    return Checkpoint.objects.filter(run=run).order_by("-seq").first()


HISTORY_RUNS = 20


def estimated_completion(*, run: Run) -> datetime | None:
    """When the run should end, from this project's recent finished runs (time per test); None without history.

    A finished run's estimate is its end. Runs that errored or were cancelled do not say how long tests take.
    """
    if run.is_finished:
        return run.finished_at
    past = (
        Run.objects.filter(
            project_id=run.project_id,
            status__in=[Run.Status.PASSED, Run.Status.FAILED],
            duration_seconds__isnull=False,
            total__gt=0,
        )
        .exclude(id=run.id)
        .order_by("-finished_at")
        .values_list("duration_seconds", "total")[:HISTORY_RUNS]
    )
    samples = list(past)
    if not samples:
        return None
    seconds_per_test = sum(d for d, _ in samples) / sum(t for _, t in samples)
    start = run.started_at or timezone.now()
    return start + timedelta(seconds=seconds_per_test * max(run.total, 1))
