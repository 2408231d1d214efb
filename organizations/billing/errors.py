"""Billing's typed errors; argus.errors renders them in the one error shape."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from argus.errors import ArgusError, BadRequest, Forbidden


class BillingNotConfigured(ArgusError):
    status_code = 503
    code = "billing_not_configured"
    default_detail = "Billing is not configured on this server"


class BillingProviderError(ArgusError):
    """Stripe refused or could not be reached; nothing was changed on our side."""

    status_code = 502
    code = "stripe_error"
    default_detail = "The payment provider could not complete the request"


class InvalidWebhookSignature(BadRequest):
    code = "invalid_signature"
    default_detail = "The Stripe signature of this webhook is missing or invalid"


class AIBudgetExceeded(Forbidden):
    code = "ai_budget_exceeded"

    def __init__(self, *, period: str, period_start: date, spent: Decimal, budget: Decimal) -> None:
        self.period = period
        self.period_start = period_start
        self.spent = spent
        self.budget = budget
        super().__init__(
            f"The organization's {period} AI budget of ${budget:.2f} is used up "
            f"(${spent:.2f} spent since {period_start.isoformat()}); AI features are paused until it resets"
        )
