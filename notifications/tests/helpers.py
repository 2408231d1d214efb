from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from notifications.outcomes import RunOutcome, TestOutcome


def make_outcome(project, *, status: str = "failed", tests: list[TestOutcome] | None = None, branch=None) -> RunOutcome:
    tests = (
        tests
        if tests is not None
        else [
            TestOutcome(
                test_id=str(uuid.uuid4()),
                name="Checkout works",
                status="failed",
                tags=("smoke",),
                error="Expected to see Thanks",
            ),
            TestOutcome(test_id=str(uuid.uuid4()), name="Login works", status="passed", tags=("auth",)),
        ]
    )
    count = {s: sum(1 for t in tests if t.status == s) for s in ("passed", "failed", "healed", "error", "skipped")}
    run_id = str(uuid.uuid4())
    finished = timezone.now()
    return RunOutcome(
        organization_id=str(project.organization_id),
        project_id=str(project.id),
        project_name=project.name,
        run_id=run_id,
        thread_id=f"thread_{run_id[:8]}",
        status=status,
        branch=branch,
        started_at=finished - timedelta(seconds=42),
        finished_at=finished,
        duration_seconds=42.0,
        passed=count["passed"],
        failed=count["failed"],
        healed=count["healed"],
        errored=count["error"],
        skipped=count["skipped"],
        run_url=f"http://127.0.0.1:8000/runs/{run_id}",
        tests=tests,
    )
