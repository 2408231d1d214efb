"""Executing a run on a worker: claim it, build its plan, run the engine, record the outcome.

Idempotent by construction: a run is claimed with one conditional UPDATE (pending, or running with a
stale heartbeat), so a second delivery of the same task finds nothing to do, and a run whose worker
died is claimed again and continues from its last checkpoint. Each claim bumps `Run.lease`; every write
of the old holder is refused once the lease has moved on.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from projects.models import TestDefinition
from testruns.engine.interfaces import RunOptions, RunOutcome, RunPlan, RunState, StepSpec, TestSpec
from testruns.events import LeaseLost, append_event
from testruns.execution.ai import tie_breaker_for
from testruns.execution.bridge import CallBridge, engine_executor
from testruns.execution.ports import (
    DatabaseCheckpointStore,
    DatabaseEventSink,
    DatabaseFingerprintStore,
    FlagCancelToken,
    MediaArtifactStore,
    ResultProjector,
    RunContext,
)
from testruns.models import Checkpoint, Run, RunEvent

logger = logging.getLogger(__name__)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after() -> timedelta:
    return timedelta(seconds=settings.ARGUS_RUN_STALE_SECONDS)


@dataclass
class Claim:
    run: Run
    lease: int
    resume_from: Checkpoint | None  # this run's last checkpoint, or (replays) the parent checkpoint


def run_claim(*, run_id: UUID | str, worker_id: str) -> Claim | None:
    """Take the run for this worker, or None when it is finished or alive on another worker."""
    now = timezone.now()
    claimable = (
        Q(status=Run.Status.PENDING)
        | Q(status=Run.Status.RUNNING, heartbeat_at__lt=now - stale_after())
        | Q(status=Run.Status.RUNNING, heartbeat_at__isnull=True)
    )
    with transaction.atomic():
        updated = Run.objects.filter(claimable, id=run_id).update(
            status=Run.Status.RUNNING, worker_id=worker_id, heartbeat_at=now, lease=F("lease") + 1
        )
        if not updated:
            return None
        run = Run.objects.select_related("project", "parent_checkpoint").get(id=run_id)
        if run.started_at is None:
            run.started_at = now
            run.save(update_fields=["started_at"])
        own = Checkpoint.objects.filter(run=run).order_by("-seq").first()
        # Events a previous holder emitted after its last checkpoint describe work that is done again now.
        if own is not None:
            RunEvent.objects.filter(run=run, seq__gt=own.event_seq).delete()
        elif run.lease > 1:
            RunEvent.objects.filter(run=run, key__isnull=True).delete()
        resume_from = own or run.parent_checkpoint
    return Claim(run=run, lease=run.lease, resume_from=resume_from)


def build_plan(run: Run) -> tuple[RunPlan, set[str]]:
    """The engine's plan from the run's resolved tests (as they are now) and the project's browser config."""
    definitions = {str(t.id): t for t in TestDefinition.objects.filter(id__in=run.test_ids)}
    tests = [
        TestSpec(
            test_id=test_id,
            name=definitions[test_id].name,
            steps=[StepSpec.from_dict(step) for step in definitions[test_id].steps],
            tags=list(definitions[test_id].tags),
        )
        for test_id in run.test_ids
        if test_id in definitions
    ]
    config = run.project.config or {}
    viewport = config.get("viewport") or {}
    options = run.options or {}
    run_options = RunOptions(
        headless=bool(options.get("headless", True)),
        self_heal_enabled=bool(options.get("self_heal_enabled", True)),
        max_retries=int(options.get("max_retries", 0)),
        step_timeout_ms=int(options.get("step_timeout_ms", 10_000)),
        browser=str(config.get("browser", "chromium")),
        viewport=(int(viewport.get("width", 1280)), int(viewport.get("height", 720))),
        screenshot_every_step=bool(options.get("screenshot_every_step", False)),
    )
    plan = RunPlan(run_id=str(run.id), thread_id=run.thread_id, app_url=run.app_url, tests=tests, options=run_options)
    return plan, set(definitions)


class RunMonitor:
    """On the task's thread between engine calls: heartbeats, cancel requests, a lease taken over."""

    def __init__(self, ctx: RunContext, cancel: FlagCancelToken) -> None:
        self.ctx = ctx
        self.cancel = cancel
        self.heartbeat_every = settings.ARGUS_RUN_HEARTBEAT_SECONDS
        self.check_every = settings.ARGUS_RUN_CANCEL_CHECK_SECONDS
        self._last_beat = time.monotonic()
        self._last_check = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        try:
            if now - self._last_beat >= self.heartbeat_every:
                self._last_beat = now
                beat = Run.objects.filter(id=self.ctx.run_id, lease=self.ctx.lease).update(heartbeat_at=timezone.now())
                if not beat:
                    self.stop()
            if now - self._last_check >= self.check_every:
                self._last_check = now
                row = Run.objects.filter(id=self.ctx.run_id).values("lease", "cancel_requested_at").first()
                if row is None or row["lease"] != self.ctx.lease:
                    self.stop()
                elif row["cancel_requested_at"] is not None:
                    self.cancel.flag.set()
        except Exception:
            # A database hiccup must not kill a healthy run; the next tick tries again.
            logger.warning("Run monitor could not reach the database", exc_info=True)

    def stop(self) -> None:
        """Make the engine stop at its next check and refuse further writes of this worker."""
        self.ctx.lost.set()
        self.cancel.flag.set()


class _Bridged:
    """A port whose methods run on the task's thread (see bridge.py); those named in `posted` are posted
    (the engine does not wait for them), the others are calls the engine waits for."""

    def __init__(self, bridge: CallBridge, port: Any, *, posted: frozenset[str] = frozenset()) -> None:
        self._bridge = bridge
        self._port = port
        self._posted = posted

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._port, name)
        send = self._bridge.post if name in self._posted else self._bridge.call

        def call(*args: Any, **kwargs: Any) -> Any:
            return send(method, *args, **kwargs)

        return call


class _PostedEvents:
    """The event sink for the engine thread: each event is posted. The payload's top level is copied here,
    before the engine moves on; the engine builds a new payload for every event."""

    def __init__(self, bridge: CallBridge, sink: DatabaseEventSink) -> None:
        self._bridge = bridge
        self._sink = sink

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        self._bridge.post(self._sink.emit, kind, dict(data))


class _PostedCheckpoints:
    """The checkpoint store for the engine thread: the state is copied here (the engine keeps mutating it)
    and its saving is posted, in order with the events around it."""

    def __init__(self, bridge: CallBridge, store: DatabaseCheckpointStore) -> None:
        self._bridge = bridge
        self._store = store

    def save(self, *, node: str, state: RunState) -> None:
        self._bridge.post(self._store.store, node=node, data=state.to_dict())


def _engine_execute(plan: RunPlan, ports: dict[str, Any], resume: RunState | None) -> RunOutcome:
    from testruns.engine.runner import Engine  # Playwright is imported only where runs execute

    return Engine().execute(plan, resume=resume, **ports)


def run_execute(*, run_id: UUID | str, worker_id: str | None = None) -> str:
    """Execute a run if it is this worker's to execute. Returns what happened (for logs and tests):
    "skipped" (finished or alive elsewhere), "lost" (taken over mid-run) or the run's final status."""
    claim = run_claim(run_id=run_id, worker_id=worker_id or worker_identity())
    if claim is None:
        return "skipped"
    run = claim.run
    try:
        plan, existing = build_plan(run)
        resume = RunState.from_dict(claim.resume_from.full_state()) if claim.resume_from else None
    except Exception as exc:
        # Finish it now: left running, beat would hand the same unpreparable run to worker after worker.
        logger.exception("Run %s: could not be prepared", run.id)
        empty = RunPlan(run_id=str(run.id), thread_id=run.thread_id, app_url=run.app_url, tests=[])
        ctx = RunContext(
            run=run, lease=claim.lease, plan=empty, checkpoint_seq=0, last_checkpoint_id=None, existing_tests=set()
        )
        return run_finish(ctx=ctx, outcome=None, failure=f"the run could not be prepared: {exc}")
    if len(plan.tests) != run.total:
        # Tests deleted since the run was queued are not run; progress counts what will be.
        Run.objects.filter(id=run.id).update(total=len(plan.tests))
    own = claim.resume_from is not None and claim.resume_from.run_id == run.id
    ctx = RunContext(
        run=run,
        lease=claim.lease,
        plan=plan,
        checkpoint_seq=claim.resume_from.seq if own else 0,
        last_checkpoint_id=claim.resume_from.id if claim.resume_from else None,
        existing_tests=existing,
    )
    if resume is not None:
        ResultProjector(ctx).project(resume)  # a replay shows the results it starts from at once
        append_event(
            run_id=run.id,
            kind="log",
            data={"level": "info", "message": f"Continuing from checkpoint {claim.resume_from.id}"},
            lease=claim.lease,
        )
    cancel = FlagCancelToken()
    monitor = RunMonitor(ctx, cancel)
    bridge = CallBridge()
    ports = {
        # Writes the engine needs no answer to are posted; reads and the screenshot's URL are waited for.
        "sink": _PostedEvents(bridge, DatabaseEventSink(ctx)),
        "checkpoints": _PostedCheckpoints(bridge, DatabaseCheckpointStore(ctx)),
        "artifacts": _Bridged(bridge, MediaArtifactStore(ctx)),
        "fingerprints": _Bridged(bridge, DatabaseFingerprintStore(ctx), posted=frozenset({"put"})),
        "cancel": cancel,
        # Not bridged: the provider call runs on the engine thread, only its budget work is bridged (ai.py).
        "tie_breaker": tie_breaker_for(organization=run.organization, on_db=bridge.call),
    }
    future = engine_executor().submit(_engine_execute, plan, ports, resume)
    try:
        outcome: RunOutcome | None = bridge.serve_until(future, tick=monitor.tick)
        failure: str | None = None
    except LeaseLost:
        return "lost"
    except Exception as exc:  # the engine broke: our infrastructure, not the app under test
        logger.exception("Run %s: the engine failed", run.id)
        outcome, failure = None, f"{type(exc).__name__}: {exc}"
    finally:
        # If this thread is leaving early, the engine must not wait for calls nobody will serve.
        if not future.done():
            monitor.stop()
            bridge.close(LeaseLost(f"run {run.id}: the task stopped serving its engine"))
    if ctx.lost.is_set():
        return "lost"
    return run_finish(ctx=ctx, outcome=outcome, failure=failure)


def run_finish(*, ctx: RunContext, outcome: RunOutcome | None, failure: str | None) -> str:
    """Record the verdict (if this worker still holds the run) and hand the outcome to notifications."""
    now = timezone.now()
    with transaction.atomic():
        run = Run.objects.select_for_update().get(id=ctx.run_id)
        if run.lease != ctx.lease or run.is_finished:
            return "lost"
        if outcome is not None:
            ResultProjector(ctx).project(outcome.state)
            run.refresh_from_db()
            run.status = outcome.status
            run.error = outcome.error or ""
            run.duration_seconds = round(outcome.duration_seconds, 3)
            run.passed, run.failed, run.healed = outcome.passed, outcome.failed, outcome.healed
            run.errored, run.skipped = outcome.errored, outcome.skipped
        else:
            run.status = Run.Status.ERROR
            run.error = failure or "the engine failed"
            if run.started_at:
                run.duration_seconds = round((now - run.started_at).total_seconds(), 3)
            append_event(run_id=run.id, kind="error", data={"message": run.error}, lease=ctx.lease)
        run.finished_at = now
        complete = (
            ctx.complete_event
            if outcome is not None and ctx.complete_event is not None
            else {
                "status": run.status,
                "passed": run.passed,
                "failed": run.failed,
                "duration_seconds": run.duration_seconds or 0,
                "error": run.error or None,
            }
        )
        # Stored before the verdict, in the same transaction: a stream that sees the run finished has every
        # event it will ever get, and listeners are told of `complete` only once the verdict is committed.
        append_event(run_id=run.id, kind="complete", data=complete, key="run:complete", lease=ctx.lease)
        # Only the verdict's fields: a full save would write back a stale `event_seq` (events were appended
        # through the row since it was read) and the next event would reuse a number.
        run.save(
            update_fields=[
                "status",
                "error",
                "duration_seconds",
                "passed",
                "failed",
                "healed",
                "errored",
                "skipped",
                "finished_at",
            ]
        )
        transaction.on_commit(lambda: hand_outcome_to_notifications(run_id=run.id))
    return run.status


def hand_outcome_to_notifications(*, run_id: UUID | str) -> None:
    """Give notifications a plain RunOutcome. Optional: without the notifications dispatcher, runs still work."""
    from importlib.util import find_spec

    if find_spec("notifications.dispatch") is None:
        return
    from notifications.dispatch import dispatch_run_outcome
    from testruns.outcomes import run_outcome_for

    try:
        dispatch_run_outcome(run_outcome_for(run_id=run_id))
    except Exception:
        # A notification problem never changes a run's result; notifications logs its own deliveries.
        logger.exception("Run %s: handing the outcome to notifications failed", run_id)
