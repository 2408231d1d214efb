"""A finished run (or a budget alarm) as the events rules match on.

An event's `key` names it uniquely (a run's `test.failed` for one test happens once), so planning
deliveries for the same event twice finds the rows of the first time. `subject_key` is what a rule's
cooldown is counted per: the project for run events, the test for test events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notifications.models import EventType
from notifications.outcomes import RunOutcome, TestOutcome

FAILING_RUN_STATUSES = frozenset({"failed", "error"})
TEST_EVENT_BY_STATUS = {
    "failed": EventType.TEST_FAILED,
    "error": EventType.TEST_FAILED,
    "passed": EventType.TEST_PASSED,
    "healed": EventType.TEST_HEALED,
}
MAX_LISTED_TESTS = 20


@dataclass(frozen=True)
class Event:
    event_type: str
    organization_id: str
    key: str
    subject_key: str
    payload: dict[str, Any]
    project_id: str | None = None
    branch: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


def run_summary(outcome: RunOutcome) -> dict[str, Any]:
    data = outcome.to_dict()
    data.pop("tests")
    data["total"] = outcome.total
    return data


def run_payload(outcome: RunOutcome) -> dict[str, Any]:
    problems = [t for t in outcome.tests if t.status in ("failed", "error")]
    return {
        "run": run_summary(outcome),
        "failed_tests": [t.to_dict() for t in problems[:MAX_LISTED_TESTS]],
        "healed_tests": [t.to_dict() for t in outcome.tests if t.status == "healed"][:MAX_LISTED_TESTS],
    }


def _test_event(outcome: RunOutcome, test: TestOutcome, event_type: str) -> Event:
    return Event(
        event_type=event_type,
        organization_id=outcome.organization_id,
        key=f"run:{outcome.run_id}:{event_type}:{test.test_id}",
        subject_key=f"test:{test.test_id}",
        payload={"run": run_summary(outcome), "test": test.to_dict()},
        project_id=outcome.project_id,
        branch=outcome.branch,
        tags=frozenset(test.tags),
    )


def events_for_run(outcome: RunOutcome) -> list[Event]:
    run_tags = frozenset(tag for t in outcome.tests for tag in t.tags)
    payload = run_payload(outcome)

    def run_event(event_type: str) -> Event:
        return Event(
            event_type=event_type,
            organization_id=outcome.organization_id,
            key=f"run:{outcome.run_id}:{event_type}",
            subject_key=f"project:{outcome.project_id}",
            payload=payload,
            project_id=outcome.project_id,
            branch=outcome.branch,
            tags=run_tags,
        )

    events = [run_event(EventType.RUN_COMPLETED)]
    if outcome.status in FAILING_RUN_STATUSES:
        events.append(run_event(EventType.RUN_FAILED))
    for test in outcome.tests:
        event_type = TEST_EVENT_BY_STATUS.get(test.status)
        if event_type is not None:
            events.append(_test_event(outcome, test, event_type))
    return events


def budget_event(*, organization_id: str, period: str, spent: str, budget: str, period_key: str) -> Event:
    """`period_key` names the budget period ("2026-11-28" for a day, "2026-11" for a month): one event each."""
    return Event(
        event_type=EventType.BUDGET_EXCEEDED,
        organization_id=organization_id,
        key=f"budget:{organization_id}:{period}:{period_key}",
        subject_key=f"budget:{period}",
        payload={"budget": {"period": period, "period_key": period_key, "spent": spent, "budget": budget}},
    )
