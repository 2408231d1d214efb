"""Signals from apps below notifications, turned into events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from notifications.dispatch import dispatch_budget_exceeded


def on_budget_exceeded(
    sender: Any, *, organization: Any, period: str, period_start: date, spent: Decimal, budget: Decimal, **_: Any
) -> None:
    dispatch_budget_exceeded(
        organization_id=organization.pk, period=period, period_start=period_start, spent=spent, budget=budget
    )
