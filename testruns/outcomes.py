"""The plain outcome a finished run hands to notifications (notifications/outcomes.py defines it)."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings

from notifications.outcomes import RunOutcome, TestOutcome
from projects.models import TestDefinition
from testruns.models import Run


def run_url(run: Run) -> str:
    return f"{settings.PUBLIC_URL}/api/v1/runs/{run.id}"


def run_outcome_for(*, run_id: UUID | str) -> RunOutcome:
    run = Run.objects.select_related("project").get(id=run_id)
    results = list(run.test_results.all())
    tags = {
        str(t.id): tuple(t.tags)
        for t in TestDefinition.objects.filter(id__in=[r.test_id for r in results if r.test_id])
    }
    tests = tuple(
        TestOutcome(
            test_id=r.test_id_text,
            name=r.name,
            # A test the run never reached (cancelled, or left running by an engine failure) did not run.
            status=r.status if r.status not in {"pending", "running"} else "skipped",
            tags=tags.get(str(r.test_id), ()),
            error=r.error or None,
            duration_seconds=r.duration_ms / 1000,
        )
        for r in results
    )
    return RunOutcome(
        organization_id=str(run.organization_id),
        project_id=str(run.project_id),
        project_name=run.project.name,
        run_id=str(run.id),
        thread_id=run.thread_id,
        status=run.status,
        branch=(run.options or {}).get("branch"),
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_seconds=run.duration_seconds or 0.0,
        passed=run.passed,
        failed=run.failed,
        healed=run.healed,
        errored=run.errored,
        skipped=run.skipped,
        run_url=run_url(run),
        tests=tests,
        error=run.error or None,
    )
