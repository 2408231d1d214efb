"""Plan limits: what an organization's plan allows, enforced where things are created.

Creators call `enforce_plan_limit(organization=..., limit=..., current=...)` with what exists now.
The billing overview shows each limit against its use; the apps that own what a limit counts (runs,
streams) register a counter with `register_usage_counter` from their AppConfig.ready, because billing
sits below them and must not import them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from django.conf import settings

from argus.errors import PlanLimitExceeded
from organizations.models import Membership, Organization

LIMIT_NAMES = {
    "projects": "projects",
    "members": "members",
    "runs_per_month": "runs per month",
    "concurrent_runs": "concurrent runs",
    "streams": "concurrent streams",
}

UsageCounter = Callable[[Organization], int]


class LimitUsage(TypedDict):
    limit: int | None
    used: int | None


def plan_limit(*, organization: Organization, limit: str) -> int | None:
    return settings.ARGUS_PLANS[organization.plan][limit]


def enforce_plan_limit(*, organization: Organization, limit: str, current: int) -> None:
    """Refuse one more of `limit` when `current` already reaches the plan's number (403 naming it)."""
    allowed = plan_limit(organization=organization, limit=limit)
    if allowed is not None and current >= allowed:
        raise PlanLimitExceeded(
            f"The {organization.plan} plan allows {allowed} {LIMIT_NAMES[limit]}; upgrade to add more",
            code=f"plan_limit_{limit}",
        )


def _count_members(organization: Organization) -> int:
    # A pending invitation holds a seat: accepting it must not be what breaks the limit.
    return Membership.objects.filter(organization=organization).count()


def _count_projects(organization: Organization) -> int:
    # Through the reverse relation, so billing needs no import of the projects app above it.
    return organization.projects.count()


_usage_counters: dict[str, UsageCounter] = {"members": _count_members, "projects": _count_projects}


def register_usage_counter(*, limit: str, counter: UsageCounter) -> None:
    if limit not in LIMIT_NAMES:
        raise ValueError(f"Unknown plan limit {limit!r}; known: {', '.join(LIMIT_NAMES)}")
    _usage_counters[limit] = counter


def plan_usage(*, organization: Organization) -> dict[str, LimitUsage]:
    """Every limit of the organization's plan with its current use (None where no app counts it)."""
    usage: dict[str, LimitUsage] = {}
    for limit in LIMIT_NAMES:
        counter = _usage_counters.get(limit)
        usage[limit] = {
            "limit": plan_limit(organization=organization, limit=limit),
            "used": counter(organization) if counter is not None else None,
        }
    return usage
