from __future__ import annotations

import uuid

from django.db import models

from organizations.models import Organization


class AIUsage(models.Model):
    """One AI call charged to an organization: the ledger budgets are measured against. Never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="ai_usage")
    provider = models.CharField(max_length=50)
    model = models.CharField(max_length=100)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    # US dollars; six places because one small call costs fractions of a cent.
    cost = models.DecimalField(max_digits=12, decimal_places=6)
    purpose = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_at"])]
        verbose_name = "AI usage entry"
        verbose_name_plural = "AI usage ledger"

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} ${self.cost} for {self.organization_id}"


class BudgetPeriod(models.TextChoices):
    DAILY = "daily"
    MONTHLY = "monthly"


class BudgetAlert(models.Model):
    """Proof that `budget.exceeded` was announced for a period; the unique constraint makes it once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="budget_alerts")
    period = models.CharField(max_length=10, choices=BudgetPeriod.choices)
    period_start = models.DateField()
    spent = models.DecimalField(max_digits=12, decimal_places=6)
    budget = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "period", "period_start"], name="budget_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.period} budget exceeded for {self.organization_id} from {self.period_start}"


class StripeEvent(models.Model):
    """A Stripe webhook event already handled; its id makes a replay change nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    # Stripe's own creation time (epoch seconds), kept to reason about ordering.
    created = models.BigIntegerField()
    livemode = models.BooleanField(default=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events"
    )
    outcome = models.CharField(max_length=255)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class StripeSubscription(models.Model):
    """The last known state of one Stripe subscription of an organization.

    Stripe does not promise delivery order, so each row keeps the time of the state it holds and only
    a newer state replaces it; the organization's plan is then derived from all its subscriptions.
    """

    subscription_id = models.CharField(max_length=255, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stripe_subscriptions")
    customer_id = models.CharField(max_length=255)
    status = models.CharField(max_length=40)
    price_id = models.CharField(max_length=255, blank=True, default="")
    # The plan the price maps to; empty for a price Argus does not sell.
    plan = models.CharField(max_length=20, blank=True, default="")
    # Epoch seconds: when Stripe created the subscription, and when the state held here was current.
    subscription_created = models.BigIntegerField()
    state_as_of = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-subscription_created"]

    def __str__(self) -> str:
        return f"{self.subscription_id} ({self.status}, {self.plan or 'unknown plan'})"
