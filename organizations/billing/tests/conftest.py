from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from rest_framework.test import APIClient

from organizations.billing.tests.fake_stripe import SECRET_KEY, FakeStripe
from tests.conftest import _isolated_data, api, as_owner, org, owner  # noqa: F401  (shared fixtures)

WEBHOOK_SECRET = "whsec_test_argus"
PRICES = {"team": "price_team_test", "enterprise": "price_enterprise_test"}
WEBHOOK_URL = "/api/v1/billing/stripe/webhook"

_event_ids = itertools.count(1)


@pytest.fixture(scope="session")
def fake_stripe_server() -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(fake_stripe_server: FakeStripe, settings) -> Iterator[FakeStripe]:
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = fake_stripe_server.base_url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PRICE_IDS = dict(PRICES)
    fake_stripe_server.state.reset()
    yield fake_stripe_server
    fake_stripe_server.state.reset()


def subscription_object(
    *,
    sub_id: str,
    customer: str,
    plan: str = "team",
    status: str = "active",
    created: int | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "created": created or int(time.time()) - 3600,
        "metadata": metadata or {},
        "items": {"object": "list", "data": [{"id": f"si_{sub_id}", "price": {"id": PRICES.get(plan, plan)}}]},
    }


def stripe_event(event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None):
    return {
        "id": event_id or f"evt_test_{next(_event_ids)}_{int(time.time() * 1000)}",
        "object": "event",
        "api_version": stripe.api_version,
        "type": event_type,
        "created": created or int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def signed_post(
    client: APIClient, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
):
    """Deliver an event as Stripe does: raw JSON body and a Stripe-Signature header from the secret."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return client.generic("POST", WEBHOOK_URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
