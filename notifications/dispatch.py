"""The entry points other apps call. They are cheap: they hand a JSON payload to a Celery task once
the caller's transaction commits (so a rolled-back run notifies nobody) and never send anything inline.

    from notifications.dispatch import dispatch_run_outcome
    dispatch_run_outcome(RunOutcome(...))          # when a run reaches passed/failed/error/cancelled

Calling either twice for the same run or budget period is harmless: deliveries are keyed by event.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction

from notifications.outcomes import RunOutcome


def dispatch_run_outcome(outcome: RunOutcome) -> None:
    from notifications.tasks import process_run_outcome

    payload = outcome.to_dict()
    transaction.on_commit(lambda: process_run_outcome.delay(payload))


def dispatch_budget_exceeded(
    *, organization_id: UUID | str, period: str, period_start: date, spent: Decimal | str, budget: Decimal | str
) -> None:
    """An organization's AI budget for a period (daily|monthly) is spent: the `budget.exceeded` event."""
    from notifications.tasks import process_budget_exceeded

    payload = {
        "organization_id": str(organization_id),
        "period": period,
        "period_start": period_start.isoformat(),
        "spent": str(spent),
        "budget": str(budget),
    }
    transaction.on_commit(lambda: process_budget_exceeded.delay(payload))
