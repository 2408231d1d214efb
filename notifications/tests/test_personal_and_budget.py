"""Members' own preferences (email, in-app) for their organizations' runs, and the budget.exceeded event."""

from __future__ import annotations

from decimal import Decimal

import pytest

from notifications.dispatch import dispatch_run_outcome
from notifications.models import Delivery, InboxItem
from notifications.outcomes import TestOutcome
from notifications.services.channels import channel_create
from notifications.tests.helpers import make_outcome
from organizations.billing.budgets import ai_usage_record
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "allow_private")]
OFF = {
    "email_test_failures": False,
    "email_test_completions": False,
    "email_weekly_digest": False,
    "in_app_test_failures": False,
    "in_app_test_completions": False,
}


@pytest.fixture
def people(org, owner):
    owner.notification_preferences = dict(OFF)
    owner.save()
    failures = factories.make_profile(
        "failures@example.com", notification_preferences={**OFF, "email_test_failures": True}
    )
    completions = factories.make_profile(
        "completions@example.com",
        notification_preferences={**OFF, "email_test_completions": True, "in_app_test_completions": True},
    )
    inbox = factories.make_profile("inbox@example.com", notification_preferences={**OFF, "in_app_test_failures": True})
    for profile in (failures, completions, inbox):
        factories.add_member(org, profile)
    outsider = factories.make_profile("outsider@example.com")  # default preferences, another organization
    factories.make_org(outsider)
    return {"failures": failures, "completions": completions, "inbox": inbox, "outsider": outsider}


def run(project, status, capture):
    tests = [TestOutcome(test_id="t1", name="Pay", status="failed" if status == "failed" else "passed")]
    with capture(execute=True):
        dispatch_run_outcome(make_outcome(project, status=status, tests=tests))


def test_a_failing_run_reaches_who_asked_for_failures_or_completions(
    org, people, smtp_server, django_capture_on_commit_callbacks
):
    run(factories.make_project(org), "failed", django_capture_on_commit_callbacks)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["completions@example.com", "failures@example.com"]
    assert all(m.message["Subject"].startswith("[Argus] Run failed in") for m in smtp_server.messages)
    inboxes = set(InboxItem.objects.values_list("recipient__email", flat=True))
    assert inboxes == {"completions@example.com", "inbox@example.com"}


def test_a_passing_run_reaches_only_who_asked_for_completions(
    org, people, smtp_server, django_capture_on_commit_callbacks
):
    run(factories.make_project(org), "passed", django_capture_on_commit_callbacks)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["completions@example.com"]]
    assert list(InboxItem.objects.values_list("recipient__email", flat=True)) == ["completions@example.com"]


def test_a_cancelled_run_tells_nobody_in_person(org, people, smtp_server, django_capture_on_commit_callbacks):
    run(factories.make_project(org), "cancelled", django_capture_on_commit_callbacks)
    assert smtp_server.messages == []
    assert not InboxItem.objects.exists()


def test_budget_exceeded_is_announced_through_channels_once(org, receiver, django_capture_on_commit_callbacks):
    channel_create(
        organization=org,
        created_by=None,
        name="finance",
        channel_type="webhook",
        config={"url": receiver.url(), "secret": "whsec_0123456789abcdef"},
        rules=[{"event_type": "budget.exceeded", "priority": "urgent"}],
    )
    org.ai_budget_daily = Decimal("1.00")
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        ai_usage_record(
            organization=org,
            provider="anthropic",
            model="claude-sonnet-4",
            input_tokens=1,
            output_tokens=1,
            cost=Decimal("1.50"),
        )
    with django_capture_on_commit_callbacks(execute=True):
        ai_usage_record(
            organization=org,
            provider="anthropic",
            model="claude-sonnet-4",
            input_tokens=1,
            output_tokens=1,
            cost=Decimal("0.50"),
        )
    bodies = [r.json() for r in receiver.requests]
    daily = [b for b in bodies if b["data"]["budget"]["period"] == "daily"]
    assert len(daily) == 1
    assert daily[0]["event"] == "budget.exceeded" and daily[0]["priority"] == "urgent"
    assert daily[0]["data"]["budget"]["budget"] == "1.00"
    assert Delivery.objects.filter(event_type="budget.exceeded").count() == len(bodies)
