from django.contrib import admin

from testruns.models import Checkpoint, Heal, Run, RunEvent, StepFingerprint, StepResult, TestResult


class TestResultInline(admin.TabularInline):
    model = TestResult
    extra = 0
    fields = ["position", "name", "status", "attempts", "duration_ms", "error"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "status", "total", "passed", "failed", "created_at", "finished_at", "worker_id"]
    list_filter = ["status"]
    search_fields = ["id", "thread_id", "project__name"]
    raw_id_fields = ["organization", "project", "triggered_by", "triggered_by_api_key", "parent_checkpoint"]
    readonly_fields = ["event_seq", "lease", "heartbeat_at", "worker_id", "started_at", "finished_at"]
    inlines = [TestResultInline]


class StepResultInline(admin.TabularInline):
    model = StepResult
    extra = 0
    fields = ["index", "action", "target", "outcome", "duration_ms", "error", "screenshot_url"]
    readonly_fields = fields
    can_delete = False


@admin.register(TestResult)
class TestResultAdmin(admin.ModelAdmin):
    list_display = ["name", "run", "status", "attempts", "duration_ms"]
    list_filter = ["status"]
    raw_id_fields = ["run", "test"]
    inlines = [StepResultInline]


@admin.register(RunEvent)
class RunEventAdmin(admin.ModelAdmin):
    list_display = ["run", "seq", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["run"]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["id", "thread_id", "seq", "node", "created_at"]
    search_fields = ["id", "thread_id"]
    raw_id_fields = ["run", "parent", "results_from"]


@admin.register(StepFingerprint)
class StepFingerprintAdmin(admin.ModelAdmin):
    list_display = ["test", "step_index", "updated_at"]
    raw_id_fields = ["project", "test"]


@admin.register(Heal)
class HealAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "test", "step_index", "new_locator", "score", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["id", "new_locator", "old_target", "test__name", "project__name"]
    raw_id_fields = ["organization", "project", "test", "run", "decided_by", "decided_by_api_key"]
    # A decision goes through the API (it rewrites the test); the admin shows what was decided.
    readonly_fields = [
        "step_signature",
        "old_step",
        "chosen",
        "top",
        "status",
        "decided_by",
        "decided_by_api_key",
        "decided_at",
    ]
