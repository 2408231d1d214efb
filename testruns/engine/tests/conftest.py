"""One Chromium, the demo app and a page server for the engine's tests (all session-scoped, 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from testruns.engine.browser import BrowserHost
from testruns.engine.interfaces import RunOptions, RunPlan, StepSpec, TestSpec
from testruns.engine.memory import JsonCheckpointStore, MemoryArtifactStore, MemoryFingerprintStore, MemorySink
from testruns.engine.runner import Engine
from testruns.engine.testing import DemoAppServer, StaticAppServer


@pytest.fixture(scope="session")
def browser_host() -> Iterator[BrowserHost]:
    host = BrowserHost()
    yield host
    host.close()


@pytest.fixture(scope="session")
def engine(browser_host: BrowserHost) -> Engine:
    return Engine(browser_host)


@pytest.fixture(scope="session")
def demo_app() -> Iterator[DemoAppServer]:
    server = DemoAppServer().start()
    yield server
    server.stop()


class PageServer(StaticAppServer):
    """Test pages by path, editable between runs; /api/hits/<name> counts calls (for flaky pages)."""

    def __init__(self) -> None:
        super().__init__(pages={})
        self.hits: dict[str, int] = {}

    def handle_api(self, handler: Any, method: str, path: str, query: dict[str, list[str]], body: Any) -> bool:
        if path.startswith("/api/hits/"):
            name = path.removeprefix("/api/hits/")
            self.hits[name] = self.hits.get(name, 0) + 1
            handler.send_json({"hits": self.hits[name]})
            return True
        return super().handle_api(handler, method, path, query, body)


@pytest.fixture(scope="session")
def site() -> Iterator[PageServer]:
    server = PageServer().start()
    yield server
    server.stop()


class Ports:
    def __init__(self) -> None:
        self.sink = MemorySink()
        self.checkpoints = JsonCheckpointStore()
        self.artifacts = MemoryArtifactStore()
        self.fingerprints = MemoryFingerprintStore()

    def kwargs(self) -> dict[str, Any]:
        return {
            "sink": self.sink,
            "checkpoints": self.checkpoints,
            "artifacts": self.artifacts,
            "fingerprints": self.fingerprints,
        }


@pytest.fixture
def ports() -> Ports:
    return Ports()


def make_plan(app_url: str, *tests: tuple[str, list[Any]], **options: Any) -> RunPlan:
    """tests: (name, steps) with steps as plain strings or {"action", ...} dicts."""
    options.setdefault("step_timeout_ms", 3000)
    return RunPlan(
        run_id="run-1",
        thread_id="thread-1",
        app_url=app_url,
        tests=[
            TestSpec(test_id=f"t{i + 1}", name=name, steps=[StepSpec.from_dict(s) for s in steps])
            for i, (name, steps) in enumerate(tests)
        ],
        options=RunOptions(**options),
    )
