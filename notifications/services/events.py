"""From a finished run or a budget alarm to planned deliveries (channel rules and personal preferences)."""

from __future__ import annotations

from datetime import date, datetime

from notifications.events import budget_event, events_for_run
from notifications.models import Delivery, EventType
from notifications.outcomes import RunOutcome
from notifications.services.deliveries import deliveries_plan_for_event, deliveries_plan_personal

PERSONAL_EVENTS = (EventType.RUN_COMPLETED, EventType.RUN_FAILED)


def run_outcome_process(*, outcome: RunOutcome, now: datetime | None = None) -> list[Delivery]:
    planned: list[Delivery] = []
    for event in events_for_run(outcome):
        planned += deliveries_plan_for_event(event=event, now=now)
        if event.event_type in PERSONAL_EVENTS:
            planned += deliveries_plan_personal(event=event, run_status=outcome.status, now=now)
    return planned


def budget_exceeded_process(
    *, organization_id: str, period: str, period_start: date, spent: str, budget: str, now: datetime | None = None
) -> list[Delivery]:
    event = budget_event(
        organization_id=organization_id,
        period=period,
        spent=spent,
        budget=budget,
        period_key=period_start.isoformat(),
    )
    return deliveries_plan_for_event(event=event, now=now)
