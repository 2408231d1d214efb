"""The billing overview's "used" for the limits testruns counts: runs this month, concurrent runs, open streams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from argus.ratelimit import acquire_stream_slot
from testruns.models import Run
from testruns.usage import month_start
from tests import factories

pytestmark = pytest.mark.django_db


def make_run(project, *, status: str, at: datetime | None = None) -> Run:
    run = Run.objects.create(organization=project.organization, project=project, app_url=project.app_url, status=status)
    if at is not None:
        Run.objects.filter(id=run.id).update(created_at=at)  # created_at is auto_now_add
    return run


def usage(client, org) -> dict:
    response = client.get(f"/api/v1/billing/organizations/{org.id}")
    assert response.status_code == 200, response.content
    return response.json()["limits"]


def test_month_start_is_the_utc_calendar_month():
    assert month_start(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == datetime(2026, 3, 1, tzinfo=UTC)
    # 00:30 on April 1st in UTC+2 is still March in UTC.
    plus_two = datetime(2026, 4, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    assert month_start(plus_two) == datetime(2026, 3, 1, tzinfo=UTC)


def test_overview_shows_runs_and_streams_in_use(org, as_owner, settings):
    project = factories.make_project(org)
    first_of_month = month_start(datetime.now(UTC))
    make_run(project, status="passed", at=first_of_month)  # the month's first instant counts
    make_run(project, status="failed")
    make_run(project, status="pending")
    make_run(project, status="running")
    make_run(project, status="cancelled")
    make_run(project, status="passed", at=first_of_month - timedelta(microseconds=1))  # last month
    make_run(project, status="running", at=first_of_month - timedelta(days=3))  # last month, still active
    other = factories.make_project(factories.make_org(factories.make_profile(), name="Other"))
    make_run(other, status="running")
    slots = [acquire_stream_slot(org.id) for _ in range(3)]
    foreign_slot = acquire_stream_slot(other.organization_id)
    try:
        slots.pop().release()  # a hung-up stream gives its slot back
        limits = usage(as_owner, org)
    finally:
        for slot in [*slots, foreign_slot]:
            slot.release()

    assert limits["runs_per_month"] == {"limit": 500, "used": 5}
    assert limits["concurrent_runs"] == {"limit": 2, "used": 3}  # over the limit: shown as it is
    assert limits["streams"] == {"limit": 10, "used": 2}
    assert usage(as_owner, org)["streams"]["used"] == 0


def test_the_count_shown_is_the_count_enforced(org, as_owner, settings):
    """A start is refused exactly when the overview shows the month's runs at the plan's number."""
    project = factories.make_project(org)
    factories.make_test(project, ["Go to /"])
    make_run(project, status="passed")
    make_run(project, status="passed", at=month_start(datetime.now(UTC)) - timedelta(seconds=1))
    settings.ARGUS_PLANS = {**settings.ARGUS_PLANS, "free": {**settings.ARGUS_PLANS["free"], "runs_per_month": 2}}

    assert usage(as_owner, org)["runs_per_month"] == {"limit": 2, "used": 1}
    start = {"project_id": str(project.id)}
    assert as_owner.post("/api/v1/test/run", start, format="json").status_code == 202
    assert usage(as_owner, org)["runs_per_month"] == {"limit": 2, "used": 2}
    refused = as_owner.post("/api/v1/test/run", start, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "plan_limit_runs_per_month"
