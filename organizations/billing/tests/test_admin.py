from __future__ import annotations

from decimal import Decimal

import pytest

from organizations.billing.budgets import ai_usage_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["aiusage", "budgetalert", "stripeevent", "stripesubscription"])
def test_operators_read_billing_records_but_cannot_edit_them(admin_client, org, model):
    ai_usage_record(
        organization=org,
        provider="anthropic",
        model="claude-sonnet-4",
        input_tokens=1,
        output_tokens=1,
        cost=Decimal("0.01"),
        purpose="heal",
    )
    assert admin_client.get(f"/admin/billing/{model}/").status_code == 200
    assert admin_client.get(f"/admin/billing/{model}/add/").status_code == 403
