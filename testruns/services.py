"""Writes on runs from the API: start, replay, cancel. Execution itself lives in testruns/execution/."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import UserProfile
from apikeys.models import APIKey
from argus.errors import Conflict, ValidationFailed
from organizations.billing.limits import enforce_plan_limit
from organizations.models import Organization
from projects.models import Project, TestDefinition
from testruns.events import append_event
from testruns.models import Checkpoint, Run
from testruns.usage import concurrent_runs, runs_this_month

DEFAULT_OPTIONS: dict[str, Any] = {
    "headless": True,
    "self_heal_enabled": True,
    "max_retries": 0,
    "step_timeout_ms": 10_000,
    "screenshot_every_step": False,
}
MAX_RETRIES = 5
STEP_TIMEOUT_MS_RANGE = (100, 120_000)


def normalize_run_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """Run options with defaults filled in; 422 naming each bad field. Timeouts may be given in ms or s."""
    options = dict(options or {})
    errors: dict[str, list[str]] = {}
    result = dict(DEFAULT_OPTIONS)
    known = set(DEFAULT_OPTIONS) | {"step_timeout_seconds"}
    for name in sorted(set(options) - known):
        errors[f"options.{name}"] = ["Unknown option"]
    for name in ("headless", "self_heal_enabled", "screenshot_every_step"):
        if name in options:
            if isinstance(options[name], bool):
                result[name] = options[name]
            else:
                errors[f"options.{name}"] = ["Must be true or false"]
    if "max_retries" in options:
        value = options["max_retries"]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_RETRIES:
            result["max_retries"] = value
        else:
            errors["options.max_retries"] = [f"Must be an integer from 0 to {MAX_RETRIES}"]
    if "step_timeout_ms" in options and "step_timeout_seconds" in options:
        errors["options.step_timeout_ms"] = ["Give step_timeout_ms or step_timeout_seconds, not both"]
    elif "step_timeout_ms" in options or "step_timeout_seconds" in options:
        in_seconds = "step_timeout_seconds" in options
        value = options["step_timeout_seconds" if in_seconds else "step_timeout_ms"]
        field = "options.step_timeout_seconds" if in_seconds else "options.step_timeout_ms"
        low, high = STEP_TIMEOUT_MS_RANGE
        if isinstance(value, int | float) and not isinstance(value, bool):
            ms = round(value * 1000) if in_seconds else int(value)
            if low <= ms <= high:
                result["step_timeout_ms"] = ms
            else:
                errors[field] = [f"Must be from {low / 1000:g} to {high / 1000:g} seconds"]
        else:
            errors[field] = ["Must be a number"]
    if errors:
        raise ValidationFailed(next(f"{k}: {v[0]}" for k, v in errors.items()), errors=errors)
    return result


def resolve_test_ids(*, project: Project, test_ids: list[str]) -> list[str]:
    """The tests a run will execute, in the caller's order; empty means every active test of the project."""
    if not test_ids:
        ids = [str(t) for t in project.tests.filter(is_active=True).order_by("created_at").values_list("id", flat=True)]
        if not ids:
            raise ValidationFailed(
                "The project has no active tests to run", code="no_tests", errors={"test_ids": ["No active tests"]}
            )
        return ids
    wanted: list[str] = []
    for raw in test_ids:
        value = str(raw)
        if value not in wanted:
            wanted.append(value)
    found = {
        str(t)
        for t in TestDefinition.objects.filter(project=project, id__in=_valid_uuids(wanted)).values_list(
            "id", flat=True
        )
    }
    unknown = [t for t in wanted if t not in found]
    if unknown:
        raise ValidationFailed(
            f"Unknown test ids for this project: {', '.join(unknown)}",
            code="unknown_tests",
            errors={"test_ids": [f"Not a test of this project: {t}" for t in unknown]},
        )
    return wanted


def _valid_uuids(values: list[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


def _enforce_run_limits(*, organization: Organization) -> None:
    # Lock the organization row so two simultaneous starts cannot both pass the count.
    Organization.objects.select_for_update().filter(id=organization.id).values_list("id", flat=True).first()
    # The same counts the billing overview shows as "used" (testruns.usage).
    enforce_plan_limit(
        organization=organization, limit="runs_per_month", current=runs_this_month(organization=organization)
    )
    enforce_plan_limit(
        organization=organization, limit="concurrent_runs", current=concurrent_runs(organization=organization)
    )


def _enqueue(run: Run) -> None:
    from testruns.tasks import execute_run  # the task module imports the execution machinery

    transaction.on_commit(lambda: execute_run.delay(str(run.id)))


@transaction.atomic
def run_start(
    *,
    project: Project,
    test_ids: list[str],
    options: dict[str, Any] | None = None,
    app_url: str | None = None,
    triggered_by: UserProfile | None = None,
    api_key: APIKey | None = None,
) -> Run:
    """Create a pending run of the given tests (all active ones when empty) and queue it after commit.

    `app_url` runs the tests against another deployment of the app (default: the project's app_url)."""
    normalized = normalize_run_options(options)
    resolved = resolve_test_ids(project=project, test_ids=test_ids)
    _enforce_run_limits(organization=project.organization)
    run = Run.objects.create(
        organization=project.organization,
        project=project,
        app_url=app_url or project.app_url,
        options=normalized,
        test_ids=resolved,
        total=len(resolved),
        triggered_by=triggered_by,
        triggered_by_api_key=api_key,
    )
    append_event(run_id=run.id, kind="state_update", data={"status": "pending"}, key="run:queued")
    _enqueue(run)
    return run


@transaction.atomic
def run_replay(
    *, checkpoint: Checkpoint, triggered_by: UserProfile | None = None, api_key: APIKey | None = None
) -> Run:
    """A new run on a new thread that continues from `checkpoint`'s state; the original run is untouched."""
    original = checkpoint.run
    _enforce_run_limits(organization=original.organization)
    run = Run.objects.create(
        organization=original.organization,
        project=original.project,
        app_url=original.app_url,
        options=original.options,
        test_ids=original.test_ids,
        total=len(original.test_ids),
        triggered_by=triggered_by,
        triggered_by_api_key=api_key,
        parent_checkpoint=checkpoint,
    )
    append_event(
        run_id=run.id,
        kind="state_update",
        data={"status": "pending", "parent_checkpoint_id": checkpoint.id},
        key="run:queued",
    )
    _enqueue(run)
    return run


@transaction.atomic
def run_cancel(*, run: Run) -> Run:
    """Ask a run to stop. A pending run is cancelled now; a running one stops at its next check (<1 s)."""
    run = Run.objects.select_for_update().get(id=run.id)
    if run.is_finished:
        raise Conflict(f"The run has already finished ({run.status})", code="run_finished")
    now = timezone.now()
    if run.cancel_requested_at is None:
        run.cancel_requested_at = now
    fields = ["cancel_requested_at"]
    if run.status == Run.Status.PENDING:
        run.status = Run.Status.CANCELLED
        run.finished_at = now
        fields += ["status", "finished_at"]
    run.save(update_fields=fields)
    if run.status == Run.Status.CANCELLED:
        append_event(run_id=run.id, kind="state_update", data={"status": "cancelled"}, key="run:cancelled")
        append_event(
            run_id=run.id,
            kind="complete",
            data={"status": "cancelled", "passed": 0, "failed": 0, "duration_seconds": 0},
            key="run:complete",
        )
    return run
