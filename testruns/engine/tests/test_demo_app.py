"""The demo app the Django side serves and seeds: its plain-English tests all pass."""

from __future__ import annotations

import pytest

from testruns.engine.interfaces import RunOptions, RunPlan
from testruns.engine.runner import Engine
from testruns.engine.testing import DEMO_TESTS, DemoAppServer, demo_test_specs

from .conftest import Ports

pytestmark = pytest.mark.browser


def test_demo_tests_run_green(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    plan = RunPlan(
        run_id="demo",
        thread_id="demo",
        app_url=demo_app.url,
        tests=demo_test_specs(),
        options=RunOptions(step_timeout_ms=5000),
    )
    outcome = engine.execute(plan, **ports.kwargs())
    failures = {r.name: r.error for r in outcome.results if r.status != "passed"}
    assert failures == {}
    assert outcome.passed == len(DEMO_TESTS) >= 8
    assert sum(len(r.steps) for r in outcome.results) == sum(len(t["steps"]) for t in DEMO_TESTS)
    assert demo_app.messages and demo_app.messages[-1]["attachment"] == "quote.pdf"


def test_demo_server_start_stop() -> None:
    server = DemoAppServer("127.0.0.1", 0).start()
    port = server.port
    assert port > 0 and server.url == f"http://127.0.0.1:{port}"
    server.stop()


def test_filter_typed_while_orders_load_still_applies(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    # The greeting shows before the orders arrive, so a test can type its filter into a table not yet
    # filled: the page must filter by what the field holds once they do (CI once saw 3 rows, not 1).
    demo_app.orders_delay_s = 0.6
    try:
        filter_orders = next(t for t in demo_test_specs() if t.name == "Filter orders")
        plan = RunPlan(
            run_id="demo-race",
            thread_id="demo-race",
            app_url=demo_app.url,
            tests=[filter_orders],
            options=RunOptions(step_timeout_ms=5000),
        )
        outcome = engine.execute(plan, **ports.kwargs())
    finally:
        demo_app.orders_delay_s = 0.0
    assert [(r.status, r.error) for r in outcome.results] == [("passed", None)]
