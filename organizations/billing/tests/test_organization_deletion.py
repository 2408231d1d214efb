"""Deleting an organization stops its billing: open Stripe subscriptions are cancelled first, or nothing is deleted."""

from __future__ import annotations

import pytest

from organizations.billing.models import StripeSubscription
from organizations.billing.tests.conftest import signed_post, stripe_event, subscription_object
from organizations.models import Membership, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def paying_org(org, api, fake_stripe) -> Organization:
    Organization.objects.filter(pk=org.pk).update(stripe_customer_id="cus_gone")
    sub = subscription_object(sub_id="sub_live", customer="cus_gone", plan="team")
    fake_stripe.state.subscriptions["sub_live"] = sub
    assert signed_post(api, stripe_event("customer.subscription.created", sub)).status_code == 200
    # An old subscription Stripe already ended: nothing to cancel there.
    ended = subscription_object(sub_id="sub_old", customer="cus_gone", status="canceled", created=1)
    assert signed_post(api, stripe_event("customer.subscription.deleted", ended)).status_code == 200
    fake_stripe.state.requests.clear()
    org.refresh_from_db()
    assert org.plan == "team"
    return org


def delete(client, org: Organization):
    return client.delete(f"/api/v1/organizations/{org.pk}")


def test_deleting_a_paying_organization_cancels_its_subscription(as_owner, paying_org, fake_stripe):
    response = delete(as_owner, paying_org)

    assert response.status_code == 200, response.content
    assert [(r.method, r.path) for r in fake_stripe.state.requests] == [("DELETE", "/v1/subscriptions/sub_live")]
    assert fake_stripe.state.subscriptions["sub_live"]["status"] == "canceled"
    assert not Organization.objects.filter(pk=paying_org.pk).exists()


def test_when_stripe_cannot_cancel_nothing_is_deleted(as_owner, paying_org, fake_stripe):
    fake_stripe.state.fail_next = (500, {"error": {"type": "api_error", "message": "Stripe is having a bad day"}})

    response = delete(as_owner, paying_org)

    assert response.status_code == 502, response.content
    body = response.json()
    assert body["code"] == "stripe_error" and body["status_code"] == 502
    assert "cancel subscription sub_live" in body["detail"]
    assert Organization.objects.filter(pk=paying_org.pk, plan="team").exists()
    assert Membership.objects.filter(organization=paying_org).exists()
    assert StripeSubscription.objects.get(subscription_id="sub_live").status == "active"
    # Asked again once Stripe is back, the deletion goes through.
    assert delete(as_owner, paying_org).status_code == 200


def test_a_subscription_stripe_no_longer_knows_does_not_block_deletion(as_owner, paying_org, fake_stripe):
    del fake_stripe.state.subscriptions["sub_live"]

    assert delete(as_owner, paying_org).status_code == 200
    assert not Organization.objects.filter(pk=paying_org.pk).exists()


def test_an_organization_that_never_paid_is_deleted_without_asking_stripe(as_owner, org, settings):
    settings.STRIPE_SECRET_KEY = ""  # billing not even configured

    assert delete(as_owner, org).status_code == 200
    assert not Organization.objects.filter(pk=org.pk).exists()
