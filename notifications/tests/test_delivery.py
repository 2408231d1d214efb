"""Deliveries over real receivers: SMTP, signed webhooks, Slack; retries, permanent failures, exactly once."""

from __future__ import annotations

import pytest

from notifications.dispatch import dispatch_run_outcome
from notifications.models import Delivery, InboxItem, NotificationChannel
from notifications.services.channels import channel_create
from notifications.tasks import send_delivery
from notifications.tests.helpers import make_outcome
from notifications.transports.webhook import verify
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = "whsec_0123456789abcdef"


@pytest.fixture
def project(org):
    return factories.make_project(org, name="Shop")


@pytest.fixture
def quiet_owner(owner):
    """The owner wants nothing in person, so only channel deliveries happen."""
    owner.notification_preferences = {k: False for k in owner.notification_preferences}
    owner.save()
    return owner


def channel(org, channel_type, config, *, event_type="test.failed", **rule):
    return channel_create(
        organization=org,
        created_by=None,
        name=f"{channel_type} alerts",
        channel_type=channel_type,
        config=config,
        rules=[{"event_type": event_type, **rule}],
    )


def dispatch(outcome, capture):
    with capture(execute=True):
        dispatch_run_outcome(outcome)


@pytest.mark.usefixtures("eager_celery", "allow_private", "quiet_owner")
class TestRealDelivery:
    def test_email_reaches_the_smtp_server(self, org, project, smtp_server, django_capture_on_commit_callbacks):
        channel(org, "email", {"recipients": ["qa@example.com", "lead@example.com"]})
        outcome = make_outcome(project)
        dispatch(outcome, django_capture_on_commit_callbacks)

        assert len(smtp_server.messages) == 1
        mail = smtp_server.messages[0]
        assert sorted(mail.rcpt_tos) == ["lead@example.com", "qa@example.com"]
        assert mail.message["Subject"] == "[Argus] Test failed: Checkout works (Shop)"
        assert "Expected to see Thanks" in mail.part("text/plain")
        assert outcome.run_url in mail.part("text/html")
        delivery = Delivery.objects.get(transport="email")
        assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1

    def test_webhook_is_signed_over_timestamp_and_body(
        self, org, project, receiver, django_capture_on_commit_callbacks
    ):
        channel(
            org,
            "webhook",
            {"url": receiver.url(), "secret": SECRET, "headers": {"X-Team": "qa"}},
            event_type="run.failed",
        )
        outcome = make_outcome(project)
        dispatch(outcome, django_capture_on_commit_callbacks)

        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        assert verify(SECRET, request.body, request.headers["x-argus-signature"])
        assert not verify("another-secret-of-16", request.body, request.headers["x-argus-signature"])
        assert not verify(SECRET, request.body + b" ", request.headers["x-argus-signature"])
        assert request.headers["x-team"] == "qa"
        body = request.json()
        assert body["event"] == "run.failed"
        assert body["data"]["run"]["run_id"] == outcome.run_id
        assert body["data"]["failed_tests"][0]["name"] == "Checkout works"
        assert body["id"] == request.headers["x-argus-delivery"]

    def test_old_signatures_are_rejected_by_the_documented_check(self):
        from notifications.transports.webhook import sign

        header = sign(SECRET, b"{}", 1_000_000)
        assert verify(SECRET, b"{}", header, now=1_000_100)
        assert not verify(SECRET, b"{}", header, now=1_000_000 + 301)

    def test_slack_gets_block_kit_with_a_link_to_the_run(
        self, org, project, receiver, django_capture_on_commit_callbacks
    ):
        channel(org, "slack", {"webhook_url": receiver.url("/services/T0/B0/x")}, event_type="run.failed")
        outcome = make_outcome(project)
        dispatch(outcome, django_capture_on_commit_callbacks)

        [request] = receiver.requests
        assert request.path == "/services/T0/B0/x"
        body = request.json()
        assert body["text"].startswith("[Argus] Run failed in Shop: 1 of 2 tests did not pass")
        kinds = [block["type"] for block in body["blocks"]]
        assert kinds[0] == "header" and "actions" in kinds
        button = next(b for b in body["blocks"] if b["type"] == "actions")["elements"][0]
        assert button["url"] == outcome.run_url

    def test_in_app_channel_fills_members_inboxes(self, org, owner, project, django_capture_on_commit_callbacks):
        member = factories.make_profile()
        factories.add_member(org, member)
        channel(org, "in_app", {}, event_type="run.failed")
        dispatch(make_outcome(project), django_capture_on_commit_callbacks)
        assert InboxItem.objects.filter(recipient=owner).count() == 1
        assert InboxItem.objects.filter(recipient=member).count() == 1

    def test_transient_failure_is_retried_to_success(self, org, project, receiver, django_capture_on_commit_callbacks):
        receiver.respond("/hook", (503, {}, b"busy"), (429, {"Retry-After": "1"}, b"slow down"))
        channel(org, "webhook", {"url": receiver.url(), "secret": SECRET}, event_type="run.failed")
        dispatch(make_outcome(project), django_capture_on_commit_callbacks)

        delivery = Delivery.objects.get(transport="webhook")
        assert delivery.status == Delivery.Status.SENT
        assert delivery.attempts == 3
        assert len(receiver.requests) == 3
        assert NotificationChannel.objects.get().enabled

    def test_permanent_failure_disables_the_channel_with_the_reason(
        self, org, project, receiver, django_capture_on_commit_callbacks
    ):
        receiver.respond("/hook", (410, {}, b"gone"))
        channel(org, "webhook", {"url": receiver.url(), "secret": SECRET}, event_type="run.failed")
        dispatch(make_outcome(project), django_capture_on_commit_callbacks)

        delivery = Delivery.objects.get(transport="webhook")
        assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
        assert delivery.response_code == 410
        ch = NotificationChannel.objects.get()
        assert not ch.enabled
        assert ch.disabled_reason == "HTTP 410 gone"
        # A disabled channel is skipped when the next run ends.
        dispatch(make_outcome(project), django_capture_on_commit_callbacks)
        assert len(receiver.requests) == 1

    def test_refused_email_address_disables_the_channel(
        self, org, project, smtp_server, django_capture_on_commit_callbacks
    ):
        channel(org, "email", {"recipients": ["refused@example.com"]})
        dispatch(make_outcome(project), django_capture_on_commit_callbacks)
        ch = NotificationChannel.objects.get()
        assert not ch.enabled
        assert "refused@example.com" in ch.disabled_reason
        assert smtp_server.messages == []

    def test_temporarily_refused_email_is_retried_not_disabled(self, org, project, smtp_server, settings):
        settings.ARGUS_NOTIFICATIONS_MAX_ATTEMPTS = 2
        ch = channel(org, "email", {"recipients": ["busy@example.com"]})
        from notifications.events import events_for_run
        from notifications.services.deliveries import deliveries_plan_for_event

        event = next(e for e in events_for_run(make_outcome(project)) if e.event_type == "test.failed")
        [delivery] = deliveries_plan_for_event(event=event)
        send_delivery.apply(args=[str(delivery.id)])
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.FAILED
        assert delivery.reason.startswith("Gave up after 2 attempts")
        ch.refresh_from_db()
        assert ch.enabled and ch.last_error

    def test_a_task_run_twice_sends_once(self, org, project, receiver):
        channel(org, "webhook", {"url": receiver.url(), "secret": SECRET}, event_type="run.failed")
        from notifications.events import events_for_run
        from notifications.services.deliveries import deliveries_plan_for_event

        event = next(e for e in events_for_run(make_outcome(project)) if e.event_type == "run.failed")
        [delivery] = deliveries_plan_for_event(event=event)
        assert deliveries_plan_for_event(event=event) == []  # planning twice adds no row
        assert send_delivery.apply(args=[str(delivery.id)]).get() == "sent"
        assert send_delivery.apply(args=[str(delivery.id)]).get() == "already_claimed"
        assert len(receiver.requests) == 1
        assert Delivery.objects.count() == 1

    def test_outcome_processed_twice_delivers_once(self, org, project, receiver, django_capture_on_commit_callbacks):
        channel(org, "webhook", {"url": receiver.url(), "secret": SECRET}, event_type="run.failed")
        outcome = make_outcome(project)
        dispatch(outcome, django_capture_on_commit_callbacks)
        dispatch(outcome, django_capture_on_commit_callbacks)
        assert len(receiver.requests) == 1
