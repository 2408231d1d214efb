"""The runs API without a browser: validation, roles, scopes, tenancy, limits, cancel and time-travel reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from organizations.roles import Role
from testruns import tasks
from testruns.models import Checkpoint, Run, RunEvent
from tests import factories
from tests.conftest import client_for


@pytest.fixture
def project(org):
    return factories.make_project(org, config={"browser": "chromium", "viewport": {"width": 800, "height": 600}})


@pytest.fixture
def tests_(project):
    return [
        factories.make_test(project, ["Go to /"], name="one"),
        factories.make_test(project, ["Go to /"], name="two"),
        factories.make_test(project, ["Go to /"], name="off", is_active=False),
    ]


def member_client(org, role=Role.MEMBER):
    profile = factories.make_profile()
    factories.add_member(org, profile, role)
    return client_for(profile), profile


def start(client, project, **body):
    return client.post("/api/v1/test/run", {"project_id": str(project.id), **body}, format="json")


def test_start_queues_every_active_test_when_test_ids_is_empty(
    org, project, tests_, django_capture_on_commit_callbacks, monkeypatch
):
    client, profile = member_client(org)
    queued: list[str] = []
    monkeypatch.setattr(tasks.execute_run, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, project, test_ids=[], options={"max_retries": 2, "step_timeout_seconds": 3})
    assert response.status_code == 202, response.json()
    body = response.json()
    assert set(body) == {"run_id", "thread_id", "status", "message"}
    assert body["status"] == "pending" and body["message"] == "Test run queued"
    assert body["thread_id"].startswith("thread_")
    run = Run.objects.get(id=body["run_id"])
    assert run.test_ids == [str(tests_[0].id), str(tests_[1].id)]
    assert run.options["max_retries"] == 2 and run.options["step_timeout_ms"] == 3000
    assert run.triggered_by == profile and run.organization == org
    assert queued == [str(run.id)]  # enqueued once, after commit
    assert RunEvent.objects.filter(run=run, kind="state_update").count() == 1


def test_unknown_or_foreign_test_ids_are_422_and_nothing_is_created(org, project, tests_):
    client, _ = member_client(org)
    other_project = factories.make_project(org)
    foreign = factories.make_test(other_project, ["Go to /"])
    for ids in (["not-a-uuid"], [str(foreign.id)], [str(tests_[0].id), "00000000-0000-0000-0000-000000000000"]):
        response = start(client, project, test_ids=ids)
        assert response.status_code == 422, ids
        assert response.json()["errors"]["test_ids"]
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"max_retries": 6}, "options.max_retries"),
        ({"max_retries": "2"}, "options.max_retries"),
        ({"headless": "yes"}, "options.headless"),
        ({"step_timeout_ms": 10}, "options.step_timeout_ms"),
        ({"step_timeout_ms": 1000, "step_timeout_seconds": 1}, "options.step_timeout_ms"),
        ({"turbo": True}, "options.turbo"),
    ],
)
def test_bad_options_are_422_naming_the_option(org, project, tests_, options, field):
    client, _ = member_client(org)
    response = start(client, project, options=options)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Run.objects.exists()


def test_a_project_without_active_tests_cannot_start_a_run(org, project):
    client, _ = member_client(org)
    response = start(client, project)
    assert response.status_code == 422
    assert response.json()["code"] == "no_tests"


def test_viewer_cannot_start_but_can_read(org, project, tests_):
    viewer, _ = member_client(org, Role.VIEWER)
    assert start(viewer, project).status_code == 403
    run = Run.objects.create(organization=org, project=project, app_url=project.app_url, total=2)
    assert viewer.get(f"/api/v1/test/status/{run.id}").status_code == 200
    assert viewer.get(f"/api/v1/runs/{run.id}").status_code == 200
    assert viewer.post(f"/api/v1/runs/{run.id}/cancel").status_code == 403


def test_other_organizations_runs_are_404(org, project, tests_):
    stranger = factories.make_profile()
    factories.make_org(stranger)
    client = client_for(stranger)
    run = Run.objects.create(organization=org, project=project, app_url=project.app_url)
    checkpoint = Checkpoint.objects.create(run=run, thread_id=run.thread_id, seq=1, node="analyze_app", state={})
    assert start(client, project).status_code == 404
    for url in (
        f"/api/v1/test/status/{run.id}",
        f"/api/v1/runs/{run.id}",
        f"/api/v1/projects/{project.id}/runs",
        f"/api/v1/time-travel/history/{run.thread_id}",
        f"/api/v1/time-travel/checkpoints/{checkpoint.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/runs/{run.id}/cancel").status_code == 404
    response = client.post(
        "/api/v1/time-travel/replay", {"thread_id": run.thread_id, "checkpoint_id": checkpoint.id}, format="json"
    )
    assert response.status_code == 404
    assert Run.objects.count() == 1


def test_api_key_needs_tests_or_write_scope_to_start(org, owner, project, tests_, api):
    _, read_only = factories.make_api_key(org, owner, scopes=["read"])
    _, runner = factories.make_api_key(org, owner, scopes=["tests"])
    api.credentials(**factories.api_key_header(read_only))
    assert start(api, project).status_code == 403
    api.credentials(**factories.api_key_header(runner))
    response = start(api, project)
    assert response.status_code == 202
    run = Run.objects.get(id=response.json()["run_id"])
    assert run.triggered_by is None and run.triggered_by_api_key is not None
    assert api.get(f"/api/v1/runs/{run.id}").status_code == 403  # "tests" alone does not read


def test_concurrent_runs_limit_is_a_403_naming_it(org, project, tests_, settings):
    settings.ARGUS_PLANS = {**settings.ARGUS_PLANS, "free": {**settings.ARGUS_PLANS["free"], "concurrent_runs": 1}}
    client, _ = member_client(org)
    assert start(client, project).status_code == 202
    response = start(client, project)
    assert response.status_code == 403
    assert response.json()["code"] == "plan_limit_concurrent_runs"
    assert "concurrent runs" in response.json()["detail"]


def test_runs_per_month_limit(org, project, tests_, settings):
    settings.ARGUS_PLANS = {**settings.ARGUS_PLANS, "free": {**settings.ARGUS_PLANS["free"], "runs_per_month": 1}}
    Run.objects.create(organization=org, project=project, app_url=project.app_url, status="passed")
    client, _ = member_client(org)
    response = start(client, project)
    assert response.status_code == 403
    assert response.json()["code"] == "plan_limit_runs_per_month"


def test_status_progress_and_estimate_from_history(org, project, as_owner):
    now = timezone.now()
    Run.objects.create(
        organization=org,
        project=project,
        app_url="http://x/",
        status="passed",
        total=2,
        duration_seconds=60,
        finished_at=now - timedelta(hours=1),
    )
    run = Run.objects.create(
        organization=org,
        project=project,
        app_url="http://x/",
        status="running",
        total=4,
        passed=1,
        healed=1,
        failed=1,
        started_at=now,
    )
    body = as_owner.get(f"/api/v1/test/status/{run.id}").json()
    assert body["progress"] == {"total": 4, "passed": 2, "failed": 1, "pending": 1}
    assert set(body) == {"run_id", "status", "progress", "started_at", "estimated_completion"}
    # 30 s per test from history, 4 tests
    estimate = timezone.datetime.fromisoformat(body["estimated_completion"].replace("Z", "+00:00"))
    assert abs((estimate - (now + timedelta(seconds=120))).total_seconds()) < 1


def test_status_has_no_estimate_without_history(org, project, as_owner):
    run = Run.objects.create(organization=org, project=project, app_url="http://x/", total=1)
    body = as_owner.get(f"/api/v1/test/status/{run.id}").json()
    assert body["estimated_completion"] is None
    assert body["started_at"] is None and body["status"] == "pending"


def test_project_runs_are_paginated_newest_first(org, project, as_owner):
    runs = [Run.objects.create(organization=org, project=project, app_url="http://x/") for _ in range(3)]
    body = as_owner.get(f"/api/v1/projects/{project.id}/runs", {"limit": 2}).json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [str(runs[2].id), str(runs[1].id)]
    assert body["next"] and "offset=2" in body["next"]
    rest = as_owner.get(body["next"]).json()
    assert [r["id"] for r in rest["results"]] == [str(runs[0].id)]


def test_cancel_a_pending_run_and_refuse_a_finished_one(org, project, tests_):
    client, _ = member_client(org)
    run = Run.objects.create(organization=org, project=project, app_url="http://x/")
    response = client.post(f"/api/v1/runs/{run.id}/cancel")
    assert response.status_code == 202
    assert response.json()["status"] == "cancelled"
    run.refresh_from_db()
    assert run.status == "cancelled" and run.cancel_requested_at and run.finished_at
    assert RunEvent.objects.filter(run=run, kind="complete").count() == 1
    response = client.post(f"/api/v1/runs/{run.id}/cancel")
    assert response.status_code == 409


def test_cancel_a_running_run_only_requests_it(org, project, as_owner):
    run = Run.objects.create(organization=org, project=project, app_url="http://x/", status="running")
    response = as_owner.post(f"/api/v1/runs/{run.id}/cancel")
    assert response.status_code == 202
    assert response.json() == {"run_id": str(run.id), "status": "running", "message": "Cancellation requested"}
    run.refresh_from_db()
    assert run.cancel_requested_at is not None and run.status == "running"


def test_history_is_oldest_first_and_paginated(org, project, as_owner):
    run = Run.objects.create(organization=org, project=project, app_url="http://x/")
    cps = [
        Checkpoint.objects.create(run=run, thread_id=run.thread_id, seq=i, node=node, state={"step_index": i})
        for i, node in enumerate(["analyze_app", "execute_test", "execute_test", "report"], start=1)
    ]
    body = as_owner.get(f"/api/v1/time-travel/history/{run.thread_id}", {"limit": 3}).json()
    assert body["thread_id"] == run.thread_id
    assert [c["checkpoint_id"] for c in body["checkpoints"]] == [c.id for c in cps[:3]]
    assert set(body["checkpoints"][0]) == {"checkpoint_id", "node", "timestamp"}
    assert body["checkpoints"][0]["node"] == "analyze_app"
    assert body["count"] == 4 and body["next"]
    detail = as_owner.get(f"/api/v1/time-travel/checkpoints/{cps[1].id}").json()
    assert detail["state"] == {"step_index": 2}
    assert detail["run_id"] == str(run.id) and detail["node"] == "execute_test"
    assert as_owner.get("/api/v1/time-travel/history/thread_nope").status_code == 404


def test_replay_needs_the_checkpoint_of_that_thread(org, project, as_owner):
    run = Run.objects.create(organization=org, project=project, app_url="http://x/", status="passed")
    other = Run.objects.create(organization=org, project=project, app_url="http://x/", status="passed")
    cp = Checkpoint.objects.create(run=other, thread_id=other.thread_id, seq=1, node="analyze_app", state={})
    response = as_owner.post(
        "/api/v1/time-travel/replay", {"thread_id": run.thread_id, "checkpoint_id": cp.id}, format="json"
    )
    assert response.status_code == 404
    assert as_owner.post("/api/v1/time-travel/replay", {"thread_id": run.thread_id}, format="json").status_code == 422
    response = as_owner.post(
        "/api/v1/time-travel/replay", {"thread_id": other.thread_id, "checkpoint_id": cp.id}, format="json"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["parent_checkpoint_id"] == cp.id and body["status"] == "pending"
    assert body["thread_id"] not in {run.thread_id, other.thread_id}
    replay = Run.objects.get(id=body["run_id"])
    assert replay.parent_checkpoint == cp and replay.test_ids == other.test_ids


def test_a_run_can_target_another_deployment_of_the_app(org, project, tests_, as_owner):
    response = start(as_owner, project, app_url="https://preview.example.com/")
    assert response.status_code == 202
    assert Run.objects.get(id=response.json()["run_id"]).app_url == "https://preview.example.com/"
    response = start(as_owner, project, app_url="ftp://example.com/")
    assert response.status_code == 422 and "app_url" in response.json()["errors"]
    response = start(as_owner, project)
    assert Run.objects.get(id=response.json()["run_id"]).app_url == project.app_url
