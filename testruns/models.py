"""Runs, their results, their event log and their checkpoints.

A run is a thread (`thread_id`) through the engine's graph. Everything the engine reports is stored here
first and only then pushed to live listeners, so the database is the single source of truth: streams
replay from `RunEvent`, replays and resumed workers start from `Checkpoint.state`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from accounts.models import UserProfile
from apikeys.models import APIKey
from organizations.models import Organization
from projects.models import Project, TestDefinition


def new_thread_id() -> str:
    return f"thread_{uuid.uuid4().hex}"


def new_checkpoint_id() -> str:
    return f"cp-{uuid.uuid4().hex}"


class Run(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"  # the app misbehaved: an assertion or a step failed
        ERROR = "error"  # our infrastructure failed: browser, worker, unreachable app
        CANCELLED = "cancelled"

    FINISHED = (Status.PASSED, Status.FAILED, Status.ERROR, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Denormalised from project so every tenancy filter is one column.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="runs")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="runs")
    thread_id = models.CharField(max_length=64, unique=True, default=new_thread_id)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    options = models.JSONField(default=dict, blank=True)
    # The tests resolved when the run was created (in order); later edits to the project do not change it.
    test_ids = models.JSONField(default=list, blank=True)
    app_url = models.URLField(max_length=2000)
    triggered_by = models.ForeignKey(UserProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    triggered_by_api_key = models.ForeignKey(APIKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set on replays: the run starts from this checkpoint's state (of another run).
    parent_checkpoint = models.ForeignKey(
        "Checkpoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When beat last re-queued this run as stale (testruns/execution/recovery.py): it is not re-queued
    # again until a worker has held it since, or the delivery looks lost.
    recovery_queued_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=255, blank=True, default="")
    # Bumped by every claim. A worker whose lease is no longer current has been replaced and must stop
    # (a fencing token: a slow but alive worker never keeps writing next to its successor).
    lease = models.PositiveIntegerField(default=0)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # Last assigned RunEvent.seq; incremented under a row lock by testruns.events.append_event.
    event_seq = models.PositiveBigIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    healed = models.PositiveIntegerField(default=0)
    errored = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"Run {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class TestResult(models.Model):
    """One test of a run, as it stands (the final attempt once finished)."""

    __test__ = False  # not a pytest test class

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"
        HEALED = "healed"
        SKIPPED = "skipped"
        ERROR = "error"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="test_results")
    position = models.PositiveIntegerField()
    test = models.ForeignKey(TestDefinition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    test_id_text = models.CharField(max_length=64)  # kept when the definition is deleted later
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="testresult_unique_position")]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"


class StepResult(models.Model):
    test_result = models.ForeignKey(TestResult, on_delete=models.CASCADE, related_name="steps")
    index = models.PositiveIntegerField()
    action = models.CharField(max_length=64)
    target = models.TextField(null=True, blank=True)
    value = models.TextField(null=True, blank=True)
    outcome = models.CharField(max_length=10)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(null=True, blank=True)
    screenshot_url = models.CharField(max_length=2000, null=True, blank=True)
    logs = models.JSONField(default=list, blank=True)
    heal = models.JSONField(null=True, blank=True)
    url = models.CharField(max_length=2000, null=True, blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["test_result", "index"], name="stepresult_unique_index")]

    def __str__(self) -> str:
        return f"step {self.index} {self.action}: {self.outcome}"


class RunEvent(models.Model):
    """One event of a run, numbered per run (`seq` strictly increasing from 1; it is the SSE event id).

    `key` names an event that must exist at most once per run whoever writes it ("run:queued",
    "run:complete"); appending an event under a key already stored returns the stored one.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict)
    key = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="runevent_unique_seq"),
            models.UniqueConstraint(
                fields=["run", "key"], condition=models.Q(key__isnull=False), name="runevent_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.seq} {self.kind}"


class Checkpoint(models.Model):
    """The whole run state after a node or a step (`RunState.to_dict()`), numbered per run.

    A finished test's result never changes, so a checkpoint does not store again the results an earlier
    checkpoint of its run (a keyframe, which stores all of its own) already holds: `state["results"]` is what
    follows the first `shared_results` results of `results_from`. Read the state with `full_state()`.
    """

    id = models.CharField(primary_key=True, max_length=40, default=new_checkpoint_id, editable=False)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="checkpoints")
    thread_id = models.CharField(max_length=64, db_index=True)
    seq = models.PositiveIntegerField()
    node = models.CharField(max_length=32)
    state = models.JSONField()
    # The run's last event seq when this was saved: where a stream of this point in time ends.
    event_seq = models.PositiveBigIntegerField(default=0)
    # The previous checkpoint of the thread; for a replay's first checkpoint, the one it replayed from.
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    results_from = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    shared_results = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="checkpoint_unique_seq")]
        indexes = [models.Index(fields=["thread_id", "seq"])]

    def __str__(self) -> str:
        return f"{self.id} ({self.node})"

    def full_state(self) -> dict[str, Any]:
        """The run state as the engine saved it."""
        if not self.shared_results or self.results_from is None:
            return self.state
        shared = self.results_from.state["results"][: self.shared_results]
        return {**self.state, "results": shared + self.state["results"]}


class StepFingerprint(models.Model):
    """The element a step acted on the last time it was green, for self-healing.

    `signature` is the step as written; when a test is edited, a step whose text changed does not
    inherit the element its predecessor at the same index used.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    test = models.ForeignKey(TestDefinition, on_delete=models.CASCADE, related_name="fingerprints")
    step_index = models.PositiveIntegerField()
    signature = models.CharField(max_length=64)
    fingerprint = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["test", "step_index"], name="fingerprint_unique_step")]

    def __str__(self) -> str:
        return f"{self.test_id}[{self.step_index}]"


class Heal(models.Model):
    """A step a run healed, kept for a person to accept (the test is updated) or reject (never made again).

    `old_step` and `step_signature` are the step as written when it was healed: accepting checks the test
    still has that step, and a rejection applies to that step only, not to whatever replaces it later.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="heals")
    test = models.ForeignKey(TestDefinition, on_delete=models.CASCADE, related_name="heals")
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="heals")
    step_index = models.PositiveIntegerField()
    step_signature = models.CharField(max_length=64)
    old_step = models.JSONField()
    old_target = models.TextField(blank=True, default="")
    new_locator = models.TextField()
    score = models.FloatField()
    runner_up_score = models.FloatField()
    reason = models.TextField(blank=True, default="")
    # The healed element's fingerprint as captured on the page; on accept it becomes the step's reference.
    chosen = models.JSONField(default=dict, blank=True)
    top = models.JSONField(default=list, blank=True)
    screenshot_url = models.CharField(max_length=2000, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(UserProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by_api_key = models.ForeignKey(APIKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["run", "test", "step_index"], name="heal_unique_run_step")]
        indexes = [
            models.Index(fields=["project", "status", "-created_at"]),
            models.Index(fields=["test", "step_index", "status"]),
        ]

    def __str__(self) -> str:
        return f"heal {self.test_id}[{self.step_index}] -> {self.new_locator} ({self.status})"
