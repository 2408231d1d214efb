from __future__ import annotations

import time

import pytest

from argus.errors import PlanLimitExceeded
from organizations.billing.limits import enforce_plan_limit, plan_usage, register_usage_counter
from organizations.billing.tests.conftest import signed_post, stripe_event, subscription_object
from organizations.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_org(org, fake_stripe, settings) -> Organization:
    settings.ARGUS_PLANS = {
        **settings.ARGUS_PLANS,
        "free": {**settings.ARGUS_PLANS["free"], "projects": 2, "members": 2},
    }
    Organization.objects.filter(pk=org.pk).update(stripe_customer_id="cus_limits")
    org.refresh_from_db()
    return org


def upgrade(api, org: Organization, plan: str) -> None:
    sub = subscription_object(sub_id=f"sub_{plan}", customer=org.stripe_customer_id, plan=plan)
    response = signed_post(api, stripe_event("customer.subscription.updated", sub, created=int(time.time())))
    assert response.status_code == 200, response.content


def test_enforce_plan_limit_names_the_limit(org):
    with pytest.raises(PlanLimitExceeded) as error:
        enforce_plan_limit(organization=org, limit="runs_per_month", current=500)
    assert error.value.status_code == 403
    assert error.value.code == "plan_limit_runs_per_month"
    assert "500 runs per month" in error.value.detail and "free plan" in error.value.detail
    enforce_plan_limit(organization=org, limit="runs_per_month", current=499)


def test_over_limit_project_create_is_403_until_the_webhook_upgrades(as_owner, api, customer_org):
    body = {"organization_id": str(customer_org.id), "name": "P", "app_url": "https://app.example.com"}
    for n in range(2):
        created = as_owner.post("/api/v1/projects", {**body, "name": f"P{n}"}, format="json")
        assert created.status_code == 201, created.content

    refused = as_owner.post("/api/v1/projects", {**body, "name": "P3"}, format="json")

    assert refused.status_code == 403
    error = refused.json()
    assert error["code"] == "plan_limit_projects"
    assert "2 projects" in error["detail"] and error["status_code"] == 403
    assert customer_org.projects.count() == 2

    upgrade(api, customer_org, "team")
    assert as_owner.post("/api/v1/projects", {**body, "name": "P3"}, format="json").status_code == 201


def test_over_limit_member_invite_is_403_naming_members(as_owner, api, customer_org):
    url = f"/api/v1/teams/organizations/{customer_org.id}/members/invite"
    assert as_owner.post(url, {"email": "second@example.com"}, format="json").status_code == 201

    refused = as_owner.post(url, {"email": "third@example.com"}, format="json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "plan_limit_members"
    assert "2 members" in refused.json()["detail"]

    upgrade(api, customer_org, "enterprise")
    assert as_owner.post(url, {"email": "third@example.com"}, format="json").status_code == 201


def test_overview_shows_each_limit_against_its_use(as_owner, customer_org):
    factories.make_project(customer_org)
    factories.add_member(customer_org, factories.make_profile())

    response = as_owner.get(f"/api/v1/billing/organizations/{customer_org.id}")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["plan"] == "free" and data["stripe_customer_id"] == "cus_limits"
    assert data["stripe_subscription_id"] is None and data["subscription_status"] is None
    assert data["limits"]["projects"] == {"limit": 2, "used": 1}
    assert data["limits"]["members"] == {"limit": 2, "used": 2}
    assert set(data["limits"]) == {"projects", "members", "runs_per_month", "concurrent_runs", "streams"}


def test_apps_above_billing_register_their_counters(org, monkeypatch):
    from organizations.billing import limits

    monkeypatch.setattr(limits, "_usage_counters", dict(limits._usage_counters))
    register_usage_counter(limit="streams", counter=lambda organization: 3)
    assert plan_usage(organization=org)["streams"] == {"limit": 10, "used": 3}
    with pytest.raises(ValueError):
        register_usage_counter(limit="bananas", counter=lambda organization: 0)
