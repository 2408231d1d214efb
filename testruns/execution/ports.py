"""The engine's ports over the database, media storage and the channel layer.

Every method here runs on the task's thread (the engine's calls arrive through the CallBridge); writes
are fenced by the run's lease, so a worker that has been replaced cannot write next to its successor.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse

from testruns.engine.interfaces import RunPlan, RunState, StepSpec
from testruns.engine.interfaces import TestResult as EngineTestResult
from testruns.events import LeaseLost, append_event
from testruns.heals import heal_record, rejected_locators
from testruns.models import Checkpoint, Run, StepFingerprint, StepResult
from testruns.models import TestResult as ResultRow

logger = logging.getLogger(__name__)


def step_signature(step: StepSpec) -> str:
    return hashlib.sha256(json.dumps(step.to_dict(), sort_keys=True).encode()).hexdigest()


class RunContext:
    """What the ports share about the run being executed by this worker."""

    def __init__(
        self,
        *,
        run: Run,
        lease: int,
        plan: RunPlan,
        checkpoint_seq: int,
        last_checkpoint_id: str | None,
        existing_tests: set[str],
    ) -> None:
        self.run_id = run.id
        self.organization_id = run.organization_id
        self.project_id = run.project_id
        self.thread_id = run.thread_id
        self.lease = lease
        self.plan = plan
        self.checkpoint_seq = checkpoint_seq
        self.last_checkpoint_id = last_checkpoint_id
        self.existing_tests = existing_tests  # test ids that still have a definition row
        self.screenshot_paths: dict[str, str] = {}  # url -> storage path
        self.lost = threading.Event()  # set by the monitor when the lease moved to another worker
        # The engine's `complete` event, held back until the run's verdict is committed with it, so a client
        # that reads the run's status on `complete` never sees it still running.
        self.complete_event: dict[str, Any] | None = None

    def check_lease(self) -> int:
        """Under the run's row lock: raise LeaseLost unless this worker still holds the run. Returns the
        run's last event seq (read under the same lock, in the same query)."""
        # Hand-written (a checkpoint per step runs it): the ORM spent ~0.3 ms building this one-row read.
        meta, quote = Run._meta, connection.ops.quote_name
        sql = (
            f"SELECT {quote(meta.get_field('lease').column)}, {quote(meta.get_field('event_seq').column)} "
            f"FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"
        )
        if connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        with connection.cursor() as cursor:
            cursor.execute(sql, [meta.pk.get_db_prep_value(self.run_id, connection)])
            row = cursor.fetchone()
        if row is None or row[0] != self.lease:
            self.lost.set()
            raise LeaseLost(f"run {self.run_id} is now held by lease {row[0] if row else None}")
        return row[1]


class DatabaseEventSink:
    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        if self.ctx.lost.is_set():
            raise LeaseLost(f"run {self.ctx.run_id} is held by another worker")
        if kind == "screenshot":
            # The image is a file already; the event points at it instead of carrying it into the database.
            data = {k: v for k, v in data.items() if k != "base64"}
            data["path"] = self.ctx.screenshot_paths.get(str(data.get("url")))
        if kind == "complete":
            self.ctx.complete_event = data
            return
        append_event(run_id=self.ctx.run_id, kind=kind, data=data, lease=self.ctx.lease)


class DatabaseCheckpointStore:
    """Checkpoint rows, and the run's result rows brought up to date with each saved state.

    Finished tests' results are stored once per test, not once per step (see Checkpoint): a checkpoint that
    has results no keyframe holds becomes the new keyframe; the others store what follows the keyframe's.
    """

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.results = ResultProjector(ctx)
        self._keyframe: tuple[str, int] | None = None  # (checkpoint id, its number of results)

    def save(self, *, node: str, state: RunState) -> None:
        self.store(node=node, data=state.to_dict())  # copy now: the engine keeps mutating `state`

    def store(self, *, node: str, data: dict[str, Any]) -> None:
        """Save a state the engine has already copied with `RunState.to_dict()` (posted saves copy on
        the engine thread, before it moves on)."""
        results = data["results"]
        keyframe, shared = self._keyframe or (None, 0)
        if len(results) != shared:  # results no keyframe holds: this checkpoint stores them all
            keyframe, shared, stored = None, 0, data
        else:
            stored = {**data, "results": []}
        with transaction.atomic():
            event_seq = self.ctx.check_lease()
            seq = self.ctx.checkpoint_seq + 1
            checkpoint = Checkpoint.objects.create(
                run_id=self.ctx.run_id,
                thread_id=self.ctx.thread_id,
                seq=seq,
                node=node,
                state=stored,
                results_from_id=keyframe,
                shared_results=shared,
                event_seq=event_seq,
                parent_id=self.ctx.last_checkpoint_id,
            )
            self.results.project_data(data)
        self.ctx.checkpoint_seq = seq
        self.ctx.last_checkpoint_id = checkpoint.id
        if keyframe is None and results:
            self._keyframe = (checkpoint.id, len(results))


# A test's status -> the run's count it adds to.
COUNT_NAMES = {"passed": "passed", "failed": "failed", "healed": "healed", "error": "errored", "skipped": "skipped"}


class ResultProjector:
    """Keeps TestResult/StepResult rows equal to a RunState, writing only what changed since last time.

    Per checkpoint that is, normally: one UPDATE of the test in progress, one INSERT of the step it just
    finished, and the run's counts only when a test has finished.
    """

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._synced_results = 0
        # position -> (attempt, steps written) of the test in progress
        self._current: dict[int, tuple[int, int]] = {}
        self._rows: dict[int, int] = {}  # position -> TestResult row id, once written by this projector
        self._counts: dict[str, int] | None = None  # the run's counts as last written

    def project(self, state: RunState) -> None:
        self._project(
            count=len(state.results),
            result_at=lambda position: state.results[position],
            statuses=[result.status for result in state.results],
            current=state.current,
            test_index=state.test_index,
            attempt=state.attempt,
        )

    def project_data(self, data: dict[str, Any]) -> None:
        """The same for a state as `RunState.to_dict()` gave it; only the tests that changed are read back."""
        results = data.get("results") or []
        current = data.get("current")
        self._project(
            count=len(results),
            result_at=lambda position: EngineTestResult.from_dict(results[position]),
            statuses=[result["status"] for result in results],
            current=None if current is None else EngineTestResult.from_dict(current),
            test_index=int(data.get("test_index", 0)),
            attempt=int(data.get("attempt", 1)),
        )

    def _project(
        self,
        *,
        count: int,
        result_at: Callable[[int], EngineTestResult],
        statuses: list[str],
        current: EngineTestResult | None,
        test_index: int,
        attempt: int,
    ) -> None:
        for position in range(self._synced_results, count):
            result = result_at(position)
            self._write_test(position, result, attempt=result.attempts)
        self._synced_results = count
        if current is not None:
            self._write_test(test_index, current, attempt=attempt, running=True)
        counts = {"passed": 0, "failed": 0, "healed": 0, "errored": 0, "skipped": 0}
        for status in statuses:
            counts[COUNT_NAMES[status]] += 1
        if counts != self._counts:
            Run.objects.filter(id=self.ctx.run_id).update(**counts)
            self._counts = counts

    def _write_test(self, position: int, result: EngineTestResult, *, attempt: int, running: bool = False) -> None:
        test_id = result.test_id
        known_test_id = test_id if test_id in self.ctx.existing_tests else None
        fields = {
            "test_id": known_test_id,
            "test_id_text": test_id,
            "name": result.name[:200],
            "status": ResultRow.Status.RUNNING if running else result.status,
            "attempts": max(attempt, result.attempts),
            "duration_ms": result.duration_ms,
            "error": result.error or "",
        }
        row_id = self._rows.get(position)
        if row_id is None:
            row, _ = ResultRow.objects.update_or_create(run_id=self.ctx.run_id, position=position, defaults=fields)
            row_id = self._rows[position] = row.pk
        else:
            ResultRow.objects.filter(pk=row_id).update(**fields)
        seen_attempt, written = self._current.get(position, (None, 0))
        fresh = seen_attempt != attempt
        if fresh:
            # A new attempt (a retry) starts its steps over: the rows show the attempt that counts. Rows
            # already there (a resumed or replayed run) are updated; past them, every step is new.
            StepResult.objects.filter(test_result_id=row_id, index__gte=len(result.steps)).delete()
            written = 0
        for step in result.steps[written:]:
            step_fields = {
                "action": step.action[:64],
                "target": step.target,
                "value": step.value,
                "outcome": step.outcome,
                "duration_ms": step.duration_ms,
                "error": step.error,
                "screenshot_url": step.screenshot_url,
                "logs": step.logs,
                "heal": step.heal,
                "url": step.url,
            }
            if fresh:
                StepResult.objects.update_or_create(test_result_id=row_id, index=step.index, defaults=step_fields)
            else:
                StepResult.objects.create(test_result_id=row_id, index=step.index, **step_fields)
            if step.outcome == "healed" and step.heal and step.heal.get("locator") and known_test_id is not None:
                self._record_heal(known_test_id, step.index, step.heal)
        if running:
            self._current[position] = (attempt, len(result.steps))
        else:
            StepResult.objects.filter(test_result_id=row_id, index__gte=len(result.steps)).delete()
            self._current.pop(position, None)

    def _record_heal(self, test_id: object, step_index: int, info: dict[str, Any]) -> None:
        steps = next((t.steps for t in self.ctx.plan.tests if t.test_id == str(test_id)), None)
        if steps is None or step_index >= len(steps):
            return
        heal_record(
            organization_id=self.ctx.organization_id,
            project_id=self.ctx.project_id,
            test_id=str(test_id),
            run_id=self.ctx.run_id,
            step_index=step_index,
            step=steps[step_index],
            info=info,
        )


def artifact_path(run_id: object, name: str) -> str:
    return f"runs/{run_id}/{name}"


class MediaArtifactStore:
    """Screenshots as files in default_storage, under the run's folder.

    The URL is the run's artifact endpoint, not a public media URL: a screenshot of a customer's app is
    served only to members of its organization (testruns.api.views.RunArtifactView).
    """

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    def save_screenshot(self, *, name: str, content: bytes) -> str:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100] or "screenshot.jpg"
        path = default_storage.save(artifact_path(self.ctx.run_id, safe), ContentFile(content))
        stored_name = path.rsplit("/", 1)[-1]  # storage may have made the name unique
        url = f"{settings.PUBLIC_URL}{reverse('run-artifact', args=[self.ctx.run_id, stored_name])}"
        self.ctx.screenshot_paths[url] = path
        return url


class DatabaseFingerprintStore:
    """Per project/test/step fingerprints; a step edited since its fingerprint was taken gets none."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self._steps = {t.test_id: t.steps for t in ctx.plan.tests}
        self._signatures: dict[tuple[str, int], str] = {}
        # (test id, step index) -> (signature, fingerprint) as stored, read once at the run's first put: a
        # step whose element has not changed since the last run (most of them) costs no write.
        self._stored: dict[tuple[str, int], tuple[str, Any]] | None = None

    def _signature(self, test_id: str, step_index: int) -> str | None:
        steps = self._steps.get(test_id)
        if steps is None or not 0 <= step_index < len(steps):
            return None
        signature = self._signatures.get((test_id, step_index))
        if signature is None:
            signature = self._signatures[(test_id, step_index)] = step_signature(steps[step_index])
        return signature

    def get(self, *, test_id: str, step_index: int) -> dict[str, Any] | None:
        signature = self._signature(test_id, step_index)
        if signature is None or test_id not in self.ctx.existing_tests:
            return None
        row = StepFingerprint.objects.filter(test_id=test_id, step_index=step_index, signature=signature).first()
        return row.fingerprint if row else None

    def put(self, *, test_id: str, step_index: int, fingerprint: dict[str, Any]) -> None:
        signature = self._signature(test_id, step_index)
        if signature is None or test_id not in self.ctx.existing_tests or self.ctx.lost.is_set():
            return
        if self._stored is None:
            rows = StepFingerprint.objects.filter(test_id__in=self.ctx.existing_tests & set(self._steps))
            self._stored = {
                (str(test), index): (sig, stored)
                for test, index, sig, stored in rows.values_list("test_id", "step_index", "signature", "fingerprint")
            }
        if self._stored.get((test_id, step_index)) == (signature, fingerprint):
            return
        StepFingerprint.objects.update_or_create(
            test_id=test_id,
            step_index=step_index,
            defaults={"project_id": self.ctx.project_id, "signature": signature, "fingerprint": fingerprint},
        )
        self._stored[(test_id, step_index)] = (signature, fingerprint)

    def rejected_locators(self, *, test_id: str, step_index: int) -> frozenset[str]:
        steps = self._steps.get(test_id)
        if steps is None or not 0 <= step_index < len(steps) or test_id not in self.ctx.existing_tests:
            return frozenset()
        return rejected_locators(test_id=test_id, step_index=step_index, step=steps[step_index])


class FlagCancelToken:
    """Read by the engine thread; set by the task thread's monitor (cancel requested or lease lost)."""

    def __init__(self) -> None:
        self.flag = threading.Event()

    def is_cancelled(self) -> bool:
        return self.flag.is_set()
