"""Organization lifecycle: create, update, delete, transfer ownership."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import UserProfile
from accounts.services import profiles_forget_organization
from argus.errors import BadRequest
from organizations.billing.services import subscriptions_cancel
from organizations.models import Membership, Organization
from organizations.roles import Role
from organizations.selectors import organization_get

# Fields an admin may change; plan and stripe_* move only with billing (Stripe webhooks).
UPDATABLE_FIELDS = frozenset(
    {"name", "logo_url", "domain", "ai_budget_daily", "ai_budget_monthly", "settings", "features", "sso_enabled"}
)
SLUG_MAX = 100


def _slug_candidates(name: str) -> list[str]:
    base = slugify(name)[:SLUG_MAX].strip("-") or "organization"
    return [base, *(f"{base}-{n}" for n in range(2, 6))]


def organization_create(*, name: str, creator: UserProfile) -> Organization:
    """A new organization on the free plan, with `creator` as its owner and a unique slug."""
    name = name.strip()
    candidates = _slug_candidates(name)
    taken = set(Organization.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    free = [slug for slug in candidates if slug not in taken]
    # Readable slugs first; after a few collisions (or a race on the unique index) a random suffix.
    attempts = [*free[:1], *(f"{candidates[0]}-{secrets.token_hex(3)}" for _ in range(3))]
    for slug in attempts:
        try:
            with transaction.atomic():
                organization = Organization.objects.create(name=name, slug=slug)
                Membership.objects.create(
                    organization=organization,
                    profile=creator,
                    user_id=creator.user_id,
                    email=creator.email,
                    role=Role.OWNER,
                    status=Membership.Status.ACTIVE,
                    accepted_at=timezone.now(),
                )
        except IntegrityError:
            continue
        return organization_get(organization_id=organization.pk)
    raise IntegrityError(f"Could not find a free slug for organization {name!r}")


def organization_update(*, organization: Organization, fields: dict[str, Any]) -> Organization:
    """Apply validated fields (a partial update); `updated_at` is set from the first update on."""
    changes = {name: value for name, value in fields.items() if name in UPDATABLE_FIELDS}
    for name, value in changes.items():
        setattr(organization, name, value)
    organization.updated_at = timezone.now()
    organization.save(update_fields=[*sorted(changes), "updated_at"])
    return organization_get(organization_id=organization.pk)


def organization_delete(*, organization: Organization) -> str:
    """Delete the organization and everything in it; returns its name for the confirmation message.

    Its Stripe subscriptions are cancelled first: if Stripe cannot cancel them, nothing is deleted.
    """
    name = organization.name
    subscriptions_cancel(organization=organization)
    with transaction.atomic():
        profiles_forget_organization(organization_id=organization.pk)
        organization.delete()
    return name


def organization_transfer_ownership(
    *, organization: Organization, owner: Membership, new_owner_user_id: str
) -> Membership:
    """Make an active member the owner; the previous owner stays on as an admin."""
    if new_owner_user_id == owner.user_id:
        raise BadRequest("You already own this organization", code="already_owner")
    with transaction.atomic():
        target = (
            Membership.objects.select_for_update()
            .filter(organization=organization, user_id=new_owner_user_id, status=Membership.Status.ACTIVE)
            .first()
        )
        if target is None:
            raise BadRequest(
                f"User '{new_owner_user_id}' is not an active member of this organization",
                code="not_a_member",
            )
        Membership.objects.filter(pk=owner.pk).update(role=Role.ADMIN)
        target.role = Role.OWNER
        target.save(update_fields=["role"])
    owner.role = Role.ADMIN
    return target
