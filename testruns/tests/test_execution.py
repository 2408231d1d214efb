import pytest

from testruns.engine.testing import DEMO_TESTS, DemoAppServer
from testruns.models import Checkpoint, RunEvent, TestResult
from testruns.tests.e2e_support import make_project_with_tests, start_and_execute

pytestmark = [pytest.mark.browser]

SIGN_IN = DEMO_TESTS[0]


@pytest.fixture(scope="session")
def demo_app():
    with DemoAppServer() as server:
        yield server


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
