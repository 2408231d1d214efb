"""AI budgets: every AI call is charged to its organization and stops at ai_budget_daily / ai_budget_monthly.

A caller wraps the provider call:

    with ai_budget_guard(organization=org, provider="anthropic", model=model, purpose="heal") as meter:
        response = client.messages.create(...)
        meter.add(input_tokens=response.usage.input_tokens, output_tokens=response.usage.output_tokens)

The guard refuses (AIBudgetExceeded, a 403 with code "ai_budget_exceeded", and a log line) before the
call when a budget is used up, and charges what the meter saw afterwards, even if the caller failed
after the provider answered. Two calls racing past the check can overshoot by one call: budgets stop
spending, they do not reserve it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from argus.errors import ValidationFailed
from organizations.billing import signals
from organizations.billing.errors import AIBudgetExceeded
from organizations.billing.models import AIUsage, BudgetAlert, BudgetPeriod
from organizations.models import Organization

logger = logging.getLogger(__name__)

COST_PLACES = Decimal("0.000001")
PER_TOKENS = Decimal(1_000_000)


@dataclass(frozen=True)
class BudgetStatus:
    period: str
    period_start: date
    resets_at: datetime
    spent: Decimal
    budget: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.budget - self.spent, Decimal(0))

    @property
    def exceeded(self) -> bool:
        return self.spent >= self.budget


def ai_cost(provider: str, model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """Dollars for a call, from ARGUS_AI_PRICING (per million tokens; longest model prefix, else "*")."""
    table = settings.ARGUS_AI_PRICING.get(provider)
    if not table:
        raise ImproperlyConfigured(f"ARGUS_AI_PRICING has no prices for the AI provider {provider!r}")
    matches = [key for key in table if key != "*" and model.startswith(key)]
    key = max(matches, key=len) if matches else "*"
    if key not in table:
        raise ImproperlyConfigured(f"ARGUS_AI_PRICING has no price for {provider}/{model} and no '*' fallback")
    price = table[key]
    cost = (Decimal(str(price["input"])) * input_tokens + Decimal(str(price["output"])) * output_tokens) / PER_TOKENS
    return cost.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def _period_bounds(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Start and reset time of today and of this month, in UTC (the server's time zone)."""
    day_start = timezone.make_aware(datetime.combine(now.date(), time.min), timezone.get_current_timezone())
    month_start = day_start.replace(day=1)
    next_month = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {
        BudgetPeriod.DAILY: (day_start, day_start + timedelta(days=1)),
        BudgetPeriod.MONTHLY: (month_start, next_month),
    }


def ai_spent(*, organization: Organization, since: datetime) -> Decimal:
    total = AIUsage.objects.filter(organization=organization, created_at__gte=since).aggregate(total=Sum("cost"))
    return (total["total"] or Decimal(0)).quantize(COST_PLACES)


def ai_budget_status(*, organization: Organization, now: datetime | None = None) -> list[BudgetStatus]:
    """Today's and this month's spend against the organization's budgets (read fresh: admins change them)."""
    budgets = Organization.objects.filter(pk=organization.pk).values("ai_budget_daily", "ai_budget_monthly").get()
    bounds = _period_bounds(timezone.localtime(now or timezone.now()))
    return [
        BudgetStatus(
            period=period,
            period_start=start.date(),
            resets_at=reset,
            spent=ai_spent(organization=organization, since=start),
            budget=Decimal(budgets[f"ai_budget_{period}"]),
        )
        for period, (start, reset) in bounds.items()
    ]


def _budget_alert_once(*, organization: Organization, status: BudgetStatus) -> None:
    """Record the period as exceeded; the first time only, announce `budget_exceeded` once committed."""
    _alert, created = BudgetAlert.objects.get_or_create(
        organization=organization,
        period=status.period,
        period_start=status.period_start,
        defaults={"spent": status.spent, "budget": status.budget},
    )
    if not created:
        return
    logger.warning(
        "budget.exceeded organization=%s period=%s spent=%s budget=%s",
        organization.pk,
        status.period,
        status.spent,
        status.budget,
    )
    transaction.on_commit(
        lambda: signals.budget_exceeded.send(
            sender=BudgetAlert,
            organization=organization,
            period=status.period,
            period_start=status.period_start,
            spent=status.spent,
            budget=status.budget,
        )
    )


def ai_budget_check(*, organization: Organization, purpose: str = "") -> None:
    """Refuse an AI call when today's or this month's spend has reached its budget."""
    for status in ai_budget_status(organization=organization):
        if status.exceeded:
            # A budget lowered below what was already spent is exceeded without any new charge.
            with transaction.atomic():
                _budget_alert_once(organization=organization, status=status)
            logger.warning(
                "ai.refused organization=%s purpose=%s period=%s spent=%s budget=%s",
                organization.pk,
                purpose or "-",
                status.period,
                status.spent,
                status.budget,
            )
            raise AIBudgetExceeded(
                period=status.period, period_start=status.period_start, spent=status.spent, budget=status.budget
            )


def ai_usage_record(
    *,
    organization: Organization,
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cost: Decimal | None = None,
    purpose: str = "",
) -> AIUsage:
    """Charge one AI call; `cost` defaults to the pricing table's. Crossing a budget announces it once."""
    errors: dict[str, list[str]] = {}
    if not provider:
        errors["provider"] = ["This field is required."]
    if not model:
        errors["model"] = ["This field is required."]
    for name, value in (("input_tokens", input_tokens), ("output_tokens", output_tokens)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = ["Must be a whole number of tokens, zero or more."]
    if cost is not None and Decimal(cost) < 0:
        errors["cost"] = ["Must be zero or more."]
    if errors:
        raise ValidationFailed("Invalid AI usage record", errors=errors)
    charged = (
        ai_cost(provider, model, input_tokens, output_tokens)
        if cost is None
        else Decimal(cost).quantize(COST_PLACES, rounding=ROUND_HALF_UP)
    )
    with transaction.atomic():
        usage = AIUsage.objects.create(
            organization=organization,
            provider=provider,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost=charged,
            purpose=purpose[:100],
        )
        for status in ai_budget_status(organization=organization):
            if status.exceeded:
                _budget_alert_once(organization=organization, status=status)
    return usage


@dataclass
class AIMeter:
    """What one guarded AI call used; the caller adds the provider's reported usage."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal | None = None

    def add(self, *, input_tokens: int = 0, output_tokens: int = 0, cost: Decimal | None = None) -> None:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        if cost is not None:
            self.cost = (self.cost or Decimal(0)) + Decimal(cost)

    @property
    def used(self) -> bool:
        return bool(self.input_tokens or self.output_tokens or self.cost)


@contextmanager
def ai_budget_guard(*, organization: Organization, provider: str, model: str, purpose: str = "") -> Iterator[AIMeter]:
    """Check the budget before an AI call and charge its usage after (see the module docstring)."""
    ai_budget_check(organization=organization, purpose=purpose)
    meter = AIMeter()
    try:
        yield meter
    finally:
        if meter.used:
            ai_usage_record(
                organization=organization,
                provider=provider,
                model=model,
                input_tokens=meter.input_tokens,
                output_tokens=meter.output_tokens,
                cost=meter.cost,
                purpose=purpose,
            )
