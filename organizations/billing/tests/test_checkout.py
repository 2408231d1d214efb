from __future__ import annotations

import pytest

from organizations.billing.tests.conftest import PRICES, signed_post, stripe_event, subscription_object
from organizations.models import Organization
from organizations.roles import Role
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def checkout_url(org: Organization) -> str:
    return f"/api/v1/billing/organizations/{org.id}/checkout"


def portal_url(org: Organization) -> str:
    return f"/api/v1/billing/organizations/{org.id}/portal"


def test_checkout_creates_the_customer_once_and_a_subscription_session(as_owner, org, fake_stripe):
    body = {"plan": "team", "success_url": "https://app.test/ok", "cancel_url": "https://app.test/no"}
    response = as_owner.post(checkout_url(org), body, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["session_id"].startswith("cs_test_")
    assert data["checkout_url"].startswith("https://checkout.stripe.test/")
    org.refresh_from_db()
    assert org.stripe_customer_id.startswith("cus_fake")
    assert org.plan == "free"  # only the webhook changes plans

    [customer] = fake_stripe.state.calls("/v1/customers")
    assert customer.idempotency_key == f"argus-customer-{org.id}"
    assert customer.params["metadata[organization_id]"] == str(org.id)
    [session] = fake_stripe.state.calls("/v1/checkout/sessions")
    assert session.params["mode"] == "subscription"
    assert session.params["customer"] == org.stripe_customer_id
    assert session.params["line_items[0][price]"] == PRICES["team"]
    assert session.params["client_reference_id"] == str(org.id)
    assert session.params["subscription_data[metadata][organization_id]"] == str(org.id)
    assert session.params["success_url"] == "https://app.test/ok"

    again = as_owner.post(checkout_url(org), {"plan": "enterprise"}, format="json")
    assert again.status_code == 200
    assert len(fake_stripe.state.calls("/v1/customers")) == 1
    second = fake_stripe.state.calls("/v1/checkout/sessions")[1]
    assert second.params["customer"] == org.stripe_customer_id
    assert second.params["line_items[0][price]"] == PRICES["enterprise"]


def test_checkout_then_webhook_upgrades_the_plan(as_owner, api, org, fake_stripe):
    session_id = as_owner.post(checkout_url(org), {"plan": "team"}, format="json").json()["session_id"]
    org.refresh_from_db()
    fake_stripe.state.subscriptions["sub_paid"] = subscription_object(
        sub_id="sub_paid", customer=org.stripe_customer_id, metadata={"organization_id": str(org.id)}
    )
    completed = {
        "id": session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "customer": org.stripe_customer_id,
        "subscription": "sub_paid",
        "client_reference_id": str(org.id),
    }
    assert signed_post(api, stripe_event("checkout.session.completed", completed)).status_code == 200

    overview = as_owner.get(f"/api/v1/billing/organizations/{org.id}").json()
    assert overview["plan"] == "team"
    assert overview["stripe_subscription_id"] == "sub_paid"
    assert overview["subscription_status"] == "active"
    assert overview["limits"]["projects"]["limit"] == 25

    # A subscribed organization changes plans in the portal, not with a second subscription.
    refused = as_owner.post(checkout_url(org), {"plan": "enterprise"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "subscription_exists"


@pytest.mark.parametrize("plan", ["free", "platinum", ""])
def test_checkout_of_an_unsellable_plan_is_422(as_owner, org, fake_stripe, plan):
    response = as_owner.post(checkout_url(org), {"plan": plan}, format="json")
    assert response.status_code == 422
    assert "plan" in response.json()["errors"]
    assert fake_stripe.state.requests == []


def test_checkout_with_a_bad_return_url_or_an_unknown_field_is_422(as_owner, org, fake_stripe):
    response = as_owner.post(checkout_url(org), {"plan": "team", "success_url": "not a url"}, format="json")
    assert response.status_code == 422
    assert "success_url" in response.json()["errors"]
    # A caller cannot choose the price: the plan's price comes from settings.
    response = as_owner.post(checkout_url(org), {"plan": "team", "price": "price_cheap"}, format="json")
    assert response.status_code == 422
    assert "price" in response.json()["errors"]
    assert fake_stripe.state.requests == []


def test_checkout_needs_admin_role_and_admin_scope(org, owner, fake_stripe):
    member = factories.make_profile()
    factories.add_member(org, member, Role.MEMBER)
    admin = factories.make_profile()
    factories.add_member(org, admin, Role.ADMIN)
    stranger = factories.make_profile()
    factories.make_org(stranger)

    assert client_for(member).post(checkout_url(org), {"plan": "team"}, format="json").status_code == 403
    assert client_for(stranger).post(checkout_url(org), {"plan": "team"}, format="json").status_code == 404
    assert client_for(admin).post(checkout_url(org), {"plan": "team"}, format="json").status_code == 200

    _key, raw = factories.make_api_key(org, owner, scopes=["read", "write"])
    keyed = client_for(owner)
    keyed.credentials(**factories.api_key_header(raw))
    refused = keyed.post(checkout_url(org), {"plan": "team"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    _key, raw = factories.make_api_key(org, owner, scopes=["admin"])
    keyed.credentials(**factories.api_key_header(raw))
    assert keyed.post(checkout_url(org), {"plan": "team"}, format="json").status_code == 200


def test_stripe_refusal_is_a_502_and_stores_nothing(as_owner, org, fake_stripe):
    fake_stripe.state.fail_next = (402, {"error": {"type": "card_error", "message": "Your card was declined."}})
    response = as_owner.post(checkout_url(org), {"plan": "team"}, format="json")

    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "stripe_error" and "declined" in body["detail"]
    org.refresh_from_db()
    assert org.stripe_customer_id is None


def test_wrong_secret_key_is_a_502_not_a_crash(as_owner, org, fake_stripe, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    response = as_owner.post(checkout_url(org), {"plan": "team"}, format="json")
    assert response.status_code == 502
    assert "sk_test_wrong" not in response.content.decode()


def test_unconfigured_billing_is_503(as_owner, org, fake_stripe, settings):
    settings.STRIPE_PRICE_IDS = {"team": "", "enterprise": ""}
    response = as_owner.post(checkout_url(org), {"plan": "team"}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "billing_not_configured"
    settings.STRIPE_PRICE_IDS = dict(PRICES)
    settings.STRIPE_SECRET_KEY = ""
    response = as_owner.post(checkout_url(org), {"plan": "team"}, format="json")
    assert response.status_code == 503
    assert fake_stripe.state.requests == []


def test_portal_needs_a_customer_then_opens_stripes_portal(as_owner, org, fake_stripe):
    refused = as_owner.post(portal_url(org), {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "no_customer"

    Organization.objects.filter(pk=org.pk).update(stripe_customer_id="cus_portal")
    response = as_owner.post(portal_url(org), {"return_url": "https://app.test/settings"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["portal_url"].startswith("https://billing.stripe.test/")
    [call] = fake_stripe.state.calls("/v1/billing_portal/sessions")
    assert call.params == {"customer": "cus_portal", "return_url": "https://app.test/settings"}


def test_portal_for_a_member_is_403(org, fake_stripe):
    member = factories.make_profile()
    factories.add_member(org, member, Role.MEMBER)
    assert client_for(member).post(portal_url(org), {}, format="json").status_code == 403
