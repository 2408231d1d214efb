from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from argus.errors import ValidationFailed
from organizations.billing import signals
from organizations.billing.budgets import ai_budget_check, ai_budget_guard, ai_cost, ai_usage_record
from organizations.billing.errors import AIBudgetExceeded
from organizations.billing.models import AIUsage, BudgetAlert
from organizations.models import Organization
from organizations.roles import Role
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """Every budget_exceeded the signal delivers, as the notifications app would receive it."""
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signals.budget_exceeded.connect(receiver, weak=False)
    yield received
    signals.budget_exceeded.disconnect(receiver)


def set_budgets(org: Organization, daily: str, monthly: str) -> None:
    Organization.objects.filter(pk=org.pk).update(ai_budget_daily=Decimal(daily), ai_budget_monthly=Decimal(monthly))


def past_entry(org: Organization, cost: str, when) -> None:
    """A ledger row from the past, written directly: charging it now would cross today's budget."""
    usage = AIUsage.objects.create(
        organization=org, provider="anthropic", model="claude-sonnet-4", cost=Decimal(cost), purpose="old"
    )
    AIUsage.objects.filter(pk=usage.pk).update(created_at=when)


def record(org: Organization, cost: str, **kwargs) -> AIUsage:
    return ai_usage_record(
        organization=org,
        provider="anthropic",
        model="claude-sonnet-4-20250514",
        input_tokens=kwargs.pop("input_tokens", 100),
        output_tokens=kwargs.pop("output_tokens", 10),
        cost=Decimal(cost),
        purpose=kwargs.pop("purpose", "heal"),
    )


def test_cost_comes_from_the_longest_matching_model_prefix():
    assert ai_cost("anthropic", "claude-sonnet-4-20250514", 1_000_000, 0) == Decimal("3.000000")
    assert ai_cost("anthropic", "claude-3-5-haiku-latest", 1000, 1000) == Decimal("0.004800")
    assert ai_cost("openai", "gpt-4o-mini-2024", 2_000_000, 1_000_000) == Decimal("0.900000")
    # An unlisted model is charged the provider's "*" price, not nothing.
    assert ai_cost("anthropic", "claude-future-9", 1_000_000, 0) == Decimal("15.000000")
    with pytest.raises(ImproperlyConfigured):
        ai_cost("nobody", "x", 1, 1)


def test_usage_without_a_cost_is_priced_from_the_table(org):
    usage = ai_usage_record(
        organization=org,
        provider="anthropic",
        model="claude-sonnet-4",
        input_tokens=2000,
        output_tokens=1000,
        purpose="heal",
    )
    assert usage.cost == Decimal("0.021000")


@pytest.mark.parametrize(
    "fields",
    [{"input_tokens": -1}, {"output_tokens": 1.5}, {"cost": Decimal("-0.01")}, {"provider": ""}],
)
def test_invalid_usage_is_refused_and_writes_nothing(org, fields):
    values = {
        "provider": "anthropic",
        "model": "claude-sonnet-4",
        "input_tokens": 1,
        "output_tokens": 1,
        "cost": None,
        **fields,
    }
    with pytest.raises(ValidationFailed) as error:
        ai_usage_record(organization=org, purpose="x", **values)
    assert set(error.value.errors) == {next(iter(fields))}
    assert not AIUsage.objects.exists()


def test_crossing_the_daily_budget_announces_once_and_refuses_further_calls(
    org, announced, django_capture_on_commit_callbacks, caplog
):
    set_budgets(org, "1.00", "25.00")
    with django_capture_on_commit_callbacks(execute=True):
        record(org, "0.60")
    ai_budget_check(organization=org)  # 0.60 of 1.00: allowed
    assert announced == []

    with django_capture_on_commit_callbacks(execute=True):
        record(org, "0.50")
        record(org, "0.10")  # already over: no second announcement

    assert len(announced) == 1
    assert announced[0]["organization"] == org
    assert announced[0]["period"] == "daily"
    assert announced[0]["spent"] == Decimal("1.100000") and announced[0]["budget"] == Decimal("1.00")
    assert BudgetAlert.objects.filter(organization=org).count() == 1

    with caplog.at_level(logging.WARNING, logger="organizations.billing.budgets"), pytest.raises(AIBudgetExceeded) as e:
        ai_budget_check(organization=org, purpose="summary")
    assert e.value.status_code == 403 and e.value.code == "ai_budget_exceeded"
    assert e.value.period == "daily"
    assert "daily AI budget of $1.00" in e.value.detail
    assert any("ai.refused" in r.getMessage() and "purpose=summary" in r.getMessage() for r in caplog.records)
    assert len(announced) == 1


def test_monthly_budget_counts_earlier_days_and_daily_resets(org, announced, django_capture_on_commit_callbacks):
    set_budgets(org, "5.00", "6.00")
    now = timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # The first moment of the month: an earlier day except on the 1st, when it is also today.
    past_entry(org, "4.00", month_start)
    past_entry(org, "9.00", month_start - timedelta(hours=1))  # last month: counts toward neither

    ai_budget_check(organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        record(org, "2.50")

    assert [a["period"] for a in announced] == (["monthly"] if now.day > 1 else ["daily", "monthly"])
    assert announced[-1]["spent"] == Decimal("6.500000")
    with pytest.raises(AIBudgetExceeded) as e:
        ai_budget_check(organization=org)
    assert e.value.spent >= Decimal("6.00")


def test_yesterdays_spend_does_not_count_today(org):
    set_budgets(org, "1.00", "1000.00")
    past_entry(org, "5.00", timezone.now().replace(hour=0, minute=0, second=0) - timedelta(minutes=1))
    ai_budget_check(organization=org)  # a new day: the daily budget is fresh


def test_a_budget_lowered_below_spend_refuses_and_announces(org, announced, django_capture_on_commit_callbacks):
    set_budgets(org, "10.00", "100.00")
    record(org, "2.00")
    ai_budget_check(organization=org)
    set_budgets(org, "1.00", "100.00")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AIBudgetExceeded):
        ai_budget_check(organization=org)
    assert [a["period"] for a in announced] == ["daily"]


def test_zero_budget_means_no_ai(org):
    set_budgets(org, "0", "0")
    with pytest.raises(AIBudgetExceeded):
        ai_budget_check(organization=org)


def test_guard_charges_what_the_call_used(org):
    with ai_budget_guard(organization=org, provider="anthropic", model="claude-sonnet-4", purpose="heal") as meter:
        meter.add(input_tokens=1000, output_tokens=200)
    usage = AIUsage.objects.get(organization=org)
    assert (usage.input_tokens, usage.output_tokens, usage.purpose) == (1000, 200, "heal")
    assert usage.cost == Decimal("0.006000")


def test_guard_charges_even_when_the_caller_fails_after_the_answer(org):
    with pytest.raises(RuntimeError):  # noqa: SIM117
        with ai_budget_guard(organization=org, provider="anthropic", model="claude-sonnet-4") as meter:
            meter.add(input_tokens=10, output_tokens=10)
            raise RuntimeError("could not parse the model's answer")
    assert AIUsage.objects.filter(organization=org).count() == 1


def test_guard_refuses_before_the_call_when_over_budget(org):
    set_budgets(org, "0.01", "25.00")
    record(org, "0.02")
    called = []
    with pytest.raises(AIBudgetExceeded):  # noqa: SIM117
        with ai_budget_guard(organization=org, provider="anthropic", model="claude-sonnet-4"):
            called.append(True)
    assert called == []
    assert AIUsage.objects.filter(organization=org).count() == 1


def test_ai_usage_endpoint(as_owner, org):
    set_budgets(org, "1.00", "25.00")
    record(org, "0.25", purpose="heal")
    record(org, "0.15", purpose="summary")
    ai_usage_record(
        organization=org,
        provider="openai",
        model="gpt-4o",
        input_tokens=1000,
        output_tokens=0,
        cost=Decimal("0.10"),
        purpose="heal",
    )
    past_entry(org, "3.00", timezone.now() - timedelta(days=40))
    other = factories.make_org(name="Other")
    record(other, "7.00")

    response = as_owner.get(f"/api/v1/billing/organizations/{org.id}/ai-usage?days=30")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["today"]["spent"] == pytest.approx(0.50)
    assert data["today"]["budget"] == 1.0 and data["today"]["remaining"] == pytest.approx(0.50)
    assert data["today"]["exceeded"] is False
    assert data["this_month"]["budget"] == 25.0
    assert data["total_cost"] == pytest.approx(0.50)
    by_model = {(m["provider"], m["model"]): m for m in data["by_model"]}
    assert by_model[("anthropic", "claude-sonnet-4-20250514")]["calls"] == 2
    assert by_model[("openai", "gpt-4o")]["cost"] == pytest.approx(0.10)
    assert len(data["recent"]) == 4  # the ledger's latest entries, of this organization only
    assert data["recent"][0]["purpose"] == "heal" and data["recent"][0]["model"] == "gpt-4o"
    assert sum(day["calls"] for day in data["by_day"]) == 3


def test_ai_usage_endpoint_validates_days_and_role(as_owner, org):
    bad = as_owner.get(f"/api/v1/billing/organizations/{org.id}/ai-usage?days=0")
    assert bad.status_code == 422 and "days" in bad.json()["errors"]
    viewer = factories.make_profile()
    factories.add_member(org, viewer, Role.VIEWER)
    assert client_for(viewer).get(f"/api/v1/billing/organizations/{org.id}/ai-usage").status_code == 403
