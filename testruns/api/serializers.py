from __future__ import annotations

from django.core.validators import URLValidator
from rest_framework import serializers

from testruns.models import Checkpoint, Run, StepResult, TestResult

# --- requests -------------------------------------------------------------------------------------


class RunOptionsSerializer(serializers.Serializer):
    """Documented here for the schema; values are checked by services.normalize_run_options."""

    headless = serializers.BooleanField(required=False, default=True)
    self_heal_enabled = serializers.BooleanField(required=False, default=True)
    max_retries = serializers.IntegerField(required=False, min_value=0, max_value=5, default=0)
    step_timeout_ms = serializers.IntegerField(required=False, min_value=100, max_value=120_000)
    step_timeout_seconds = serializers.FloatField(required=False, min_value=0.1, max_value=120)
    screenshot_every_step = serializers.BooleanField(required=False, default=False)


class StartRunBodySerializer(serializers.Serializer):
    """What the view validates; `options` stays a plain dict for services.normalize_run_options."""

    project_id = serializers.UUIDField()
    app_url = serializers.URLField(
        required=False,
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Run against this URL instead of the project's app_url (e.g. a preview deployment)",
    )
    test_ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    options = serializers.DictField(required=False, default=dict, help_text="See RunOptions")


class StartRunSerializer(StartRunBodySerializer):
    """The request body as documented (component StartRunRequest, which the stream start also uses)."""

    options = RunOptionsSerializer(required=False)


class ReplaySerializer(serializers.Serializer):
    thread_id = serializers.CharField(max_length=64)
    checkpoint_id = serializers.CharField(max_length=40)


# --- responses ------------------------------------------------------------------------------------


class RunQueuedSerializer(serializers.Serializer):
    run_id = serializers.UUIDField()
    thread_id = serializers.CharField()
    status = serializers.CharField()
    message = serializers.CharField()


class ReplayQueuedSerializer(RunQueuedSerializer):
    parent_checkpoint_id = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()


class RunStatusSerializer(serializers.Serializer):
    run_id = serializers.UUIDField()
    status = serializers.CharField()
    progress = ProgressSerializer()
    started_at = serializers.DateTimeField(allow_null=True)
    estimated_completion = serializers.DateTimeField(allow_null=True)


class StepResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepResult
        fields = [
            "index",
            "action",
            "target",
            "value",
            "outcome",
            "duration_ms",
            "error",
            "screenshot_url",
            "url",
            "logs",
            "heal",
        ]


class TestResultSerializer(serializers.ModelSerializer):
    test_id = serializers.CharField(source="test_id_text")
    error = serializers.SerializerMethodField()
    steps = StepResultSerializer(many=True)

    class Meta:
        model = TestResult
        fields = ["test_id", "name", "status", "attempts", "duration_ms", "error", "steps"]

    def get_error(self, obj: TestResult) -> str | None:
        return obj.error or None


class RunSerializer(serializers.ModelSerializer):
    organization_id = serializers.UUIDField()
    project_id = serializers.UUIDField()
    triggered_by = serializers.SerializerMethodField()
    parent_checkpoint_id = serializers.CharField(allow_null=True)
    error = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "thread_id",
            "organization_id",
            "project_id",
            "status",
            "app_url",
            "options",
            "test_ids",
            "triggered_by",
            "parent_checkpoint_id",
            "summary",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
        ]

    def get_triggered_by(self, obj: Run) -> dict[str, str] | None:
        if obj.triggered_by_api_key_id:
            return {"type": "api_key", "id": str(obj.triggered_by_api_key_id)}
        if obj.triggered_by_id:
            return {"type": "user", "id": obj.triggered_by.user_id}
        return None

    def get_error(self, obj: Run) -> str | None:
        return obj.error or None

    def get_summary(self, obj: Run) -> dict[str, int]:
        return {
            "total": obj.total,
            "passed": obj.passed,
            "failed": obj.failed,
            "healed": obj.healed,
            "errored": obj.errored,
            "skipped": obj.skipped,
        }


class RunDetailSerializer(RunSerializer):
    tests = TestResultSerializer(many=True, source="test_results")

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "tests"]


class RunPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RunSerializer(many=True)


class CancelResponseSerializer(serializers.Serializer):
    run_id = serializers.UUIDField()
    status = serializers.CharField()
    message = serializers.CharField()


class CheckpointItemSerializer(serializers.ModelSerializer):
    checkpoint_id = serializers.CharField(source="id")
    timestamp = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Checkpoint
        fields = ["checkpoint_id", "node", "timestamp"]


class HistorySerializer(serializers.Serializer):
    thread_id = serializers.CharField()
    checkpoints = CheckpointItemSerializer(many=True)
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class CheckpointDetailSerializer(serializers.ModelSerializer):
    checkpoint_id = serializers.CharField(source="id")
    run_id = serializers.UUIDField()
    parent_checkpoint_id = serializers.CharField(source="parent_id", allow_null=True)
    timestamp = serializers.DateTimeField(source="created_at")
    state = serializers.JSONField(source="full_state", read_only=True)

    class Meta:
        model = Checkpoint
        fields = ["checkpoint_id", "thread_id", "run_id", "seq", "node", "timestamp", "parent_checkpoint_id", "state"]
