"""Runs end to end: verdicts, retries, logs, screenshots, checkpoints, resume and cancellation."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from testruns.engine.interfaces import RunState
from testruns.engine.memory import FlagCancelToken
from testruns.engine.runner import Engine
from testruns.engine.testing import DemoAppServer

from .conftest import PageServer, Ports, make_plan

pytestmark = pytest.mark.browser

SIGN_IN = [
    "Open /login.html",
    "Type alice@example.com into Email",
    "Type secret into Password",
    "Click the Sign in button",
    "Expect to see Welcome, Alice",
]


def test_passing_run_events_and_checkpoints(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    plan = make_plan(demo_app.url, ("sign in", SIGN_IN), ("todos", ["Open /todos.html", "Expect to see Todos"]))
    outcome = engine.execute(plan, **ports.kwargs())

    assert outcome.status == "passed"
    assert (outcome.passed, outcome.failed) == (2, 0)
    assert [r.status for r in outcome.results] == ["passed", "passed"]
    assert [s.outcome for s in outcome.results[0].steps] == ["passed"] * 5
    assert all(s.duration_ms >= 0 for s in outcome.results[0].steps)
    # A checkpoint after each node and after each step: analyze, 5 steps + test, 2 steps + test, report.
    assert ports.checkpoints.nodes() == (["analyze_app"] + ["execute_test"] * 6 + ["execute_test"] * 3 + ["report"])
    kinds = ports.sink.kinds()
    assert kinds[0] == "state_update" and kinds[-1] == "complete"
    assert kinds.count("test_result") == 2
    complete = ports.sink.of("complete")[0]
    assert (complete["passed"], complete["failed"], complete["status"]) == (2, 0, "passed")
    assert complete["duration_seconds"] > 0
    updates = ports.sink.of("state_update")
    assert {u["current_test"] for u in updates} >= {"sign in", "todos"}
    # Element steps leave fingerprints for the healer.
    assert ports.fingerprints.get(test_id="t1", step_index=1)["id"] == "email"
    assert ports.fingerprints.get(test_id="t1", step_index=0) is None  # navigation acts on no element
    # Every checkpoint is plain JSON and round-trips.
    final = ports.checkpoints.state(-1)
    assert final.node == "report" and final.status == "passed"
    assert RunState.from_dict(json.loads(json.dumps(final.to_dict()))) == final


def test_failed_assertion_fails_the_test_with_a_screenshot(
    engine: Engine, demo_app: DemoAppServer, ports: Ports
) -> None:
    plan = make_plan(
        demo_app.url, ("wrong", ["Open /", "Expect to see Free shipping", "Click Sign in"]), step_timeout_ms=1000
    )
    outcome = engine.execute(plan, **ports.kwargs())

    assert outcome.status == "failed"
    result = outcome.results[0]
    assert result.status == "failed"
    assert 'expected to see "Free shipping"' in result.error
    assert [s.outcome for s in result.steps] == ["passed", "failed"]  # stops at the failing step
    failed = result.steps[1]
    assert failed.screenshot_url and failed.screenshot_url.endswith("-s2.jpg")
    content = ports.artifacts.files[failed.screenshot_url.rsplit("/", 1)[1]]
    assert content[:3] == b"\xff\xd8\xff"  # a JPEG
    shots = ports.sink.of("screenshot")
    assert len(shots) == 1 and shots[0]["step"] == 2 and shots[0]["base64"]
    assert ports.sink.of("complete")[0]["failed"] == 1


def test_screenshot_every_step(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    plan = make_plan(demo_app.url, ("shots", ["Open /", "Expect to see Argus"]), screenshot_every_step=True)
    outcome = engine.execute(plan, **ports.kwargs())
    assert outcome.status == "passed"
    assert [e["step"] for e in ports.sink.of("screenshot")] == [1, 2]
    assert all(s.screenshot_url for s in outcome.results[0].steps)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_app_down_is_an_error_not_a_failure(engine: Engine, ports: Ports) -> None:
    plan = make_plan(f"http://127.0.0.1:{_free_port()}", ("a", ["Open /", "Expect to see x"]), ("b", ["Open /"]))
    outcome = engine.execute(plan, **ports.kwargs())

    assert outcome.status == "error"
    assert [r.status for r in outcome.results] == ["error", "error"]
    assert "app unreachable" in outcome.results[0].error
    assert "connection refused" in outcome.results[0].error.lower()
    assert ports.sink.of("error")[0]["node"] == "analyze_app"
    assert ports.checkpoints.nodes() == ["analyze_app", "report"]


def test_app_going_down_mid_run_is_an_error(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/"
    plan = make_plan(demo_app.url, ("gone", ["Open /", f"Go to {dead}"]))
    outcome = engine.execute(plan, **ports.kwargs())
    assert outcome.results[0].status == "error"
    assert outcome.results[0].steps[1].outcome == "error"
    assert "app unreachable" in outcome.results[0].error


def test_retries_count_attempts(engine: Engine, site: PageServer, ports: Ports) -> None:
    # Ready only from the second load on: the first attempt fails, the retry passes.
    site.pages["/flaky"] = """<!doctype html><title>Flaky</title><p id="s">...</p><script>
      fetch('/api/hits/flaky').then(r => r.json()).then(d => {
        document.getElementById('s').textContent = d.hits > 1 ? 'Ready' : 'Broken'; });</script>"""
    site.hits.pop("flaky", None)
    plan = make_plan(
        site.url,
        ("flaky", ["Open /flaky", "Expect to see Ready"]),
        ("never", ["Open /flaky", "Expect to see Unicorns"]),
        max_retries=2,
        step_timeout_ms=700,
    )
    outcome = engine.execute(plan, **ports.kwargs())

    flaky, never = outcome.results
    assert (flaky.status, flaky.attempts) == ("passed", 2)
    assert (never.status, never.attempts) == ("failed", 3)
    assert outcome.status == "failed"
    retries = [e for e in ports.sink.of("log") if "retrying" in e["message"]]
    assert len(retries) == 3


def test_console_errors_and_failed_requests_are_logged(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/noisy"] = f"""<!doctype html><title>Noisy</title><p>Hello</p><script>
      console.error('something broke');
      fetch('/api/missing');
      fetch('http://127.0.0.1:{_free_port()}/nothing').catch(() => {{}});
      setTimeout(() => {{ throw new Error('late boom'); }}, 0);
    </script>"""
    plan = make_plan(site.url, ("noisy", ["Open /noisy", "Wait 0.3 seconds", "Expect to see Hello"]))
    outcome = engine.execute(plan, **ports.kwargs())

    assert outcome.status == "passed"
    messages = [e["message"] for e in ports.sink.of("log") if e["level"] == "error"]
    joined = "\n".join(messages)
    assert "console error: something broke" in joined
    assert "/api/missing -> HTTP 404" in joined
    assert "ERR_CONNECTION_REFUSED" in joined
    assert "late boom" in joined
    step_logs = [entry for s in outcome.results[0].steps for entry in s.logs]
    assert any("something broke" in entry["message"] for entry in step_logs)


def test_resume_from_a_middle_checkpoint_keeps_the_session(
    engine: Engine, demo_app: DemoAppServer, ports: Ports
) -> None:
    steps = [*SIGN_IN, "Expect 3 rows in Orders table", "Go to /dashboard.html", "Expect to see Welcome, Alice"]
    plan = make_plan(demo_app.url, ("first", ["Open /", "Expect to see Argus"]), ("session", steps))
    original = engine.execute(plan, **ports.kwargs())
    assert original.status == "passed"

    # The checkpoint taken right after "Expect to see Welcome, Alice" of the second test (step 5).
    nodes = ports.checkpoints.nodes()
    index = 3 + 5  # 0 analyze_app, 1-3 the first test (2 steps + its end), then step k of the second at 3 + k
    middle = ports.checkpoints.state(index)
    assert nodes[index] == "execute_test"
    assert (middle.test_index, middle.step_index, middle.current.name) == (1, 5, "session")
    cookies = {c["name"] for c in middle.browser_state["cookies"]}
    assert "demo_session" in cookies  # the HttpOnly cookie the server set
    storage = middle.browser_state["origins"][0]["localStorage"]
    assert any(item["name"] == "demo_user" for item in storage)
    assert middle.url.endswith("/dashboard.html")

    resumed_ports = Ports()
    outcome = engine.execute(plan, resume=middle, **resumed_ports.kwargs())

    assert outcome.status == "passed"
    assert [r.name for r in outcome.results] == ["first", "session"]
    session = outcome.results[1]
    assert [s.index for s in session.steps] == list(range(8))
    # Earlier steps come from the checkpoint, unchanged; only steps 6-8 ran again.
    assert [s.to_dict() for s in session.steps[:5]] == [s.to_dict() for s in middle.current.steps]
    ran = [e["step"] for e in resumed_ports.sink.of("log") if "outcome" in e]
    assert ran == [6, 7, 8]
    # Without the restored cookie and local storage the dashboard would bounce to the login page.
    assert session.steps[7].url.endswith("/dashboard.html")
    assert resumed_ports.checkpoints.nodes() == ["execute_test"] * 4 + ["report"]


def test_resume_without_browser_state_would_lose_the_session(
    engine: Engine, demo_app: DemoAppServer, ports: Ports
) -> None:
    """The control for the test above: the same resume with the browser state dropped fails."""
    plan = make_plan(
        demo_app.url,
        ("session", [*SIGN_IN, "Go to /dashboard.html", "Expect to see Welcome, Alice"]),
        step_timeout_ms=1500,
    )
    engine.execute(plan, **ports.kwargs())
    middle = ports.checkpoints.state(5)  # 0 analyze_app, then step k at k
    assert middle.step_index == 5
    middle.browser_state = None
    outcome = engine.execute(plan, resume=middle, **Ports().kwargs())
    assert outcome.results[0].status == "failed"


SIGNUP = """<!doctype html><title>Sign up</title><main><form onsubmit="event.preventDefault();
  document.getElementById('out').textContent = this.elements.name.value + ' likes ' + this.elements.colour.value
    + (this.elements.news.checked ? ' (subscribed)' : '') + ' via ' + this.elements.via.value;">
  <label for="name">Name</label><input id="name" name="name">
  <label for="colour">Colour</label><select id="colour" name="colour"><option>Red</option><option>Blue</option></select>
  <label><input type="checkbox" name="news"> Newsletter</label>
  <label><input type="radio" name="via" value="mail" checked> Mail</label>
  <label><input type="radio" name="via" value="phone"> Phone</label>
  <button>Show</button></form><p id="out"></p></main>"""


def test_resume_puts_back_the_half_filled_form(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/signup"] = SIGNUP
    steps = [
        "Open /signup",
        "Type Ada into Name",
        "Select Blue from Colour",
        "Check Newsletter",
        "Check Phone",
        "Click Show",
        "Expect to see Ada likes Blue (subscribed) via phone",
    ]
    plan = make_plan(site.url, ("signup", steps))
    assert engine.execute(plan, **ports.kwargs()).status == "passed"

    # The checkpoint right after "Check Phone": the form is filled in, not yet sent.
    middle = ports.checkpoints.state(5)  # 0 analyze_app, then step k at k
    assert middle.step_index == 5
    assert [{k: v for k, v in f.items() if k != "path"} for f in middle.form_fields] == [
        {"value": "Ada"},
        {"values": ["Blue"]},
        {"checked": True},
        {"checked": True},
    ]
    resumed = Ports()
    outcome = engine.execute(plan, resume=RunState.from_dict(middle.to_dict()), **resumed.kwargs())
    assert outcome.status == "passed", outcome.results[0].error
    assert "Restored 4 of 4 form fields" in [e["message"] for e in resumed.sink.of("log")]

    # A field the page no longer has is named, not silently dropped.
    middle.form_fields.append({"path": "/html[1]/body[1]/main[1]/form[1]/input[9]", "value": "x"})
    resumed = Ports()
    engine.execute(plan, resume=middle, **resumed.kwargs())
    assert any(
        e["level"] == "warning"
        and "Restored 4 of 5 form fields; not found on the page: /html[1]/body[1]/main[1]/form[1]/input[9]"
        in e["message"]
        for e in resumed.sink.of("log")
    )


def test_cancel_mid_wait_stops_within_two_seconds(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    plan = make_plan(
        demo_app.url,
        ("waits", ["Open /", "Wait for Unicorns to appear", "Expect to see x"]),
        ("next", ["Open /"]),
        step_timeout_ms=30_000,
    )
    cancel = FlagCancelToken()
    timer = threading.Timer(1.0, cancel.cancel)
    timer.start()
    started = time.monotonic()
    outcome = engine.execute(plan, cancel=cancel, **ports.kwargs())
    stopped_after = time.monotonic() - started - 1.0
    timer.cancel()

    assert outcome.status == "cancelled"
    assert stopped_after < 2.0
    assert [r.status for r in outcome.results] == ["skipped", "skipped"]
    assert ports.sink.of("complete")[0]["status"] == "cancelled"


def test_cancel_during_a_slow_navigation(engine: Engine, site: PageServer, ports: Ports) -> None:
    plan = make_plan(site.url, ("slow", ["Open /api/slow?ms=8000"]), step_timeout_ms=30_000)
    cancel = FlagCancelToken()
    timer = threading.Timer(1.0, cancel.cancel)
    timer.start()
    started = time.monotonic()
    outcome = engine.execute(plan, cancel=cancel, **ports.kwargs())
    timer.cancel()
    assert outcome.status == "cancelled"
    assert time.monotonic() - started - 1.0 < 2.0


def test_unparseable_step_is_an_error(engine: Engine, demo_app: DemoAppServer, ports: Ports) -> None:
    plan = make_plan(demo_app.url, ("bad", ["Open /", "Frobnicate the widget"]))
    outcome = engine.execute(plan, **ports.kwargs())
    step = outcome.results[0].steps[1]
    assert step.outcome == "error"
    assert "cannot run this step" in step.error and '"Frobnicate" is not an action' in step.error


def test_checkpoint_after_typing_holds_what_the_page_stored(engine: Engine, site: PageServer, ports: Ports) -> None:
    # The page saves a draft to local storage on every keystroke; the checkpoint after "Type" must have it
    # (it is taken from the next step's first look at the page, before that step acts).
    site.pages["/draft"] = """<!doctype html><title>Draft</title><label for=d>Draft</label>
      <input id=d oninput="localStorage.setItem('draft', this.value)"><button type=button
      onclick="localStorage.setItem('sent', '1')">Send</button>"""
    plan = make_plan(site.url, ("draft", ["Open /draft", "Type hello into Draft", "Click Send", "Type x into Draft"]))
    outcome = engine.execute(plan, **ports.kwargs())
    assert outcome.status == "passed"
    assert ports.checkpoints.nodes() == ["analyze_app"] + ["execute_test"] * 5 + ["report"]
    after_type = ports.checkpoints.state(2)
    assert after_type.step_index == 2 and len(after_type.current.steps) == 2
    storage = {i["name"]: i["value"] for i in after_type.browser_state["origins"][0]["localStorage"]}
    assert storage == {"draft": "hello"}
    after_click = ports.checkpoints.state(3)
    storage = {i["name"]: i["value"] for i in after_click.browser_state["origins"][0]["localStorage"]}
    assert storage == {"draft": "hello", "sent": "1"}
    last = ports.checkpoints.state(4)  # the last step of a test is checkpointed at once
    storage = {i["name"]: i["value"] for i in last.browser_state["origins"][0]["localStorage"]}
    assert storage["draft"] == "x"


def test_confirm_dialogs_are_accepted_and_logged(engine: Engine, site: PageServer, ports: Ports) -> None:
    site.pages["/confirm"] = """<!doctype html><title>C</title><ul><li id=row>Row 1</li></ul>
      <button type=button onclick="if (confirm('Delete Row 1?')) document.getElementById('row').remove()">
      Delete</button>"""
    plan = make_plan(site.url, ("confirm", ["Open /confirm", "Click Delete", "Expect 0 items", "Should not see Row 1"]))
    outcome = engine.execute(plan, **ports.kwargs())
    assert outcome.status == "passed"
    assert {"level": "info", "message": 'confirm dialog "Delete Row 1?" accepted'} in outcome.results[0].steps[1].logs
