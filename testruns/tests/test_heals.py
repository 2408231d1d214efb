"""Heals without a browser: recording from a run's state, the API's roles, scopes and tenancy, accept and reject."""

from __future__ import annotations

import pytest

from organizations.roles import Role
from testruns import heals
from testruns.engine.interfaces import RunPlan, RunState, StepResult, StepSpec, TestSpec
from testruns.engine.interfaces import TestResult as EngineTestResult
from testruns.engine.steps import parse_step
from testruns.execution.ports import DatabaseFingerprintStore, ResultProjector, RunContext, step_signature
from testruns.models import Heal, Run
from tests import factories
from tests.conftest import client_for

STEPS = [
    "Open /login.html",
    "Type alice@example.com into #email",
    {"action": "fill", "target": "#password", "value": "secret"},
    "Click the Sign in button",
]
CHOSEN = {"tag": "input", "id": "signin-email", "name": "email", "type": "email", "label": "Email", "xpath": "/x"}


def heal_info(locator: str, *, target: str = "#email") -> dict:
    """A StepResult.heal as the engine writes it when it healed."""
    return {
        "healed": True,
        "original_target": target,
        "locator": locator,
        "score": 0.93,
        "runner_up_score": 0.41,
        "reason": f"healed: {locator} scored 0.93 (runner-up 0.41); matched on name, label",
        "chosen": CHOSEN,
        "top": [
            {**CHOSEN, "score": 0.93, "locator": locator, "evidence": {"name": 1.0}},
            {"tag": "input", "id": "signin-password", "score": 0.41, "locator": '[id="signin-password"]'},
        ],
        "screenshot_url": "http://testserver/api/v1/runs/x/artifacts/heal.jpg",
    }


@pytest.fixture
def project(org):
    return factories.make_project(org)


@pytest.fixture
def test_def(project):
    return factories.make_test(project, list(STEPS), name="Sign in")


def make_run(project) -> Run:
    return Run.objects.create(organization=project.organization, project=project, app_url=project.app_url)


def record(test_def, step_index: int, locator: str, run: Run | None = None) -> Heal:
    run = run or make_run(test_def.project)
    return heals.heal_record(
        organization_id=test_def.project.organization_id,
        project_id=test_def.project_id,
        test_id=test_def.id,
        run_id=run.id,
        step_index=step_index,
        step=StepSpec.from_dict(test_def.steps[step_index]),
        info=heal_info(locator, target=parse_step(StepSpec.from_dict(test_def.steps[step_index])).target_text()),
    )


@pytest.fixture
def heal(test_def):
    return record(test_def, 1, '[id="signin-email"]')


def context_for(run: Run, test_def) -> RunContext:
    """The context of a run of `test_def` as it is written now."""
    plan = RunPlan(
        run_id=str(run.id),
        thread_id=run.thread_id,
        app_url=run.app_url,
        tests=[
            TestSpec(
                test_id=str(test_def.id), name=test_def.name, steps=[StepSpec.from_dict(s) for s in test_def.steps]
            )
        ],
    )
    return RunContext(
        run=run,
        lease=run.lease,
        plan=plan,
        checkpoint_seq=0,
        last_checkpoint_id=None,
        existing_tests={str(test_def.id)},
    )


# --- recording ------------------------------------------------------------------------------------


def test_a_healed_step_in_a_run_state_is_recorded_once_and_an_abstention_is_not(test_def):
    run = make_run(test_def.project)
    abstained = {**heal_info("x"), "healed": False, "locator": None}
    steps = [
        StepResult(index=0, action="navigate", target=None, value="/login.html", outcome="passed", duration_ms=5),
        StepResult(
            index=1, action="fill", target="#email", value="a", outcome="healed", duration_ms=9,
            heal=heal_info('[id="signin-email"]'),
        ),
        StepResult(
            index=2, action="fill", target="#password", value="s", outcome="failed", duration_ms=9, heal=abstained
        ),
    ]  # fmt: skip
    state = RunState(results=[EngineTestResult(str(test_def.id), "Sign in", "failed", 1, 23, steps=steps)])
    ResultProjector(context_for(run, test_def)).project(state)
    ResultProjector(context_for(run, test_def)).project(state)  # a resumed worker projects the same state again

    (heal,) = Heal.objects.filter(run=run)
    assert (heal.test_id, heal.step_index, heal.status) == (test_def.id, 1, "pending")
    assert (heal.old_target, heal.new_locator, heal.score, heal.runner_up_score) == (
        "#email",
        '[id="signin-email"]',
        0.93,
        0.41,
    )
    assert heal.old_step == {"text": "Type alice@example.com into #email"}
    assert heal.step_signature == step_signature(StepSpec.from_dict(STEPS[1]))
    assert heal.organization_id == test_def.project.organization_id and heal.screenshot_url.endswith("heal.jpg")
    assert len(heal.top) == 2 and heal.chosen["id"] == "signin-email"


def test_rejected_locators_reach_the_fingerprint_store_for_that_step_as_written(test_def, heal):
    other = record(test_def, 1, '[id="signin-email"]')  # the same heal made by another run
    heals.heal_reject(heal=heal)
    other.refresh_from_db()
    assert other.status == "rejected"  # the same decision about the same element
    store = DatabaseFingerprintStore(context_for(make_run(test_def.project), test_def))
    assert store.rejected_locators(test_id=str(test_def.id), step_index=1) == frozenset({'[id="signin-email"]'})
    assert store.rejected_locators(test_id=str(test_def.id), step_index=2) == frozenset()
    # An edited step is another step: what was rejected for the old one does not apply.
    edited = heals.rejected_locators(test_id=test_def.id, step_index=1, step=StepSpec(text="Type x into #mail"))
    assert edited == frozenset()


# --- rewriting steps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "locator", "expected"),
    [
        (
            "Type alice@example.com into #email",
            '[id="signin-email"]',
            'Type alice@example.com into [id="signin-email"]',
        ),
        ("Click the Sign in button", 'button:text-is("Log in")', 'Click css=button:text-is("Log in")'),
        ('Type "secret" into Password', 'input[name="password"]', 'Type "secret" into css=input[name="password"]'),
        ("Fill Email with Email", '[id="e"]', 'Fill [id="e"] with Email'),
        (
            "Expect Clear to be disabled",
            "xpath=/html/body/button[2]",
            "Expect xpath=/html/body/button[2] to be disabled",
        ),
        ({"text": "Click Add"}, '[data-testid="add"]', {"text": 'Click [data-testid="add"]'}),
        (
            {"action": "fill", "target": "#new-todo", "value": "Milk"},
            'input:text-is("")',
            {"action": "fill", "target": 'css=input:text-is("")', "value": "Milk"},
        ),
    ],
)
def test_a_step_is_rewritten_to_target_the_new_locator_and_still_means_the_same(step, locator, expected):
    rewritten = heals.rewritten_step(step, locator)
    assert rewritten == expected
    old, new = parse_step(StepSpec.from_dict(step)), parse_step(StepSpec.from_dict(rewritten))
    assert (new.action, new.value) == (old.action, old.value)
    assert new.target.selector in {locator, f"css={locator}"}


# --- API: reads -----------------------------------------------------------------------------------


def test_a_viewer_lists_pending_heals_of_a_project_and_reads_one(org, project, test_def, heal):
    decided = record(test_def, 2, '[id="signin-password"]')
    heals.heal_reject(heal=decided)
    viewer = factories.make_profile()
    factories.add_member(org, viewer, Role.VIEWER)
    client = client_for(viewer)

    everything = client.get(f"/api/v1/projects/{project.id}/heals")
    assert everything.status_code == 200 and everything.json()["count"] == 2
    pending = client.get(f"/api/v1/projects/{project.id}/heals?status=pending&limit=1")
    assert pending.status_code == 200
    body = pending.json()
    assert body["count"] == 1 and [h["id"] for h in body["results"]] == [str(heal.id)]
    item = body["results"][0]
    assert (item["step"], item["step_index"], item["old_target"], item["new_locator"]) == (
        2,
        1,
        "#email",
        '[id="signin-email"]',
    )
    assert item["chosen"] == {"tag": "input", "id": "signin-email", "name": "email", "label": "Email"}
    assert [c["score"] for c in item["top"]] == [0.93, 0.41] and item["top"][0]["locator"] == '[id="signin-email"]'
    assert item["test_name"] == "Sign in" and item["status"] == "pending" and item["decided_by"] is None

    detail = client.get(f"/api/v1/heals/{heal.id}")
    assert detail.status_code == 200 and detail.json() == item
    bad = client.get(f"/api/v1/projects/{project.id}/heals?status=maybe")
    assert bad.status_code == 400 and bad.json()["status_code"] == 400 and "status" in bad.json()["detail"]


def test_another_organization_gets_404_for_everything(project, heal):
    stranger = factories.make_profile()
    factories.make_org(stranger)
    client = client_for(stranger)
    for response in (
        client.get(f"/api/v1/projects/{project.id}/heals"),
        client.get(f"/api/v1/heals/{heal.id}"),
        client.post(f"/api/v1/heals/{heal.id}/accept"),
        client.post(f"/api/v1/heals/{heal.id}/reject"),
    ):
        assert response.status_code == 404 and response.json()["status_code"] == 404
    heal.refresh_from_db()
    assert heal.status == "pending"


def test_an_unknown_heal_is_404(as_owner):
    response = as_owner.get("/api/v1/heals/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json()["detail"] == "Heal not found"


# --- API: decisions -------------------------------------------------------------------------------


def test_a_viewer_cannot_decide_and_nothing_changes(org, test_def, heal):
    viewer = factories.make_profile()
    factories.add_member(org, viewer, Role.VIEWER)
    for verb in ("accept", "reject"):
        response = client_for(viewer).post(f"/api/v1/heals/{heal.id}/{verb}")
        assert response.status_code == 403 and response.json()["code"] == "insufficient_role"
    heal.refresh_from_db()
    test_def.refresh_from_db()
    assert heal.status == "pending" and test_def.steps == STEPS


def test_a_member_accepts_a_heal_and_the_step_targets_the_new_locator(org, test_def, heal):
    member = factories.make_profile()
    factories.add_member(org, member, Role.MEMBER)
    response = client_for(member).post(f"/api/v1/heals/{heal.id}/accept")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "accepted" and body["decided_by"] == {"type": "user", "id": member.user_id}
    assert body["decided_at"]
    test_def.refresh_from_db()
    assert test_def.steps == [STEPS[0], 'Type alice@example.com into [id="signin-email"]', *STEPS[2:]]
    # The healed element is the new step's reference, so it can heal again before its next green run.
    store = DatabaseFingerprintStore(context_for(make_run(test_def.project), test_def))
    assert store.get(test_id=str(test_def.id), step_index=1) == CHOSEN

    again = client_for(member).post(f"/api/v1/heals/{heal.id}/accept")
    assert again.status_code == 409 and again.json()["code"] == "heal_decided"
    reject = client_for(member).post(f"/api/v1/heals/{heal.id}/reject")
    assert reject.status_code == 409


def test_accepting_a_structured_step_keeps_its_action_and_value(as_owner, test_def):
    heal = record(test_def, 2, '[id="signin-password"]')
    response = as_owner.post(f"/api/v1/heals/{heal.id}/accept")
    assert response.status_code == 200, response.json()
    test_def.refresh_from_db()
    assert test_def.steps[2] == {"action": "fill", "target": '[id="signin-password"]', "value": "secret"}
    assert test_def.steps[:2] == STEPS[:2] and test_def.steps[3] == STEPS[3]


def test_accepting_after_the_step_was_edited_is_a_conflict_and_changes_nothing(as_owner, test_def, heal):
    edited = [STEPS[0], "Type bob@example.com into #email", *STEPS[2:]]
    test_def.steps = edited
    test_def.save()
    response = as_owner.post(f"/api/v1/heals/{heal.id}/accept")
    assert response.status_code == 409 and response.json()["code"] == "test_changed", response.json()
    test_def.refresh_from_db()
    heal.refresh_from_db()
    assert test_def.steps == edited and heal.status == "pending"

    test_def.steps = STEPS[:1]  # the step is gone altogether
    test_def.save()
    assert as_owner.post(f"/api/v1/heals/{heal.id}/accept").status_code == 409


def test_rejecting_leaves_the_test_alone(as_owner, test_def, heal):
    response = as_owner.post(f"/api/v1/heals/{heal.id}/reject")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    test_def.refresh_from_db()
    assert test_def.steps == STEPS
    assert heals.rejected_locators(test_id=test_def.id, step_index=1, step=StepSpec.from_dict(STEPS[1])) == {
        '[id="signin-email"]'
    }


def test_api_keys_read_with_read_and_decide_with_write(org, owner, api, project, test_def, heal):
    _, read_only = factories.make_api_key(org, owner, scopes=["read"])
    key, writer = factories.make_api_key(org, owner, scopes=["read", "write"])
    api.credentials(**factories.api_key_header(read_only))
    assert api.get(f"/api/v1/projects/{project.id}/heals").status_code == 200
    refused = api.post(f"/api/v1/heals/{heal.id}/accept")
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    heal.refresh_from_db()
    assert heal.status == "pending"

    api.credentials(**factories.api_key_header(writer))
    response = api.post(f"/api/v1/heals/{heal.id}/reject")
    assert response.status_code == 200 and response.json()["decided_by"] == {"type": "api_key", "id": str(key.id)}
    other_org = factories.make_org(factories.make_profile())
    foreign = record(factories.make_test(factories.make_project(other_org), list(STEPS)), 1, '[id="x"]')
    assert api.get(f"/api/v1/heals/{foreign.id}").status_code == 404
    assert api.post(f"/api/v1/heals/{foreign.id}/accept").status_code == 404
