"""The weekly digest's numbers for one organization and a half-open window [start, end).

Registered with notifications (`notifications.digest.register_digest_source`) from
`TestrunsConfig.ready()`: notifications must not import testruns, so it asks through that hook.

A run belongs to the window its `created_at` falls in, and everything else (its test results, its
heals) follows its run, so a week's numbers never change once the week is over, whenever a run ends.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, Max, Q, QuerySet

from notifications.digest import DigestStats, FlakyTest, SlowTest
from testruns.models import Heal, Run, TestResult

LISTED_TESTS = 5

_PASSED = (TestResult.Status.PASSED, TestResult.Status.HEALED)
_FAILED = (TestResult.Status.FAILED,)
# The app's answer. An errored result is our infrastructure failing (browser, worker), not the app.
_VERDICTS = (*_PASSED, *_FAILED)
# Executed: the test ran and ended. Skipped results never ran; pending and running ones have not ended.
_EXECUTED = (*_VERDICTS, TestResult.Status.ERROR)


@dataclass
class _Verdicts:
    name: str
    project_name: str
    last: bool | None = None
    flips: int = 0
    runs: int = 0


def weekly_digest_stats(*, organization_id: str, start: datetime, end: datetime) -> DigestStats:
    """Runs, pass rate inputs, slowest and flakiest tests and heals of one organization's window.

    `pending_heals` counts the heals made by the window's runs that nobody has accepted or rejected yet.
    """
    runs = Run.objects.filter(organization_id=organization_id, created_at__gte=start, created_at__lt=end)
    run_counts = runs.aggregate(
        total=Count("id"),
        passed=Count("id", filter=Q(status=Run.Status.PASSED)),
        failed=Count("id", filter=Q(status__in=[Run.Status.FAILED, Run.Status.ERROR])),
    )
    results = TestResult.objects.filter(run__in=runs, status__in=_EXECUTED)
    result_counts = results.aggregate(total=Count("id"), passed=Count("id", filter=Q(status__in=_PASSED)))
    return DigestStats(
        runs=run_counts["total"],
        passed_runs=run_counts["passed"],
        failed_runs=run_counts["failed"],
        test_results=result_counts["total"],
        test_results_passed=result_counts["passed"],
        slowest_tests=_slowest(results),
        flakiest_tests=_flakiest(results),
        pending_heals=Heal.objects.filter(run__in=runs, status=Heal.Status.PENDING).count(),
    )


def _slowest(results: QuerySet[TestResult]) -> list[SlowTest]:
    """Average duration of results with a verdict: an errored one stopped wherever the failure hit."""
    # A test is its id within its project: its name may be edited during the week, the id stays.
    rows = (
        results.filter(status__in=_VERDICTS)
        .values("run__project_id", "test_id_text")
        .annotate(
            average_ms=Avg("duration_ms"),
            runs=Count("run_id", distinct=True),
            project_name=Max("run__project__name"),  # one project per group: Max just picks it
        )
        .order_by("-average_ms", "run__project_id", "test_id_text")[:LISTED_TESTS]
    )
    slowest = []
    for row in rows:
        # The latest name is the one people know (a test may be renamed during the week).
        latest = results.filter(run__project_id=row["run__project_id"], test_id_text=row["test_id_text"])
        name = latest.order_by("-run__created_at", "-id").values_list("name", flat=True).first()
        average_seconds = row["average_ms"] / 1000
        slowest.append(SlowTest(name or row["test_id_text"], row["project_name"], average_seconds, row["runs"]))
    return slowest


def _flakiest(results: QuerySet[TestResult]) -> list[FlakyTest]:
    """Verdict flips (passed or healed <-> failed) between consecutive runs of the same test.

    An errored result is our infrastructure failing, not the app answering, so it is no verdict: it
    neither flips nor interrupts the sequence around it.
    """
    tests: dict[tuple[int, str], _Verdicts] = defaultdict(lambda: _Verdicts("", ""))
    rows = (
        results.filter(status__in=_VERDICTS)
        .order_by("run__created_at", "run_id", "position")
        .values_list("run__project_id", "test_id_text", "name", "run__project__name", "status")
    )
    for project_id, test_id, name, project_name, status in rows.iterator():
        test = tests[(project_id, test_id)]
        test.name, test.project_name = name, project_name  # the latest name is the one people know
        passed = status in _PASSED
        if test.last is not None and passed != test.last:
            test.flips += 1
        test.last = passed
        test.runs += 1
    flaky = sorted((t for t in tests.values() if t.flips), key=lambda t: (-t.flips, -t.runs, t.name))
    return [FlakyTest(t.name, t.project_name, t.flips, t.runs) for t in flaky[:LISTED_TESTS]]
