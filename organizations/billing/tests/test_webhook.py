from __future__ import annotations

import json
import time

import pytest
import stripe

from organizations.billing.models import StripeEvent, StripeSubscription
from organizations.billing.tests.conftest import WEBHOOK_SECRET, signed_post, stripe_event, subscription_object
from organizations.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_org(org, fake_stripe) -> Organization:
    Organization.objects.filter(pk=org.pk).update(stripe_customer_id="cus_acme")
    org.refresh_from_db()
    return org


def test_signed_subscription_event_changes_the_plan(api, customer_org):
    sub = subscription_object(sub_id="sub_1", customer="cus_acme", plan="team")
    response = signed_post(api, stripe_event("customer.subscription.created", sub))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["received"] is True and body["duplicate"] is False
    assert "free -> team" in body["outcome"]
    customer_org.refresh_from_db()
    assert customer_org.plan == "team"
    assert customer_org.stripe_subscription_id == "sub_1"
    assert customer_org.updated_at is not None
    assert StripeEvent.objects.get(event_id=body["event_id"]).organization_id == customer_org.pk


def test_replayed_event_changes_nothing(api, customer_org):
    t = int(time.time())
    upgrade = stripe_event(
        "customer.subscription.updated", subscription_object(sub_id="sub_1", customer="cus_acme"), created=t - 10
    )
    cancel = stripe_event(
        "customer.subscription.deleted",
        subscription_object(sub_id="sub_1", customer="cus_acme", status="canceled"),
        created=t,
    )
    assert signed_post(api, upgrade).status_code == 200
    assert signed_post(api, cancel).status_code == 200
    customer_org.refresh_from_db()
    assert (customer_org.plan, customer_org.stripe_subscription_id) == ("free", None)

    replay = signed_post(api, upgrade)

    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    customer_org.refresh_from_db()
    assert customer_org.plan == "free"
    assert StripeEvent.objects.filter(event_id=upgrade["id"]).count() == 1


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "stale_timestamp", "altered_body", "no_header"],
)
def test_bad_signature_is_a_400_and_writes_nothing(api, customer_org, tamper):
    event = stripe_event("customer.subscription.created", subscription_object(sub_id="sub_x", customer="cus_acme"))
    if tamper == "wrong_secret":
        response = signed_post(api, event, secret="whsec_someone_else")
    elif tamper == "stale_timestamp":
        response = signed_post(api, event, timestamp=int(time.time()) - 3600)
    elif tamper == "no_header":
        response = api.post("/api/v1/billing/stripe/webhook", event, format="json")
    else:
        header = stripe.WebhookSignature.generate_signature_header(json.dumps(event), "whsec_test_argus")
        event["data"]["object"]["items"]["data"][0]["price"]["id"] = "price_enterprise_test"
        response = api.generic(
            "POST",
            "/api/v1/billing/stripe/webhook",
            json.dumps(event),
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )

    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 400 and body["code"] == "invalid_signature"
    assert set(body) == {"detail", "status_code", "code"}
    customer_org.refresh_from_db()
    assert customer_org.plan == "free"
    assert not StripeEvent.objects.exists()
    assert not StripeSubscription.objects.exists()


@pytest.mark.parametrize("body", ["[1, 2]", '{"id": "evt_1", "object": "event", "data": "x"}', "not json", '"evt"'])
def test_signed_body_that_is_no_event_is_a_400(api, customer_org, body):
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    response = api.generic(
        "POST", "/api/v1/billing/stripe/webhook", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_payload"
    assert not StripeEvent.objects.exists()


def test_webhook_without_a_configured_secret_is_503(api, customer_org, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    event = stripe_event("customer.subscription.created", subscription_object(sub_id="sub_1", customer="cus_acme"))
    response = signed_post(api, event)
    assert response.status_code == 503
    assert response.json()["code"] == "billing_not_configured"


def test_events_arriving_out_of_order_leave_the_newest_state(api, customer_org):
    t = int(time.time())
    created = stripe_event(
        "customer.subscription.created",
        subscription_object(sub_id="sub_1", customer="cus_acme", plan="team"),
        created=t - 60,
    )
    upgraded = stripe_event(
        "customer.subscription.updated",
        subscription_object(sub_id="sub_1", customer="cus_acme", plan="enterprise"),
        created=t,
    )
    assert signed_post(api, upgraded).status_code == 200
    late = signed_post(api, created)

    assert late.status_code == 200
    assert "stale" in late.json()["outcome"]
    customer_org.refresh_from_db()
    assert customer_org.plan == "enterprise"


def test_a_canceled_subscription_is_not_revived_by_an_event_of_the_same_second(api, customer_org):
    t = int(time.time())
    deleted = stripe_event(
        "customer.subscription.deleted",
        subscription_object(sub_id="sub_1", customer="cus_acme", status="canceled"),
        created=t,
    )
    updated = stripe_event(
        "customer.subscription.updated", subscription_object(sub_id="sub_1", customer="cus_acme"), created=t
    )
    signed_post(api, deleted)
    signed_post(api, updated)

    customer_org.refresh_from_db()
    assert customer_org.plan == "free"
    assert StripeSubscription.objects.get(subscription_id="sub_1").status == "canceled"


def test_switching_subscriptions_keeps_the_live_one(api, customer_org):
    t = int(time.time())
    signed_post(
        api,
        stripe_event(
            "customer.subscription.created",
            subscription_object(sub_id="sub_old", customer="cus_acme", plan="team", created=t - 1000),
            created=t - 30,
        ),
    )
    signed_post(
        api,
        stripe_event(
            "customer.subscription.created",
            subscription_object(sub_id="sub_new", customer="cus_acme", plan="enterprise", created=t - 20),
            created=t - 20,
        ),
    )
    signed_post(
        api,
        stripe_event(
            "customer.subscription.deleted",
            subscription_object(
                sub_id="sub_old", customer="cus_acme", plan="team", status="canceled", created=t - 1000
            ),
            created=t - 10,
        ),
    )

    customer_org.refresh_from_db()
    assert (customer_org.plan, customer_org.stripe_subscription_id) == ("enterprise", "sub_new")


def test_unpaid_and_incomplete_subscriptions_grant_no_plan(api, customer_org):
    t = int(time.time())
    signed_post(
        api,
        stripe_event(
            "customer.subscription.created",
            subscription_object(sub_id="sub_1", customer="cus_acme", status="incomplete"),
            created=t - 10,
        ),
    )
    customer_org.refresh_from_db()
    assert customer_org.plan == "free"
    signed_post(
        api,
        stripe_event(
            "customer.subscription.updated",
            subscription_object(sub_id="sub_1", customer="cus_acme"),
            created=t - 5,
        ),
    )
    customer_org.refresh_from_db()
    assert customer_org.plan == "team"
    signed_post(
        api,
        stripe_event(
            "customer.subscription.updated",
            subscription_object(sub_id="sub_1", customer="cus_acme", status="unpaid"),
            created=t,
        ),
    )
    customer_org.refresh_from_db()
    assert (customer_org.plan, customer_org.stripe_subscription_id) == ("free", None)


def test_unknown_price_grants_no_plan(api, customer_org):
    sub = subscription_object(sub_id="sub_1", customer="cus_acme", plan="price_somebody_elses")
    assert signed_post(api, stripe_event("customer.subscription.created", sub)).status_code == 200
    customer_org.refresh_from_db()
    assert customer_org.plan == "free"


def test_event_of_an_unknown_customer_is_acknowledged_and_changes_nothing(api, customer_org):
    other = factories.make_org(name="Other")
    sub = subscription_object(sub_id="sub_9", customer="cus_stranger")
    response = signed_post(api, stripe_event("customer.subscription.created", sub))

    assert response.status_code == 200
    assert response.json()["outcome"] == "no matching organization"
    for organization in (customer_org, other):
        organization.refresh_from_db()
        assert organization.plan == "free"


def test_metadata_links_an_organization_without_a_customer_yet(api, fake_stripe):
    org = factories.make_org(name="Fresh")
    sub = subscription_object(
        sub_id="sub_1", customer="cus_new", metadata={"organization_id": str(org.id), "plan": "team"}
    )
    signed_post(api, stripe_event("customer.subscription.created", sub))

    org.refresh_from_db()
    assert (org.plan, org.stripe_customer_id) == ("team", "cus_new")


def test_metadata_cannot_claim_an_organization_of_another_customer(api, customer_org):
    sub = subscription_object(
        sub_id="sub_1", customer="cus_intruder", metadata={"organization_id": str(customer_org.id)}
    )
    response = signed_post(api, stripe_event("customer.subscription.created", sub))
    assert response.json()["outcome"] == "no matching organization"
    customer_org.refresh_from_db()
    assert (customer_org.plan, customer_org.stripe_customer_id) == ("free", "cus_acme")


def test_checkout_completed_reads_the_subscription_from_stripe(api, customer_org, fake_stripe):
    fake_stripe.state.subscriptions["sub_co"] = subscription_object(
        sub_id="sub_co", customer="cus_acme", plan="enterprise"
    )
    session = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "customer": "cus_acme",
        "subscription": "sub_co",
        "client_reference_id": str(customer_org.id),
    }
    response = signed_post(api, stripe_event("checkout.session.completed", session))

    assert response.status_code == 200, response.content
    assert [r.path for r in fake_stripe.state.requests] == ["/v1/subscriptions/sub_co"]
    customer_org.refresh_from_db()
    assert (customer_org.plan, customer_org.stripe_subscription_id) == ("enterprise", "sub_co")


def test_checkout_completed_when_stripe_is_unreachable_is_retried_later(api, customer_org, fake_stripe):
    fake_stripe.state.fail_next = (500, {"error": {"type": "api_error", "message": "boom"}})
    session = {
        "id": "cs_test_2",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": "cus_acme",
        "subscription": "sub_co",
    }
    event = stripe_event("checkout.session.completed", session)
    response = signed_post(api, event)

    assert response.status_code == 502
    assert response.json()["code"] == "stripe_error"
    # Not recorded as processed, so Stripe's next delivery is applied.
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()
    fake_stripe.state.subscriptions["sub_co"] = subscription_object(sub_id="sub_co", customer="cus_acme")
    assert signed_post(api, event).status_code == 200
    customer_org.refresh_from_db()
    assert customer_org.plan == "team"


def test_other_event_types_are_acknowledged_once(api, customer_org):
    event = stripe_event("invoice.paid", {"id": "in_1", "object": "invoice", "customer": "cus_acme"})
    first = signed_post(api, event)
    again = signed_post(api, event)
    assert first.json()["outcome"] == "ignored" and first.json()["duplicate"] is False
    assert again.json()["duplicate"] is True
    customer_org.refresh_from_db()
    assert customer_org.plan == "free"
