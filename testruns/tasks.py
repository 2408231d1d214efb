"""Celery tasks of runs: thin wrappers around testruns.execution."""

from __future__ import annotations

from celery import shared_task

from testruns.execution.executor import run_execute
from testruns.execution.recovery import recover_stale_runs


@shared_task(name="testruns.execute_run", acks_late=True, reject_on_worker_lost=True)
def execute_run(run_id: str) -> str:
    """Idempotent: a finished run, or one alive on another worker, is left alone."""
    return run_execute(run_id=run_id)


@shared_task(name="testruns.recover_stale_runs", ignore_result=True)
def recover_stale_runs_task() -> int:
    """Celery beat: re-queue runs whose worker stopped heartbeating (they continue from their last checkpoint)."""
    return len(recover_stale_runs(enqueue=lambda run_id: execute_run.delay(run_id)))
