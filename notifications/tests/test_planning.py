"""Which deliveries an event plans: rule conditions, priority, cooldowns and the hourly limit over simulated time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from notifications.events import events_for_run
from notifications.models import Delivery
from notifications.outcomes import TestOutcome
from notifications.selectors import channels_for_organization
from notifications.services.channels import channel_create
from notifications.services.deliveries import deliveries_plan_for_event
from notifications.tests.helpers import make_outcome
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def project(org):
    return factories.make_project(org, name="Shop")


def make_channel(org, rules, *, rate_limit_per_hour=100):
    return channel_create(
        organization=org,
        created_by=None,
        name="team inbox",
        channel_type="email",
        config={"recipients": ["qa@example.com"]},
        rate_limit_per_hour=rate_limit_per_hour,
        rules=rules,
    )


def failing_test(test_id: str, tags=("smoke",)) -> TestOutcome:
    return TestOutcome(test_id=test_id, name=f"Test {test_id[:4]}", status="failed", tags=tags)


def plan(project, event_type, *, now, tests=None, branch=None, status="failed"):
    outcome = make_outcome(project, tests=tests, branch=branch, status=status)
    planned = []
    for event in events_for_run(outcome):
        if event.event_type == event_type:
            planned += deliveries_plan_for_event(event=event, now=now)
    return planned


def test_events_of_a_run():
    project = type("P", (), {"organization_id": uuid.uuid4(), "id": uuid.uuid4(), "name": "Shop"})
    tests = [
        TestOutcome(test_id="a", name="A", status="failed"),
        TestOutcome(test_id="b", name="B", status="error"),
        TestOutcome(test_id="c", name="C", status="passed"),
        TestOutcome(test_id="d", name="D", status="healed"),
        TestOutcome(test_id="e", name="E", status="skipped"),
    ]
    kinds = [e.event_type for e in events_for_run(make_outcome(project, tests=tests))]
    assert kinds == ["run.completed", "run.failed", "test.failed", "test.failed", "test.passed", "test.healed"]
    passed = make_outcome(project, tests=[tests[2]], status="passed")
    assert [e.event_type for e in events_for_run(passed)] == ["run.completed", "test.passed"]


def test_cooldown_is_per_rule_channel_and_subject(org, project):
    make_channel(org, [{"event_type": "test.failed", "cooldown_minutes": 15}])
    checkout, login = str(uuid.uuid4()), str(uuid.uuid4())

    [first] = plan(project, "test.failed", now=T0, tests=[failing_test(checkout)])
    [again] = plan(project, "test.failed", now=T0 + timedelta(minutes=5), tests=[failing_test(checkout)])
    [other] = plan(project, "test.failed", now=T0 + timedelta(minutes=5), tests=[failing_test(login)])
    [later] = plan(project, "test.failed", now=T0 + timedelta(minutes=16), tests=[failing_test(checkout)])

    assert first.status == Delivery.Status.PENDING
    assert again.status == Delivery.Status.SUPPRESSED and again.reason.startswith("Cooldown:")
    assert other.status == Delivery.Status.PENDING
    assert later.status == Delivery.Status.PENDING


def test_hourly_rate_limit_suppresses_and_logs_what_it_holds_back(org, project):
    channel = make_channel(org, [{"event_type": "run.failed"}], rate_limit_per_hour=3)
    statuses = [plan(project, "run.failed", now=T0 + timedelta(minutes=i))[0].status for i in range(5)]
    assert statuses == ["pending"] * 3 + ["suppressed"] * 2
    held = Delivery.objects.filter(channel=channel, status=Delivery.Status.SUPPRESSED)
    assert {d.reason for d in held} == {"Rate limit: 3 deliveries per hour reached"}
    # The window slides: an hour after the first delivery there is room again.
    [next_hour] = plan(project, "run.failed", now=T0 + timedelta(minutes=60, seconds=1))
    assert next_hour.status == Delivery.Status.PENDING


def test_conditions_project_tags_branch(org, project):
    other_project = factories.make_project(org, name="Blog")
    make_channel(
        org,
        [{"event_type": "run.failed", "project_ids": [str(project.id)], "tags": ["smoke"], "branches": ["main"]}],
    )
    smoke = [failing_test(str(uuid.uuid4()), tags=("smoke",))]
    assert len(plan(project, "run.failed", now=T0, tests=smoke, branch="main")) == 1
    assert plan(project, "run.failed", now=T0, tests=smoke, branch="feature/x") == []
    assert plan(project, "run.failed", now=T0, tests=smoke, branch=None) == []
    assert plan(project, "run.failed", now=T0, tests=[failing_test(str(uuid.uuid4()), ("slow",))], branch="main") == []
    assert plan(other_project, "run.failed", now=T0, tests=smoke, branch="main") == []


def test_one_delivery_per_channel_by_the_highest_priority_rule(org, project):
    channel = make_channel(
        org, [{"event_type": "run.failed", "priority": "low"}, {"event_type": "run.failed", "priority": "urgent"}]
    )
    [delivery] = plan(project, "run.failed", now=T0)
    assert delivery.priority == "urgent"
    assert delivery.rule == channel.rules.get(priority="urgent")


def test_disabled_rules_and_channels_plan_nothing(org, project):
    channel = make_channel(org, [{"event_type": "run.failed", "enabled": False}])
    assert plan(project, "run.failed", now=T0) == []
    channel.rules.update(enabled=True)
    channel.enabled = False
    channel.save()
    assert plan(project, "run.failed", now=T0) == []


def test_other_organizations_channels_never_match(org, project):
    stranger_org = factories.make_org(factories.make_profile())
    make_channel(stranger_org, [{"event_type": "run.failed"}])
    assert plan(project, "run.failed", now=T0) == []


def test_sent_today_counts_deliveries_sent_since_midnight_utc(org, project):
    channel = make_channel(org, [{"event_type": "run.failed"}])
    midnight = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    for sent_at, status in [
        (midnight - timedelta(seconds=1), "sent"),
        (midnight + timedelta(seconds=1), "sent"),
        (midnight + timedelta(hours=9), "sent"),
        (midnight + timedelta(hours=9), "failed"),
    ]:
        Delivery.objects.create(
            organization=org,
            channel=channel,
            transport="email",
            event_type="run.failed",
            dedupe_key=str(uuid.uuid4()),
            status=status,
            created_at=sent_at,
            sent_at=sent_at if status == "sent" else None,
        )
    [row] = channels_for_organization(organization_id=org.id, now=midnight + timedelta(hours=10))
    assert row.sent_today == 2
