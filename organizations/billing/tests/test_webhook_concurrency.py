from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from organizations.billing.models import StripeEvent, StripeSubscription
from organizations.billing.tests.conftest import signed_post, stripe_event, subscription_object
from organizations.models import Organization
from tests import factories


def deliver_together(events: list[dict]) -> list[dict]:
    """Each event from its own thread and connection, released at once, as Stripe's retries can arrive."""
    results: list[dict] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(events))

    def deliver(event: dict) -> None:
        try:
            barrier.wait()
            response = signed_post(APIClient(), event)
            results.append({"status": response.status_code, **response.json()})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(e,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_deliveries_apply_once_and_keep_the_newest_state(fake_stripe):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; run with DATABASE_URL=postgresql://...")
    org = factories.make_org(name="Racing")
    Organization.objects.filter(pk=org.pk).update(stripe_customer_id="cus_race")
    t = int(time.time())
    same = stripe_event("customer.subscription.created", subscription_object(sub_id="sub_r", customer="cus_race"))
    results = deliver_together([same, same, same])
    assert sorted(r["duplicate"] for r in results) == [False, True, True]
    assert StripeEvent.objects.filter(event_id=same["id"]).count() == 1

    # A new subscription's first two events racing: neither finds a row to lock, so only the
    # organization lock keeps the older one from overwriting the newer.
    for n in range(5):
        sub_id = f"sub_new{n}"
        older = stripe_event(
            "customer.subscription.created",
            subscription_object(sub_id=sub_id, customer="cus_race", plan="team"),
            created=t + 10 * n + 1,
        )
        newer = stripe_event(
            "customer.subscription.updated",
            subscription_object(sub_id=sub_id, customer="cus_race", plan="enterprise", status="canceled"),
            created=t + 10 * n + 2,
        )
        assert all(r["status"] == 200 for r in deliver_together([newer, older]))
        assert StripeSubscription.objects.get(subscription_id=sub_id).status == "canceled"
    org.refresh_from_db()
    assert (org.plan, org.stripe_subscription_id) == ("team", "sub_r")
