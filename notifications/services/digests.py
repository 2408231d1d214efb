"""The weekly digest: one email per person, organization and week, whoever fires the schedule.

Planned as delivery rows keyed by (person, organization, week), so beat firing twice, or two beats,
plan it once; sending goes through the same exactly-once claim as every delivery.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import DEFAULT_NOTIFICATION_PREFERENCES
from notifications.digest import DigestStats, digest_source
from notifications.models import DIGEST_EVENT, ChannelType, Delivery
from notifications.services.deliveries import enqueue_on_commit
from organizations.models import Membership, Organization

logger = logging.getLogger(__name__)

LISTED_TESTS = 5


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The last complete week, Monday 00:00 UTC to Monday 00:00 UTC, before `now`."""
    now = now.astimezone(UTC)
    this_monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return this_monday - timedelta(days=7), this_monday


def _pct(rate: float | None) -> float | None:
    return round(rate * 100, 1) if rate is not None else None


def digest_context(
    *, organization: Organization, start: datetime, end: datetime, current: DigestStats, previous: DigestStats
) -> dict[str, Any]:
    rate, before = _pct(current.pass_rate), _pct(previous.pass_rate)
    last_day = end - timedelta(days=1)
    return {
        "organization_id": str(organization.id),
        "organization_name": organization.name,
        "week_start": start.date().isoformat(),
        "week_label": f"{start:%b} {start.day} - {last_day:%b} {last_day.day}, {last_day.year}",
        "runs": current.runs,
        "passed_runs": current.passed_runs,
        "failed_runs": current.failed_runs,
        "previous_runs": previous.runs,
        "pass_rate": rate,
        "previous_pass_rate": before,
        "pass_rate_change": round(rate - before, 1) if rate is not None and before is not None else None,
        "slowest_tests": [
            {
                "name": t.name,
                "project_name": t.project_name,
                "average_seconds": round(t.average_seconds, 1),
                "runs": t.runs,
            }
            for t in sorted(current.slowest_tests, key=lambda t: -t.average_seconds)[:LISTED_TESTS]
        ],
        "flakiest_tests": [
            {"name": t.name, "project_name": t.project_name, "flips": t.flips, "runs": t.runs}
            for t in sorted(current.flakiest_tests, key=lambda t: -t.flips)[:LISTED_TESTS]
            if t.flips > 0
        ],
        "pending_heals": current.pending_heals,
        "dashboard_url": f"{settings.PUBLIC_URL}/",
    }


def digests_plan_weekly(*, now: datetime | None = None) -> list[Delivery]:
    source = digest_source()
    if source is None:
        logger.warning("No digest source is registered (testruns registers one); no weekly digests planned")
        return []
    start, end = week_bounds(now or timezone.now())
    readers: dict[Organization, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.select_related("profile", "organization").filter(
        status=Membership.Status.ACTIVE, profile__isnull=False
    ):
        prefs = {**DEFAULT_NOTIFICATION_PREFERENCES, **(membership.profile.notification_preferences or {})}
        if prefs["email_weekly_digest"]:
            readers[membership.organization].append(membership)
    planned: list[Delivery] = []
    for organization, memberships in readers.items():
        current = source(organization_id=str(organization.id), start=start, end=end)
        if current.runs == 0 and current.pending_heals == 0:
            continue  # a quiet week is not worth an email
        previous = source(organization_id=str(organization.id), start=start - timedelta(days=7), end=start)
        context = digest_context(organization=organization, start=start, end=end, current=current, previous=previous)
        planned += _plan_for(organization=organization, memberships=memberships, context=context, start=start)
    return planned


@transaction.atomic
def _plan_for(
    *, organization: Organization, memberships: list[Membership], context: dict[str, Any], start: datetime
) -> list[Delivery]:
    created_rows: list[Delivery] = []
    for membership in memberships:
        profile = membership.profile
        delivery, created = Delivery.objects.get_or_create(
            dedupe_key=f"digest:{profile.id}:{organization.id}:{start.date().isoformat()}",
            defaults={
                "organization": organization,
                "recipient": profile,
                "transport": ChannelType.EMAIL,
                "event_type": DIGEST_EVENT,
                "subject_key": f"digest:{start.date().isoformat()}",
                "payload": {**context, "recipient_name": profile.display_name or profile.email},
                "created_at": timezone.now(),
            },
        )
        if created:
            created_rows.append(delivery)
    enqueue_on_commit([str(d.id) for d in created_rows])
    return created_rows
