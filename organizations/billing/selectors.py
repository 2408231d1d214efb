"""Reads for billing; the caller has already resolved the organization through access checks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from organizations.billing.budgets import ai_budget_status
from organizations.billing.limits import plan_usage
from organizations.billing.models import AIUsage, StripeSubscription
from organizations.models import Organization

RECENT_ENTRIES = 20


def billing_overview(*, organization: Organization) -> dict[str, Any]:
    subscription = (
        StripeSubscription.objects.filter(
            organization=organization, subscription_id=organization.stripe_subscription_id
        ).first()
        if organization.stripe_subscription_id
        else None
    )
    return {
        "organization_id": organization.id,
        "plan": organization.plan,
        "stripe_customer_id": organization.stripe_customer_id,
        "stripe_subscription_id": organization.stripe_subscription_id,
        "subscription_status": subscription.status if subscription else None,
        "limits": plan_usage(organization=organization),
    }


def ai_usage_summary(*, organization: Organization, days: int) -> dict[str, Any]:
    """Today and this month against the budgets, plus the last `days` days by model and by day."""
    since = timezone.now() - timedelta(days=days)
    entries = AIUsage.objects.filter(organization=organization, created_at__gte=since)
    by_model = (
        entries.values("provider", "model")
        .annotate(
            calls=Count("id"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cost=Sum("cost"),
        )
        .order_by("-cost", "provider", "model")
    )
    by_day = (
        entries.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(calls=Count("id"), cost=Sum("cost"))
        .order_by("day")
    )
    return {
        "organization_id": organization.id,
        "days": days,
        "budgets": ai_budget_status(organization=organization),
        "total_cost": entries.aggregate(total=Sum("cost"))["total"] or Decimal(0),
        "by_model": list(by_model),
        "by_day": list(by_day),
        "recent": list(AIUsage.objects.filter(organization=organization)[:RECENT_ENTRIES]),
    }
