"""What an organization uses of its plan's run limits: one definition for enforcing and for showing.

`testruns.services` counts with these before creating a run (under the organization's row lock), and
the billing overview shows the same numbers through the counters `TestrunsConfig.ready()` registers, so
the overview's "used" is exactly what the next start will be checked against.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

from argus.ratelimit.streams import stream_slots_in_use
from organizations.models import Organization
from testruns.models import Run

ACTIVE = (Run.Status.PENDING, Run.Status.RUNNING)


def month_start(now: datetime) -> datetime:
    """The start of `now`'s calendar month in UTC (plans count runs per UTC month)."""
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def runs_this_month(*, organization: Organization) -> int:
    """Runs created since the start of the UTC month, whatever became of them (replays included)."""
    return Run.objects.filter(organization=organization, created_at__gte=month_start(timezone.now())).count()


def concurrent_runs(*, organization: Organization) -> int:
    """Runs holding a slot: queued (pending) or executing (running)."""
    return Run.objects.filter(organization=organization, status__in=ACTIVE).count()


def streams_open(*, organization: Organization) -> int:
    """Live streams holding one of the organization's stream slots (argus.ratelimit.streams)."""
    return stream_slots_in_use(organization.id)


def register_usage_counters() -> None:
    """Give billing the counters for the limits only testruns can count (billing must not import us)."""
    from organizations.billing.limits import register_usage_counter

    register_usage_counter(limit="runs_per_month", counter=lambda org: runs_this_month(organization=org))
    register_usage_counter(limit="concurrent_runs", counter=lambda org: concurrent_runs(organization=org))
    register_usage_counter(limit="streams", counter=lambda org: streams_open(organization=org))
