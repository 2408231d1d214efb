"""Shared pieces of the end-to-end run tests: apps on 127.0.0.1 and helpers to create and run runs."""

from __future__ import annotations

from typing import Any

from testruns import services
from testruns.execution.executor import run_execute
from testruns.models import Run
from tests import factories


def make_project_with_tests(org, app_url: str, tests: list[dict[str, Any]]):
    project = factories.make_project(org, app_url=app_url)
    definitions = [factories.make_test(project, t["steps"], name=t["name"], tags=t.get("tags", [])) for t in tests]
    return project, definitions


def start_and_execute(project, test_ids: list[str] | None = None, **options: Any) -> Run:
    run = services.run_start(project=project, test_ids=test_ids or [], options=options)
    run_execute(run_id=run.id, worker_id="test-worker")
    run.refresh_from_db()
    return run
