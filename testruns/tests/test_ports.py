"""The worker's database ports without a browser: result rows projected step by step, fingerprints written
only when they changed."""

from __future__ import annotations

import copy

import pytest

from testruns.engine.interfaces import RunState, StepResult
from testruns.engine.interfaces import TestResult as EngineTestResult
from testruns.events import LeaseLost, append_event
from testruns.execution.ports import DatabaseCheckpointStore, DatabaseFingerprintStore, ResultProjector
from testruns.models import Checkpoint, Run, StepFingerprint
from testruns.models import TestResult as ResultRow
from testruns.tests.test_heals import STEPS, context_for, make_run
from tests import factories


@pytest.fixture
def project(org):
    return factories.make_project(org)


@pytest.fixture
def test_def(project):
    return factories.make_test(project, list(STEPS), name="Sign in")


def step(index: int, outcome: str = "passed") -> StepResult:
    return StepResult(index=index, action="click", target=f"#t{index}", value=None, outcome=outcome, duration_ms=5)


def states_of_a_run_with_a_retry(test_id: str) -> list[RunState]:
    """The states a run checkpoints: test 0 fails at step 1, is retried and passes; test 1 passes."""
    states, state = [], RunState()
    state.current = EngineTestResult(test_id=test_id, name="Sign in", status="passed", attempts=1, duration_ms=0)
    for steps, attempt in (([step(0), step(1, "failed")], 1), ([step(0), step(1), step(2)], 2)):
        state.attempt, state.current.steps = attempt, []
        for s in steps:
            state.current.steps.append(s)
            state.current.duration_ms += s.duration_ms
            state.step_index = s.index + 1
            states.append(copy.deepcopy(state))
    done = copy.deepcopy(state.current)
    done.attempts = 2
    state.results, state.current, state.test_index, state.attempt = [done], None, 1, 1
    states.append(copy.deepcopy(state))
    state.current = EngineTestResult(test_id=test_id, name="Again", status="passed", attempts=1, duration_ms=0)
    for i in range(2):
        state.current.steps.append(step(i))
        states.append(copy.deepcopy(state))
    second = copy.deepcopy(state.current)
    state.results, state.current, state.test_index = [done, second], None, 2
    states.append(copy.deepcopy(state))
    return states


def rows(run: Run) -> list[tuple]:
    out = []
    for row in ResultRow.objects.filter(run=run).order_by("position"):
        steps = list(row.steps.order_by("index").values_list("index", "outcome", "target"))
        out.append((row.position, row.status, row.attempts, row.duration_ms, steps))
    return out


def test_projecting_each_checkpoint_gives_the_rows_of_projecting_the_last_one_once(test_def):
    states = states_of_a_run_with_a_retry(str(test_def.id))
    stepwise, at_once = make_run(test_def.project), make_run(test_def.project)
    projector = ResultProjector(context_for(stepwise, test_def))
    seen = []
    for state in states:
        projector.project_data(state.to_dict())
        seen.append(rows(stepwise))
    ResultProjector(context_for(at_once, test_def)).project(states[-1])
    assert rows(stepwise) == rows(at_once)
    assert rows(stepwise)[0] == (0, "passed", 2, 25, [(0, "passed", "#t0"), (1, "passed", "#t1"), (2, "passed", "#t2")])
    # Mid-run: the failed first attempt's steps were replaced by the retry's, the test shown running.
    assert seen[1][0][1:] == ("running", 1, 5 + 5, [(0, "passed", "#t0"), (1, "failed", "#t1")])
    assert seen[2][0][4] == [(0, "passed", "#t0")]
    stepwise.refresh_from_db()
    assert (stepwise.passed, stepwise.failed) == (2, 0)


def test_a_resumed_projector_brings_existing_rows_up_to_date(test_def):
    states = states_of_a_run_with_a_retry(str(test_def.id))
    run, fresh = make_run(test_def.project), make_run(test_def.project)
    ResultProjector(context_for(run, test_def)).project_data(states[3].to_dict())
    resumed = ResultProjector(context_for(run, test_def))  # another worker, from that checkpoint on
    for state in states[4:]:
        resumed.project_data(state.to_dict())
    ResultProjector(context_for(fresh, test_def)).project(states[-1])
    assert rows(run) == rows(fresh)


def test_a_fingerprint_is_written_only_when_it_changed(test_def, django_assert_num_queries):
    test_id = str(test_def.id)
    first = DatabaseFingerprintStore(context_for(make_run(test_def.project), test_def))
    first.put(test_id=test_id, step_index=1, fingerprint={"id": "email", "rect": {"x": 1}})
    row = StepFingerprint.objects.get(test=test_def, step_index=1)

    later = DatabaseFingerprintStore(context_for(make_run(test_def.project), test_def))
    with django_assert_num_queries(1):  # the run's one read of what is stored; no write
        later.put(test_id=test_id, step_index=1, fingerprint={"id": "email", "rect": {"x": 1}})
    with django_assert_num_queries(0):
        later.put(test_id=test_id, step_index=1, fingerprint={"id": "email", "rect": {"x": 1}})
    later.put(test_id=test_id, step_index=1, fingerprint={"id": "email", "rect": {"x": 2}})
    assert StepFingerprint.objects.get(pk=row.pk).fingerprint == {"id": "email", "rect": {"x": 2}}
    later.put(test_id=test_id, step_index=2, fingerprint={"id": "password"})
    assert later.get(test_id=test_id, step_index=2) == {"id": "password"}
    # Written by someone else since this run read it: this run's next change is still written.
    StepFingerprint.objects.filter(pk=row.pk).update(fingerprint={"id": "other"})
    later.put(test_id=test_id, step_index=1, fingerprint={"id": "email", "rect": {"x": 3}})
    assert StepFingerprint.objects.get(pk=row.pk).fingerprint == {"id": "email", "rect": {"x": 3}}


def test_a_checkpoint_records_the_last_event_and_is_refused_once_the_lease_moved(test_def):
    run = make_run(test_def.project)
    ctx = context_for(run, test_def)
    append_event(run_id=run.id, kind="log", data={"message": "one"}, lease=ctx.lease)
    append_event(run_id=run.id, kind="log", data={"message": "two"}, lease=ctx.lease)
    store = DatabaseCheckpointStore(ctx)
    store.store(node="analyze_app", data=RunState().to_dict())
    checkpoint = Checkpoint.objects.get(run=run)
    assert (checkpoint.seq, checkpoint.event_seq, checkpoint.node) == (1, 2, "analyze_app")

    Run.objects.filter(id=run.id).update(lease=ctx.lease + 1)  # another worker claimed the run
    with pytest.raises(LeaseLost):
        store.store(node="execute_test", data=RunState().to_dict())
    with pytest.raises(LeaseLost):
        append_event(run_id=run.id, kind="log", data={"message": "three"}, lease=ctx.lease)
    assert ctx.lost.is_set()
    assert Checkpoint.objects.filter(run=run).count() == 1
    assert Run.objects.get(id=run.id).event_seq == 2


def test_finished_results_are_stored_once_per_test_and_every_checkpoint_reads_back_whole(test_def, as_owner):
    states = states_of_a_run_with_a_retry(str(test_def.id))
    run = make_run(test_def.project)
    store = DatabaseCheckpointStore(context_for(run, test_def))
    for state in states:
        store.store(node="execute_test", data=state.to_dict())

    saved = list(Checkpoint.objects.filter(run=run).order_by("seq"))
    assert [c.full_state() for c in saved] == [s.to_dict() for s in states]
    # Only the checkpoints that first hold a finished test store results; the others point at them.
    keyframes = [c.seq for c in saved if c.state["results"]]
    assert keyframes == [6, 9]
    assert [(c.seq, c.results_from_id and c.results_from.seq, c.shared_results) for c in saved[6:8]] == [
        (7, 6, 1),
        (8, 6, 1),
    ]
    # The time-travel API shows each checkpoint's whole state.
    response = as_owner.get(f"/api/v1/time-travel/checkpoints/{saved[6].id}")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == states[6].to_dict()


def test_a_resumed_store_starts_with_a_keyframe_of_its_own(test_def):
    states = states_of_a_run_with_a_retry(str(test_def.id))
    run = make_run(test_def.project)
    first = DatabaseCheckpointStore(context_for(run, test_def))
    for state in states[:6]:
        first.store(node="execute_test", data=state.to_dict())
    last = Checkpoint.objects.filter(run=run).order_by("-seq").first()
    ctx = context_for(run, test_def)  # another worker takes the run up from its last checkpoint
    ctx.checkpoint_seq, ctx.last_checkpoint_id = last.seq, last.id
    resumed = DatabaseCheckpointStore(ctx)
    for state in states[6:]:
        resumed.store(node="execute_test", data=state.to_dict())

    saved = list(Checkpoint.objects.filter(run=run).order_by("seq"))
    assert [c.full_state() for c in saved] == [s.to_dict() for s in states]
    assert saved[6].shared_results == 0 and saved[6].state["results"] == states[6].to_dict()["results"]
