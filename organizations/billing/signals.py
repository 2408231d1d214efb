"""Signals other apps connect to. Billing sits below notifications, so it announces and never imports them.

`budget_exceeded` is sent once per organization and budget period, after the transaction that crossed
the budget commits, with keyword arguments:
    organization: Organization, period: "daily" | "monthly", period_start: date,
    spent: Decimal, budget: Decimal
"""

from django.dispatch import Signal

budget_exceeded = Signal()
