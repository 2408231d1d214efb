"""Self-healing end to end: a green run on the demo app, a redesign that breaks locators, heals that a person
accepts (the tests change) or rejects (remembered), in real Chromium against the demo app on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from testruns.engine.interfaces import StepSpec
from testruns.engine.steps import parse_step
from testruns.engine.testing import DemoAppServer
from testruns.engine.testing.server import DEMO_APP_DIR
from testruns.models import Heal, RunEvent, StepFingerprint, StepResult, TestResult
from testruns.tests.e2e_support import make_project_with_tests, start_and_execute

pytestmark = [pytest.mark.browser]

# Tests as a team writes them against v1: some steps by id, one button by its words.
SIGN_IN = {
    "name": "Sign in by ids",
    "steps": [
        "Open /login.html",
        "Type alice@example.com into #email",
        {"action": "fill", "target": "#password", "value": "secret"},
        "Click the Sign in button",
        "Expect to see Welcome, Alice",
    ],
}
TODOS = {
    "name": "Add a todo by ids",
    "steps": [
        "Open /todos.html",
        {"action": "fill", "target": "#new-todo", "value": "Buy milk"},
        "Click #add",
        "Expect 1 item in Todo list",
        "Expect to see 1 left",
    ],
}
CONTACT = {
    "name": "Contact form by classes and structure",
    "steps": [
        "Open /contact.html",
        "Type Bob into #name",
        "Check css=label.inline > input",
        "Expect Subscribe to newsletter to be checked",
        "Click css=form#contact > button",
        "Expect to see Enter a valid email address",
    ],
}
# A heal of this one is rejected: the same element must never be chosen for that step again.
SEND = {
    "name": "Empty contact form is refused",
    "steps": ["Open /contact.html", "Click css=form#contact > button", "Expect to see Name is required"],
}
HEALED_STEPS = {SIGN_IN["name"]: [1, 2, 3], TODOS["name"]: [1, 2], CONTACT["name"]: [1, 2, 4], SEND["name"]: [1]}

# The second version of the demo app: ids and classes renamed (in markup, scripts and styles), the sign-in
# and send buttons reworded ("Log in", "Submit message"). Same pages, same roles, same places.
V2_EDITS: dict[str, list[tuple[str, str]]] = {
    "login.html": [
        (r"(?<=id=\")email(?=\")|(?<=for=\")email(?=\")|(?<=getElementById\(')email(?=')", "signin-email"),
        (r"(?<=id=\")password(?=\")|(?<=for=\")password(?=\")|(?<=getElementById\(')password(?=')", "signin-password"),
        (r"login-form", "signin-form"),
        (r"login-error", "signin-error"),
        (r"(?<=id=\")remember(?=\")", "keep-signed-in"),
        (r">Sign in</button>", ">Log in</button>"),
    ],
    "todos.html": [
        (r"new-todo", "todo-input"),
        (r"(?<=id=\")add(?=\")|(?<=getElementById\(')add(?=')", "add-todo"),
        (r"clear-done", "clear-completed"),
    ],
    "contact.html": [
        (r"(?<=id=\")name(?=\")|(?<=for=\")name(?=\")", "full-name"),
        (r"id=\"contact\"", 'id="contact-form"'),
        (r"getElementById\('contact'\)", "getElementById('contact-form')"),
        (r">Send message</button>", ">Submit message</button>"),
    ],
}
CLASS_RENAMES = {"inline": "check-row", "error": "field-error", "notice": "banner", "brand": "logo"}


def build_v2(target: Path) -> Path:
    shutil.copytree(DEMO_APP_DIR, target)
    for name, edits in V2_EDITS.items():
        path = target / name
        text = path.read_text()
        for pattern, replacement in edits:
            text, count = re.subn(pattern, replacement, text)
            assert count, f"v2 edit {pattern!r} changed nothing in {name}"
        path.write_text(text)
    for path in target.iterdir():
        text = path.read_text()
        for old, new in CLASS_RENAMES.items():
            text = re.sub(rf'(?<=class=")([^"]*\b){old}\b', rf"\g<1>{new}", text)
            text = re.sub(rf"\.{old}\b", f".{new}", text)
        path.write_text(text)
    return target


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    v2 = build_v2(tmp_path_factory.mktemp("demo") / "v2")
    with DemoAppServer() as server:
        server.v1, server.v2 = DEMO_APP_DIR, v2
        yield server


def test_v2_renames_what_the_tests_name(app):
    login = (app.v2 / "login.html").read_text()
    assert 'id="email"' not in login and 'id="signin-email"' in login and ">Log in</button>" in login
    assert "getElementById('signin-email')" in login
    assert 'class="inline"' not in (app.v2 / "contact.html").read_text()
    assert ".check-row" in (app.v2 / "style.css").read_text()


def _step_details(run) -> dict[str, list[tuple]]:
    return {
        r.name: [(s.index, s.outcome, s.error, (s.heal or {}).get("reason")) for s in r.steps.all()]
        for r in TestResult.objects.filter(run=run)
    }


def test_a_redesign_heals_accepted_heals_update_the_tests_and_a_rejected_one_is_never_made_again(org, as_owner, app):
    app.root = app.v1
    project, tests = make_project_with_tests(org, app.url, [SIGN_IN, TODOS, CONTACT, SEND])
    written = {t.id: list(t.steps) for t in tests}
    green = start_and_execute(project, step_timeout_ms=3000)
    assert green.status == "passed", _step_details(green)
    assert StepFingerprint.objects.filter(test__project=project).count() >= 10

    # The redesign: every test heals, says so in its status, its events and its heal records.
    app.root = app.v2
    healed = start_and_execute(project, step_timeout_ms=2000, self_heal_enabled=True)
    details = _step_details(healed)
    assert healed.status == "passed" and healed.healed == 4, details
    results = {r.name: r for r in TestResult.objects.filter(run=healed)}
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(HEALED_STEPS, "healed"), details
    for name, indexes in HEALED_STEPS.items():
        outcomes = [s.outcome for s in results[name].steps.all()]
        assert [i for i, o in enumerate(outcomes) if o == "healed"] == indexes, details[name]
        assert set(outcomes) <= {"passed", "healed"}, details[name]
    events = list(RunEvent.objects.filter(run=healed, kind="heal").order_by("seq"))
    assert len(events) == sum(len(i) for i in HEALED_STEPS.values()) == 9
    assert all(e.data["healed"] and e.data["locator"] and e.data["score"] > e.data["runner_up_score"] for e in events)
    assert {(e.data["test_id"], e.data["step"]) for e in events} == {
        (str(t.id), i + 1) for t in tests for i in HEALED_STEPS[t.name]
    }
    for test in tests:
        test.refresh_from_db()
        assert test.steps == written[test.id]  # a run never changes a test

    listed = as_owner.get(f"/api/v1/projects/{project.id}/heals?status=pending&limit=100")
    assert listed.status_code == 200, listed.json()
    assert listed.json()["count"] == 9
    by_step = {(h["test_name"], h["step_index"]): h for h in listed.json()["results"]}
    assert set(by_step) == {(name, i) for name, indexes in HEALED_STEPS.items() for i in indexes}
    email = by_step[(SIGN_IN["name"], 1)]
    assert (email["old_target"], email["new_locator"]) == ("#email", '[id="signin-email"]')
    assert email["score"] > email["runner_up_score"] and email["chosen"]["tag"] == "input"
    button = by_step[(SIGN_IN["name"], 3)]
    assert button["old_target"] == "the Sign in button" and button["chosen"]["text"] == "Log in"
    send = by_step[(CONTACT["name"], 4)]
    assert send["old_target"] == "css=form#contact > button" and send["chosen"]["text"] == "Submit message"
    for heal in listed.json()["results"]:
        assert heal["screenshot_url"], heal
        shot = as_owner.get(heal["screenshot_url"].split("testserver", 1)[-1])
        assert shot.status_code == 200 and shot["Content-Type"] == "image/jpeg"
        assert b"".join(shot.streaming_content)[:2] == b"\xff\xd8"

    # A person decides: every heal accepted but the send button's in the last test, which is rejected.
    rejected = by_step[(SEND["name"], 1)]
    response = as_owner.post(f"/api/v1/heals/{rejected['id']}/reject")
    assert response.status_code == 200 and response.json()["status"] == "rejected", response.json()
    for key, heal in by_step.items():
        if key != (SEND["name"], 1):
            response = as_owner.post(f"/api/v1/heals/{heal['id']}/accept")
            assert response.status_code == 200 and response.json()["status"] == "accepted", response.json()
    by_name = {t.name: t for t in tests}
    for test in tests:
        test.refresh_from_db()
        for index, step in enumerate(test.steps):
            heal = by_step.get((test.name, index))
            if heal is None or heal["status"] == "rejected" or test.name == SEND["name"]:
                assert step == written[test.id][index]
                continue
            parsed = parse_step(StepSpec.from_dict(step))
            assert parsed.target is not None and parsed.target.selector is not None, step
            assert heal["new_locator"] in step if isinstance(step, str) else heal["new_locator"] in step["target"]
    assert by_name[SIGN_IN["name"]].steps[1] == 'Type alice@example.com into [id="signin-email"]'
    assert by_name[SIGN_IN["name"]].steps[2] == {
        "action": "fill",
        "target": '[id="signin-password"]',
        "value": "secret",
    }

    # The next run of the accepted tests passes with no heal at all.
    accepted_ids = [str(by_name[name].id) for name in (SIGN_IN["name"], TODOS["name"], CONTACT["name"])]
    clean = start_and_execute(project, test_ids=accepted_ids, step_timeout_ms=2000, self_heal_enabled=True)
    assert clean.status == "passed", _step_details(clean)
    assert (clean.passed, clean.healed) == (3, 0)
    assert not RunEvent.objects.filter(run=clean, kind="heal").exists()
    assert not Heal.objects.filter(run=clean).exists()
    assert not StepResult.objects.filter(test_result__run=clean).exclude(outcome="passed").exists()

    # The rejected heal is not made again: the step fails and shows the healer's candidates instead.
    again = start_and_execute(project, test_ids=[str(by_name[SEND["name"]].id)], step_timeout_ms=2000)
    assert again.status == "failed", _step_details(again)
    step = StepResult.objects.get(test_result__run=again, index=1)
    assert step.outcome == "failed" and "self-healing abstained" in step.error, step.error
    assert step.heal["healed"] is False and step.heal["locator"] is None
    assert 1 <= len(step.heal["top"]) <= 3 and all("score" in c for c in step.heal["top"])
    assert rejected["new_locator"] not in {c["locator"] for c in step.heal["top"]}
    assert not Heal.objects.filter(run=again).exists()
    by_name[SEND["name"]].refresh_from_db()
    assert by_name[SEND["name"]].steps == written[by_name[SEND["name"]].id]
