"""End to end in one process: real Chromium against apps served on 127.0.0.1, the task's code run in-line."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from argus.celery import app as celery_app
from testruns.engine.testing import DEMO_TESTS, DemoAppServer, StaticAppServer
from testruns.execution import ports
from testruns.execution.executor import run_execute
from testruns.execution.recovery import recover_stale_runs
from testruns.models import Checkpoint, Run, RunEvent, StepResult, TestResult
from testruns.tests.e2e_support import make_project_with_tests, start_and_execute
from tests import factories
from tests.conftest import client_for

pytestmark = [pytest.mark.browser]

SIGN_IN = DEMO_TESTS[0]


class FlakyApp(StaticAppServer):
    """/flaky says "Ready" from the second load on; /never never does."""

    def __init__(self) -> None:
        super().__init__(pages={"/never": "<title>Never</title><h1>Still loading</h1>"})
        self.loads = 0

    def handle_api(self, handler, method, path, query, body):
        if path == "/flaky":
            self.loads += 1
            text = "Ready" if self.loads >= 2 else "Not yet"
            handler._send(200, f"<title>Flaky</title><h1>{text}</h1>".encode(), "text/html")
            return True
        return super().handle_api(handler, method, path, query, body)


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def demo_app():
    with DemoAppServer() as server:
        yield server


@pytest.fixture
def flaky_app():
    with FlakyApp() as server:
        yield server


def step_logs(run):
    return [
        e.data["message"]
        for e in RunEvent.objects.filter(run=run, kind="log").order_by("seq")
        if e.data.get("message", "").startswith("Step ")
    ]


def test_a_passing_run_records_results_steps_events_and_checkpoints(org, demo_app):
    project, (test,) = make_project_with_tests(org, demo_app.url, [SIGN_IN])
    run = start_and_execute(project)
    assert run.status == "passed", run.error
    assert (run.total, run.passed, run.failed) == (1, 1, 0)
    assert run.started_at and run.finished_at and run.duration_seconds > 0
    result = TestResult.objects.get(run=run)
    assert (result.status, result.test_id, result.attempts) == ("passed", test.id, 1)
    steps = list(result.steps.all())
    assert [s.index for s in steps] == list(range(len(SIGN_IN["steps"])))
    assert all(s.outcome == "passed" for s in steps)
    kinds = list(RunEvent.objects.filter(run=run).values_list("kind", flat=True))
    assert kinds[0] == "state_update" and kinds[-1] == "complete"
    seqs = list(RunEvent.objects.filter(run=run).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    nodes = list(Checkpoint.objects.filter(run=run).values_list("node", flat=True))
    assert nodes[0] == "analyze_app" and nodes[-1] == "report"
    assert nodes.count("execute_test") == len(SIGN_IN["steps"]) + 1
    # A second delivery of the same task finds the run finished and records nothing.
    counts = (StepResult.objects.count(), RunEvent.objects.count(), Checkpoint.objects.count())
    assert run_execute(run_id=run.id, worker_id="another-worker") == "skipped"
    assert (StepResult.objects.count(), RunEvent.objects.count(), Checkpoint.objects.count()) == counts


def test_failed_assertion_fails_the_run_with_a_screenshot_through_the_api(
    org, owner, demo_app, django_capture_on_commit_callbacks, eager_celery
):
    steps = ["Open /login.html", "Expect to see Welcome, Bob"]
    project, _ = make_project_with_tests(org, demo_app.url, [{"name": "Bob is welcome", "steps": steps}])
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/test/run",
            {"project_id": str(project.id), "options": {"step_timeout_ms": 1500}},
            format="json",
        )
    assert response.status_code == 202
    run_id = response.json()["run_id"]
    detail = client.get(f"/api/v1/runs/{run_id}").json()
    assert detail["status"] == "failed"
    assert detail["summary"]["failed"] == 1
    (test,) = detail["tests"]
    assert test["status"] == "failed" and "Welcome, Bob" in test["error"]
    failing = test["steps"][1]
    assert failing["outcome"] == "failed" and failing["action"] == "assert_text"
    assert failing["screenshot_url"].endswith(".jpg")
    shot = RunEvent.objects.get(run_id=run_id, kind="screenshot")
    assert "base64" not in shot.data and default_storage.exists(shot.data["path"])
    assert default_storage.open(shot.data["path"]).read(3) == b"\xff\xd8\xff"  # a JPEG
    image = client.get(failing["screenshot_url"].removeprefix(settings.PUBLIC_URL))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:3] == b"\xff\xd8\xff"
    stranger = factories.make_profile()
    factories.make_org(stranger)
    assert client_for(stranger).get(failing["screenshot_url"].removeprefix(settings.PUBLIC_URL)).status_code == 404
    assert client.get(f"/api/v1/runs/{run_id}/artifacts/..%2Fsecret_key").status_code == 404
    status = client.get(f"/api/v1/test/status/{run_id}").json()
    assert status["progress"] == {"total": 1, "passed": 0, "failed": 1, "pending": 0}


def test_listeners_hear_of_complete_only_once_the_verdict_is_committed(transactional_db, org, demo_app, monkeypatch):
    """Real commits (a transactional test), so each push runs when its event's transaction commits."""
    from testruns import events

    status_when_complete_pushed = []
    push = events.push_event

    def watching_push(*, run_id, seq):
        if RunEvent.objects.get(run_id=run_id, seq=seq).kind == "complete":
            status_when_complete_pushed.append(Run.objects.get(id=run_id).status)
        push(run_id=run_id, seq=seq)

    monkeypatch.setattr(events, "push_event", watching_push)
    project, _ = make_project_with_tests(org, demo_app.url, [SIGN_IN])
    run = start_and_execute(project)

    assert status_when_complete_pushed == ["passed"]
    complete = RunEvent.objects.filter(run=run).last()
    assert complete.kind == "complete"
    assert (complete.data["passed"], complete.data["failed"]) == (1, 0)


def test_an_unreachable_app_is_an_error_not_a_failure(org):
    project, _ = make_project_with_tests(org, "http://127.0.0.1:9/", [{"name": "t", "steps": ["Open /"]}])
    run = start_and_execute(project, step_timeout_ms=2000)
    assert run.status == "error"
    assert run.error
    assert TestResult.objects.get(run=run).status == "error"
    assert RunEvent.objects.filter(run=run, kind="complete").count() == 1


def test_retries_record_the_attempt_that_counts(org, flaky_app):
    tests = [
        {"name": "flaky", "steps": ["Open /flaky", "Expect to see Ready"]},
        {"name": "never", "steps": ["Open /never", "Expect to see Ready"]},
    ]
    project, _ = make_project_with_tests(org, flaky_app.url, tests)
    run = start_and_execute(project, max_retries=1, step_timeout_ms=1000)
    assert run.status == "failed"
    flaky, never = TestResult.objects.filter(run=run).order_by("position")
    assert (flaky.status, flaky.attempts) == ("passed", 2)
    assert (never.status, never.attempts) == ("failed", 2)
    for result in (flaky, never):
        assert list(result.steps.values_list("index", flat=True)) == [0, 1]


def test_the_demo_suite_passes(org, demo_app):
    project, _ = make_project_with_tests(org, demo_app.url, DEMO_TESTS)
    run = start_and_execute(project)
    statuses = dict(TestResult.objects.filter(run=run).values_list("name", "status"))
    assert run.status == "passed", (run.error, statuses)
    assert run.passed == len(DEMO_TESTS)


def test_replay_from_a_middle_checkpoint_keeps_the_signed_in_session(org, owner, demo_app, monkeypatch):
    project, _ = make_project_with_tests(org, demo_app.url, [SIGN_IN])
    original = start_and_execute(project)
    assert original.status == "passed"
    signed_in = next(
        cp
        for cp in Checkpoint.objects.filter(run=original, node="execute_test").order_by("seq")
        # Once the dashboard greets Alice the session exists (cookie + local storage); the clicked button's
        # navigation may still be under way at the checkpoint right after the click.
        if cp.state["step_index"] == SIGN_IN["steps"].index("Expect to see Welcome, Alice") + 1
    )
    original_checkpoints = Checkpoint.objects.filter(run=original).count()
    client = client_for(owner)
    queued: list[str] = []
    from testruns import tasks

    monkeypatch.setattr(tasks.execute_run, "delay", queued.append)
    response = client.post(
        "/api/v1/time-travel/replay",
        {"thread_id": original.thread_id, "checkpoint_id": signed_in.id},
        format="json",
    )
    assert response.status_code == 202
    replay_id = response.json()["run_id"]
    sessions_before = len(demo_app.sessions)
    outcome = run_execute(run_id=replay_id, worker_id="test-worker")
    assert outcome == "passed", list(TestResult.objects.filter(run_id=replay_id).values("status", "error"))
    assert len(demo_app.sessions) == sessions_before  # nobody signed in again: the cookie was restored
    replay = Run.objects.get(id=replay_id)
    result = TestResult.objects.get(run=replay)
    assert result.status == "passed"
    assert list(result.steps.values_list("index", flat=True)) == list(range(len(SIGN_IN["steps"])))
    history = client.get(f"/api/v1/time-travel/history/{replay.thread_id}").json()["checkpoints"]
    assert history[0]["node"] == "execute_test"  # continues from the step after the checkpoint
    first = Checkpoint.objects.get(id=history[0]["checkpoint_id"])
    assert first.parent_id == signed_in.id
    original.refresh_from_db()
    assert original.status == "passed"
    assert Checkpoint.objects.filter(run=original).count() == original_checkpoints


class SimulatedWorkerDeath(BaseException):
    """Escapes every handler, as a killed process would: nothing after it runs."""


def test_a_run_whose_worker_died_continues_from_its_last_checkpoint(org, demo_app, monkeypatch):
    project, _ = make_project_with_tests(org, demo_app.url, [SIGN_IN])
    from testruns import services

    run = services.run_start(project=project, test_ids=[], options={})
    real_save = ports.DatabaseCheckpointStore.store
    saves = {"n": 0}

    def dying_save(self, *, node, data):
        saves["n"] += 1
        # Checkpoint 1 is analyze_app, n+1 follows step n: die after step 7's events, before its checkpoint,
        # once signed in (a half-filled form is page state that no checkpoint can carry).
        if saves["n"] == 8:
            raise SimulatedWorkerDeath()
        real_save(self, node=node, data=data)

    monkeypatch.setattr(ports.DatabaseCheckpointStore, "store", dying_save)
    with pytest.raises(SimulatedWorkerDeath):
        run_execute(run_id=run.id, worker_id="doomed")
    monkeypatch.setattr(ports.DatabaseCheckpointStore, "store", real_save)
    run.refresh_from_db()
    assert run.status == "running" and Checkpoint.objects.filter(run=run).count() == 7
    assert "Step 7:" in step_logs(run)[-1]  # reported by the worker that died
    assert run_execute(run_id=run.id, worker_id="impatient") == "skipped"  # its heartbeat is still fresh

    Run.objects.filter(id=run.id).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    requeued: list[str] = []
    assert recover_stale_runs(enqueue=requeued.append) == [str(run.id)]
    assert run_execute(run_id=run.id, worker_id="rescuer") == "passed"
    run.refresh_from_db()
    assert (run.status, run.worker_id, run.lease) == ("passed", "rescuer", 2)
    result = TestResult.objects.get(run=run)
    assert list(result.steps.values_list("index", flat=True)) == list(range(len(SIGN_IN["steps"])))
    logs = step_logs(run)
    assert len(logs) == len(set(logs)) == len(SIGN_IN["steps"])  # no step reported twice
    seqs = list(Checkpoint.objects.filter(run=run).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_cancel_stops_a_running_run_within_a_second(org, demo_app, monkeypatch):
    tests = [
        {"name": "slow", "steps": ["Open /", "Wait 20 seconds", "Expect to see never"]},
        {"name": "later", "steps": ["Open /"]},
    ]
    project, _ = make_project_with_tests(org, demo_app.url, tests)
    real_emit = ports.DatabaseEventSink.emit

    def emit_then_cancel(self, kind, data):
        real_emit(self, kind, data)
        if kind == "log" and str(data.get("message", "")).startswith("Step 1:"):
            Run.objects.filter(id=self.ctx.run_id).update(cancel_requested_at=timezone.now())

    monkeypatch.setattr(ports.DatabaseEventSink, "emit", emit_then_cancel)
    started = timezone.now()
    run = start_and_execute(project)
    assert run.status == "cancelled"
    assert (timezone.now() - started).total_seconds() < 15
    assert list(TestResult.objects.filter(run=run).values_list("status", flat=True)) == ["skipped", "skipped"]


def test_a_checkpoint_the_engine_cannot_read_errors_the_run_instead_of_looping(org, demo_app):
    project, _ = make_project_with_tests(org, demo_app.url, [SIGN_IN])
    from testruns import services

    original = Run.objects.create(organization=org, project=project, app_url=demo_app.url, status="passed")
    future = Checkpoint.objects.create(
        run=original, thread_id=original.thread_id, seq=1, node="report", state={"version": 999}
    )
    replay = services.run_replay(checkpoint=future)
    assert run_execute(run_id=replay.id, worker_id="w") == "error"
    replay.refresh_from_db()
    assert "newer than this engine understands" in replay.error
    assert RunEvent.objects.filter(run=replay, kind="complete").count() == 1


def test_when_the_task_thread_dies_the_engine_thread_is_released(org, demo_app, monkeypatch):
    from testruns import services
    from testruns.execution.bridge import engine_executor
    from testruns.execution.executor import RunMonitor

    project, _ = make_project_with_tests(org, demo_app.url, [SIGN_IN])
    run = services.run_start(project=project, test_ids=[], options={})
    real_tick = RunMonitor.tick
    ticks = {"n": 0}

    def dying_tick(self):
        ticks["n"] += 1
        if ticks["n"] == 20:  # mid-run, between two engine calls
            raise SimulatedWorkerDeath()
        real_tick(self)

    monkeypatch.setattr(RunMonitor, "tick", dying_tick)
    with pytest.raises(SimulatedWorkerDeath):
        run_execute(run_id=run.id, worker_id="doomed")
    # The engine stops at its next call instead of waiting forever for an answer.
    assert engine_executor().submit(lambda: "free").result(timeout=20) == "free"
    assert Run.objects.get(id=run.id).status == "running"  # left for recovery, as a dead worker would


@pytest.mark.django_db
def test_a_dead_run_is_requeued_once_until_a_worker_takes_it(org):
    # While every worker is busy, the re-queued delivery waits in the queue: beat must not add another
    # one at every tick. Once a worker has taken the run (and died too), or the delivery looks lost,
    # it is re-queued again.
    project = factories.make_project(org)
    now = timezone.now()
    run = Run.objects.create(
        organization=org,
        project=project,
        app_url=project.app_url,
        status="running",
        worker_id="gone",
        heartbeat_at=now - timedelta(minutes=5),
    )
    queued: list[str] = []
    assert recover_stale_runs(enqueue=queued.append) == [str(run.id)]
    assert recover_stale_runs(enqueue=queued.append) == []
    assert recover_stale_runs(enqueue=queued.append) == []

    # A worker took it (its claim heartbeats after the re-queue) and died as well.
    Run.objects.filter(id=run.id).update(
        recovery_queued_at=now - timedelta(minutes=4), heartbeat_at=now - timedelta(minutes=3)
    )
    assert recover_stale_runs(enqueue=queued.append) == [str(run.id)]
    assert recover_stale_runs(enqueue=queued.append) == []

    # Nobody took it for longer than ARGUS_RUN_REQUEUE_SECONDS: the delivery is taken for lost.
    Run.objects.filter(id=run.id).update(
        recovery_queued_at=now - timedelta(seconds=settings.ARGUS_RUN_REQUEUE_SECONDS + 1),
        heartbeat_at=now - timedelta(hours=1),
    )
    assert recover_stale_runs(enqueue=queued.append) == [str(run.id)]
    # A run that never heartbeated (claimed by no one) is re-queued once too.
    fresh = Run.objects.create(organization=org, project=project, app_url=project.app_url, status="running")
    assert recover_stale_runs(enqueue=queued.append) == [str(fresh.id)]
    assert recover_stale_runs(enqueue=queued.append) == []
