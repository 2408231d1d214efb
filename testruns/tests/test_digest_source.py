"""The weekly digest's numbers come from real run rows: the source testruns registers, and the email it feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from argus.celery import app as celery_app
from notifications.digest import DigestStats, FlakyTest, SlowTest, digest_source
from notifications.tasks import send_weekly_digests
from projects.models import TestDefinition
from testruns.digest import weekly_digest_stats
from testruns.models import Heal, Run, StepResult, TestResult
from tests import factories

pytestmark = pytest.mark.django_db

WEEK = datetime(2026, 11, 16, tzinfo=UTC)  # Monday; the window is [WEEK, WEEK + 7 days)
END = WEEK + timedelta(days=7)
BEAT = END + timedelta(hours=8)  # the Monday beat that sends this week's digest


def make_run(project, *, at: datetime, status: str, results: list[tuple]) -> Run:
    """A run created at `at`, with results (test_id, name, status, duration_ms, step outcomes)."""
    run = Run.objects.create(organization=project.organization, project=project, app_url=project.app_url, status=status)
    Run.objects.filter(id=run.id).update(created_at=at)  # created_at is auto_now_add
    for position, (test_id, name, result_status, duration_ms, outcomes) in enumerate(results):
        result = TestResult.objects.create(
            run=run, position=position, test_id_text=test_id, name=name, status=result_status, duration_ms=duration_ms
        )
        for index, outcome in enumerate(outcomes):
            StepResult.objects.create(test_result=result, index=index, action="click", target="Go", outcome=outcome)
            if outcome == "healed":
                make_heal(run, test_id=test_id, name=name, step_index=index)
    return run


def make_heal(run: Run, *, test_id: str, name: str, step_index: int, status: str = Heal.Status.PENDING) -> Heal:
    test, _ = TestDefinition.objects.get_or_create(
        project=run.project, description=test_id, defaults={"name": name, "steps": ["Click Go"]}
    )
    return Heal.objects.create(
        organization=run.organization,
        project=run.project,
        test=test,
        run=run,
        step_index=step_index,
        step_signature="sig",
        old_step={"text": "Click Go"},
        old_target="Go",
        new_locator='[data-testid="go"]',
        score=0.95,
        runner_up_score=0.3,
        status=status,
    )


@pytest.fixture
def seeded_week(org):
    shop = factories.make_project(org, name="Shop")
    blog = factories.make_project(org, name="Blog")
    day = timedelta(days=1)
    ok, healed = ["passed"], ["passed", "healed"]
    # In the window (the first exactly at its start).
    first = make_run(
        shop,
        at=WEEK,
        status="passed",
        results=[
            ("t_login", "Login", "passed", 2000, ok),
            ("t_checkout", "Checkout", "passed", 30000, ok),
            ("t_search", "Search", "passed", 1000, ok),
        ],
    )
    make_run(
        shop,
        at=WEEK + day,
        status="failed",
        results=[
            ("t_login", "Login", "passed", 4000, ok),
            ("t_checkout", "Checkout", "failed", 32000, ["failed"]),
            ("t_search", "Search", "failed", 1000, ["failed"]),
        ],
    )
    make_run(
        shop,
        at=WEEK + 2 * day,
        status="error",
        results=[
            # An errored login is infrastructure: executed, no verdict (no flip, not in the average).
            ("t_login", "Login", "error", 90000, ["error"]),
            ("t_checkout", "Checkout", "skipped", 0, []),
            ("t_search", "Search", "healed", 3000, healed),
        ],
    )
    make_run(
        shop,
        at=WEEK + 3 * day,
        status="passed",
        results=[
            ("t_login", "Log in", "healed", 3000, ["healed", "healed"]),  # renamed this week
            ("t_checkout", "Checkout", "passed", 31000, ok),
            ("t_search", "Search", "passed", 1000, ok),
        ],
    )
    make_run(
        blog,
        at=WEEK + 4 * day,
        status="passed",
        results=[
            ("t_home", "Home", "passed", 500, ok),
            ("t_about", "About", "passed", 200, ok),
            ("t_contact", "Contact", "passed", 100, ok),
        ],
    )
    make_run(blog, at=WEEK + 5 * day, status="cancelled", results=[("t_home", "Home", "pending", 0, [])])
    make_run(
        shop,
        at=END - timedelta(microseconds=1),
        status="running",
        results=[
            ("t_login", "Log in", "running", 0, ok),
        ],
    )
    # Outside the window: the week before (one run), the next week starting exactly at END, another org.
    make_run(
        shop,
        at=WEEK - timedelta(microseconds=1),
        status="failed",
        results=[
            ("t_checkout", "Checkout", "failed", 99000, ["healed", "failed"]),
            ("t_login", "Login", "passed", 1000, ok),
        ],
    )
    make_run(shop, at=END, status="failed", results=[("t_search", "Search", "failed", 99000, ["healed", "failed"])])
    other = factories.make_project(factories.make_org(factories.make_profile(), name="Other Corp"), name="Shop")
    make_run(
        other,
        at=WEEK + day,
        status="failed",
        results=[
            ("t_checkout", "Checkout", "failed", 99000, ["healed"]),
            ("t_checkout2", "Checkout", "passed", 1, ok),
        ],
    )
    # Heals someone already decided are not waiting for review.
    make_heal(first, test_id="t_login", name="Login", step_index=0, status=Heal.Status.ACCEPTED)
    make_heal(first, test_id="t_search", name="Search", step_index=0, status=Heal.Status.REJECTED)
    return org


def test_weekly_stats_from_seeded_runs(seeded_week):
    stats = weekly_digest_stats(organization_id=str(seeded_week.id), start=WEEK, end=END)

    assert stats == DigestStats(
        runs=7,
        passed_runs=3,
        failed_runs=2,  # one failed, one errored; cancelled and running are neither
        test_results=14,  # skipped, pending and running results excluded
        test_results_passed=11,  # passed or healed
        slowest_tests=[
            SlowTest("Checkout", "Shop", 31.0, 3),
            SlowTest("Log in", "Shop", 3.0, 3),
            SlowTest("Search", "Shop", 1.5, 4),
            SlowTest("Home", "Blog", 0.5, 1),
            SlowTest("About", "Blog", 0.2, 1),
        ],
        flakiest_tests=[
            FlakyTest("Search", "Shop", 2, 4),  # passed, failed, healed, passed
            FlakyTest("Checkout", "Shop", 2, 3),  # passed, failed, (skipped), passed
        ],
        pending_heals=3,
    )
    assert stats.pass_rate == pytest.approx(11 / 14)


def test_the_week_before_is_its_own_window(seeded_week):
    before = weekly_digest_stats(organization_id=str(seeded_week.id), start=WEEK - timedelta(days=7), end=WEEK)
    assert (before.runs, before.failed_runs, before.test_results, before.test_results_passed) == (1, 1, 2, 1)
    assert before.pending_heals == 1 and before.flakiest_tests == []
    assert weekly_digest_stats(
        organization_id=str(seeded_week.id), start=END + timedelta(days=7), end=END + timedelta(days=14)
    ) == DigestStats(0, 0, 0, 0, 0)


def test_testruns_registers_its_source_at_startup():
    assert digest_source() is weekly_digest_stats


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_digest_email_carries_the_numbers_of_real_runs(
    seeded_week, owner, mailoutbox, eager_celery, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: BEAT)

    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests.apply()

    # Other Corp had a run in the window too: its owner gets Other Corp's digest, never Example Corp's.
    assert sorted(m.subject.split(":")[0] for m in mailoutbox) == [
        "[Argus] Weekly digest for Example Corp",
        "[Argus] Weekly digest for Other Corp",
    ]
    [mail] = [m for m in mailoutbox if m.to == ["owner@example.com"]]
    assert mail.subject == "[Argus] Weekly digest for Example Corp: Nov 16 - Nov 22, 2026"
    assert "Runs: 7 (3 passed, 2 failed or errored; 1 the week before)" in mail.body
    assert "Pass rate: 78.6% (+28.6 points from 50.0%)" in mail.body
    assert "Checkout (Shop): 31.0s on average over 3 runs" in mail.body
    assert "Log in (Shop): 3.0s on average over 3 runs" in mail.body
    assert "Contact" not in mail.body  # sixth slowest: only five are listed
    assert "Search (Shop): verdict changed 2 times in 4 runs" in mail.body
    assert "Heals waiting for review: 3" in mail.body
