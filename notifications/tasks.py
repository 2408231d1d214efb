"""Thin Celery tasks: load by id or payload, call a service, decide on retry."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from notifications.outcomes import RunOutcome
from notifications.services.deliveries import deliveries_resume_stalled, delivery_send
from notifications.services.digests import digests_plan_weekly
from notifications.services.events import budget_exceeded_process, run_outcome_process


@shared_task(acks_late=True)
def process_run_outcome(outcome: dict) -> int:
    return len(run_outcome_process(outcome=RunOutcome.from_dict(outcome)))


@shared_task(acks_late=True)
def process_budget_exceeded(payload: dict) -> int:
    deliveries = budget_exceeded_process(
        organization_id=payload["organization_id"],
        period=payload["period"],
        period_start=date.fromisoformat(payload["period_start"]),
        spent=payload["spent"],
        budget=payload["budget"],
    )
    return len(deliveries)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_delivery(self, delivery_id: str) -> str:
    # The service counts attempts and gives up; Celery only schedules the next one.
    result = delivery_send(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.status


@shared_task(acks_late=True)
def send_weekly_digests() -> int:
    return len(digests_plan_weekly())


@shared_task(acks_late=True)
def resume_stalled_deliveries() -> int:
    return deliveries_resume_stalled()
