"""Plan limits: what an organization's plan allows, enforced where things are created."""

from __future__ import annotations

from django.conf import settings

from argus.errors import PlanLimitExceeded
from organizations.models import Organization

LIMIT_NAMES = {
    "projects": "projects",
    "members": "members",
    "runs_per_month": "runs per month",
    "concurrent_runs": "concurrent runs",
    "streams": "concurrent streams",
}


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
