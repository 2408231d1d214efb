"""POST /api/v1/stream/test: the start endpoint's own checks, then the run's stream."""

from __future__ import annotations

import json
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connections

from organizations.roles import Role
from testruns.engine.testing import DEMO_TESTS, DemoAppServer
from testruns.events import append_event
from testruns.execution.executor import run_execute
from testruns.models import Run
from testruns.streaming.tests.client import StreamClient
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/api/v1/stream/test"
STEPS = ["Click Sign in"]


class Worker:
    """Stands in for the Celery broker: `execute_run.delay` hands the run to a thread (a worker elsewhere),
    or only records it when `execute` is False."""

    def __init__(self, execute: bool) -> None:
        self.execute = execute
        self.run_ids: list[str] = []
        self.threads: list[threading.Thread] = []

    def delay(self, run_id: str) -> None:
        self.run_ids.append(run_id)
        if self.execute:
            thread = threading.Thread(target=self._work, args=(run_id,))
            self.threads.append(thread)
            thread.start()

    @staticmethod
    def _work(run_id: str) -> None:
        try:
            run_execute(run_id=run_id, worker_id="stream-test-worker")
        finally:
            connections.close_all()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(60)


@pytest.fixture
def queued(monkeypatch):
    worker = Worker(execute=False)
    monkeypatch.setattr("testruns.tasks.execute_run.delay", worker.delay)
    return worker


def post(body: dict, headers: dict[str, str] | None = None, query: str = "") -> StreamClient:
    return StreamClient(
        PATH,
        method="POST",
        query=query,
        body=json.dumps(body).encode(),
        headers={"Accept": "text/event-stream", "Content-Type": "application/json", **(headers or {})},
    )


def test_a_start_streams_the_new_run_from_its_first_event(project, owner_token, queued, fast_streams):
    factories.make_test(project, STEPS)

    async def scenario():
        client = await post({"project_id": str(project.id)}, {"Authorization": f"Bearer {owner_token}"}).open()
        first = await client.messages(1)
        run_id = queued.run_ids[0]
        await sync_to_async(append_event)(run_id=run_id, kind="log", data={"level": "info", "message": "hello"})
        await sync_to_async(append_event)(
            run_id=run_id, kind="complete", data={"passed": 1, "failed": 0, "duration_seconds": 1}
        )
        return client, first + await client.rest()

    client, events = async_to_sync(scenario)()
    assert client.status == 200
    assert client.response_headers["content-type"] == "text/event-stream"
    assert client.response_headers["x-ratelimit-limit"] == "100"  # counted as test_execution
    assert [(e.id, e.event) for e in events] == [(1, "state_update"), (2, "log"), (3, "complete")]
    assert events[0].data == {"status": "pending"}
    assert Run.objects.filter(project=project).count() == 1


def test_the_start_body_is_the_start_endpoints_including_app_url(project, owner_token, queued, fast_streams):
    test = factories.make_test(project, STEPS)
    body = {
        "project_id": str(project.id),
        "app_url": "http://127.0.0.1:8765/preview",
        "test_ids": [str(test.id)],
        "options": {"max_retries": 2},
    }

    async def scenario():
        client = await post(body, {"Authorization": f"Bearer {owner_token}"}).open()
        await client.messages(1)
        await client.disconnect()
        return client.status

    assert async_to_sync(scenario)() == 200
    run = Run.objects.get(project=project)
    assert run.app_url == "http://127.0.0.1:8765/preview"
    assert run.test_ids == [str(test.id)]
    assert run.options["max_retries"] == 2


def test_query_credentials_work_for_the_start_too(project, org, owner, queued, fast_streams):
    """A key that may start runs may watch the one it started, even without the `read` scope."""
    factories.make_test(project, STEPS)
    _, raw = factories.make_api_key(org, owner, scopes=["tests"])

    async def scenario():
        client = await post({"project_id": str(project.id)}, query=f"api_key={raw}").open()
        first = await client.messages(1)
        await client.disconnect()
        return client.status, first

    status, first = async_to_sync(scenario)()
    assert status == 200
    assert first[0].event == "state_update"
    assert Run.objects.get(project=project).triggered_by_api_key is not None


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("nobody", {"project_id": "P"}, 401, None),
        ("viewer", {"project_id": "P"}, 403, "insufficient_role"),
        ("read_key", {"project_id": "P"}, 403, "insufficient_scope"),
        ("owner", {}, 422, "validation_error"),
        ("owner", {"project_id": "P", "options": {"max_retries": 99}}, 422, None),
        ("stranger", {"project_id": "P"}, 404, "not_found"),
    ],
)
def test_refusals_are_the_start_endpoints_own_and_start_nothing(
    who, body, status, code, project, org, owner, queued, fast_streams
):
    factories.make_test(project, STEPS)
    headers: dict[str, str] = {}
    if who == "owner":
        headers = factories_bearer(owner)
    elif who == "viewer":
        viewer = factories.make_profile("viewer@example.com")
        factories.add_member(org, viewer, Role.VIEWER)
        headers = factories_bearer(viewer)
    elif who == "read_key":
        headers = {"X-API-Key": factories.make_api_key(org, owner, scopes=["read"])[1]}
    elif who == "stranger":
        stranger = factories.make_profile("stranger@example.com")
        factories.make_org(stranger, name="Elsewhere")
        headers = factories_bearer(stranger)
    body = {k: (str(project.id) if v == "P" else v) for k, v in body.items()}

    async def scenario():
        client = await post(body, headers).open()
        return client, await client.json()

    client, answer = async_to_sync(scenario)()
    assert client.status == status
    assert answer["status_code"] == status
    if code:
        assert answer["code"] == code
    assert "x-ratelimit-limit" in client.response_headers
    assert Run.objects.count() == 0
    assert queued.run_ids == []


def test_a_full_organization_gets_a_429_before_any_run_starts(run, project, org, owner_token, queued, fast_streams):
    factories.make_test(project, STEPS)
    headers = {"Authorization": f"Bearer {owner_token}"}

    async def scenario():
        watching = [await StreamClient(f"/api/v1/stream/runs/{run.id}", headers=headers).open() for _ in range(10)]
        refused = await post({"project_id": str(project.id)}, headers).open()
        body = await refused.json()
        for client in watching:
            await client.disconnect()
        return refused, body

    refused, body = async_to_sync(scenario)()
    assert refused.status == 429
    assert "retry-after" in refused.response_headers
    assert body["code"] == "rate_limited"
    assert Run.objects.filter(project=project).count() == 1  # only the fixture's run
    assert queued.run_ids == []


def test_an_oversized_body_is_a_413_and_starts_nothing(project, owner_token, queued, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"project_id": str(project.id), "options": {"padding": "x" * 2000}}

    async def scenario():
        client = await post(body, {"Authorization": f"Bearer {owner_token}"}).open()
        return client.status, await client.json()

    status, answer = async_to_sync(scenario)()
    assert (status, answer["code"]) == (413, "payload_too_large")
    assert queued.run_ids == []


def test_other_methods_are_a_405(owner_token):
    async def scenario():
        client = await StreamClient(PATH, headers={"Authorization": f"Bearer {owner_token}"}).open()
        return client.status, client.response_headers["allow"]

    assert async_to_sync(scenario)() == (405, "POST")


def factories_bearer(profile) -> dict[str, str]:
    return {"Authorization": factories.bearer(profile)["HTTP_AUTHORIZATION"]}


@pytest.fixture(scope="module")
def demo_app():
    with DemoAppServer() as server:
        yield server


@pytest.mark.browser
def test_a_real_run_streams_live_to_complete(org, owner_token, demo_app, monkeypatch, fast_streams):
    """The run executes in a worker thread against the demo app on 127.0.0.1 while the client watches."""
    worker = Worker(execute=True)
    monkeypatch.setattr("testruns.tasks.execute_run.delay", worker.delay)
    project = factories.make_project(org, app_url=demo_app.url)
    sign_in = DEMO_TESTS[0]
    factories.make_test(project, sign_in["steps"], name=sign_in["name"])

    async def scenario():
        client = await post({"project_id": str(project.id)}, {"Authorization": f"Bearer {owner_token}"}).open()
        events = await client.rest(timeout=90)
        await client.wait_closed()
        return client, events

    client, events = async_to_sync(scenario)()
    worker.join()
    run = Run.objects.get(project=project)
    assert client.status == 200
    assert run.status == "passed", run.error
    assert [e.id for e in events] == list(range(1, run.event_seq + 1))  # every stored event, once, in order
    kinds = [e.event for e in events]
    assert kinds[0] == "state_update" and kinds[-1] == "complete"
    assert {"log", "test_result"} <= set(kinds)
    assert any(e.data.get("status") == "running" for e in events if e.event == "state_update")
    assert events[-1].data["passed"] == 1 and events[-1].data["failed"] == 0
    assert events[-1].data["duration_seconds"] > 0
