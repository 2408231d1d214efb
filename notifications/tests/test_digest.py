"""The weekly digest for a seeded week, from a digest source registered the way testruns registers its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.digest import (
    DigestStats,
    FlakyTest,
    SlowTest,
    digest_source,
    register_digest_source,
    unregister_digest_source,
)
from notifications.services.digests import week_bounds
from notifications.tasks import send_weekly_digests
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
# Beat fires on Monday 2026-11-23; the digest covers Monday 16 to Sunday 22 November.
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEEK = datetime(2026, 11, 16, tzinfo=UTC)


class SeededWeeks:
    """A fake source: per organization, this week's and the previous week's numbers."""

    def __init__(self) -> None:
        self.weeks: dict[tuple[str, datetime], DigestStats] = {}
        self.calls: list[tuple[str, datetime, datetime]] = []

    def __call__(self, *, organization_id: str, start: datetime, end: datetime) -> DigestStats:
        self.calls.append((organization_id, start, end))
        return self.weeks.get((organization_id, start), DigestStats(0, 0, 0, 0, 0))


@pytest.fixture
def source():
    previous = digest_source()
    seeded = SeededWeeks()
    register_digest_source(seeded)
    yield seeded
    if previous is not None:
        register_digest_source(previous)
    else:
        unregister_digest_source()


@pytest.fixture
def fake_now(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: MONDAY)


def test_week_bounds_are_the_last_complete_week_in_utc():
    assert week_bounds(MONDAY) == (WEEK, WEEK + timedelta(days=7))
    assert week_bounds(datetime(2026, 11, 29, 23, 59, tzinfo=UTC)) == (WEEK, WEEK + timedelta(days=7))


def test_digest_content_for_a_seeded_week(
    org, owner, source, smtp_server, fake_now, django_capture_on_commit_callbacks
):
    quiet_org = factories.make_org(owner, name="Quiet Corp")
    no_digest = factories.make_profile("nodigest@example.com", notification_preferences={"email_weekly_digest": False})
    factories.add_member(org, no_digest)
    owner.display_name = "Olivia"
    owner.save()
    source.weeks[(str(org.id), WEEK)] = DigestStats(
        runs=12,
        passed_runs=9,
        failed_runs=3,
        test_results=200,
        test_results_passed=180,
        slowest_tests=[SlowTest("Checkout", "Shop", 31.25, 12), SlowTest("Login", "Shop", 4.0, 12)],
        flakiest_tests=[FlakyTest("Search", "Shop", 5, 12), FlakyTest("Stable", "Shop", 0, 12)],
        pending_heals=2,
    )
    source.weeks[(str(org.id), WEEK - timedelta(days=7))] = DigestStats(10, 9, 1, 100, 95)

    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests.apply()

    [mail] = smtp_server.messages  # the quiet organization and the opted-out member get nothing
    assert mail.rcpt_tos == ["owner@example.com"]
    assert mail.message["Subject"] == "[Argus] Weekly digest for Example Corp: Nov 16 - Nov 22, 2026"
    text = mail.part("text/plain")
    assert "Hello Olivia" in text
    assert "Runs: 12 (9 passed, 3 failed or errored; 10 the week before)" in text
    assert "Pass rate: 90.0% (-5.0 points from 95.0%)" in text
    assert "Checkout (Shop): 31.2s on average over 12 runs" in text
    assert text.index("Checkout (Shop)") < text.index("Login (Shop)")
    assert "Search (Shop): verdict changed 5 times in 12 runs" in text
    assert "Stable" not in text
    assert "Heals waiting for review: 2" in text
    html = mail.part("text/html")
    assert "90.0%" in html and "-5.0 points" in html and "Search" in html
    assert (str(quiet_org.id), WEEK, WEEK + timedelta(days=7)) in source.calls


def test_at_most_one_digest_per_person_and_week_even_if_beat_fires_twice(
    org, owner, source, smtp_server, fake_now, django_capture_on_commit_callbacks
):
    source.weeks[(str(org.id), WEEK)] = DigestStats(1, 1, 0, 3, 3)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            send_weekly_digests.apply()
    assert len(smtp_server.messages) == 1
    text = smtp_server.messages[0].part("text/plain")
    assert "Pass rate: 100.0% (no runs the week before)" in text


def test_no_source_registered_plans_nothing(org, owner, smtp_server, fake_now):
    previous = digest_source()
    unregister_digest_source()
    try:
        assert send_weekly_digests.apply().get() == 0
    finally:
        if previous:
            register_digest_source(previous)
    assert smtp_server.messages == []


def test_beat_schedules_the_digest_weekly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-weekly-digest"]
    assert entry["task"] == "notifications.tasks.send_weekly_digests"
    assert entry["schedule"].day_of_week == {1}
