from __future__ import annotations

from uuid import UUID

from accounts.models import UserProfile
from organizations.models import Membership


def active_membership(*, profile: UserProfile, organization_id: UUID | str) -> Membership | None:
    return (
        Membership.objects.select_related("organization")
        .filter(profile=profile, organization_id=organization_id, status=Membership.Status.ACTIVE)
        .first()
    )
