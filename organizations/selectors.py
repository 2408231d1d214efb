"""Reads, always scoped to organizations the caller belongs to."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Q, QuerySet

from accounts.models import UserProfile
from organizations.models import Invitation, Membership, Organization


def active_membership(*, profile: UserProfile, organization_id: UUID | str) -> Membership | None:
    return (
        Membership.objects.select_related("organization")
        .filter(profile=profile, organization_id=organization_id, status=Membership.Status.ACTIVE)
        .first()
    )


def organizations_with_member_count() -> QuerySet[Organization]:
    # Pending invitations are not members yet: the count is of people who can act in the organization.
    return Organization.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True)
    )


def organization_get(*, organization_id: UUID | str) -> Organization:
    return organizations_with_member_count().get(pk=organization_id)


def memberships_of_profile(*, profile: UserProfile, organization_id: UUID | str | None = None) -> list[Membership]:
    """The person's active memberships, each with `organization.member_count` set, oldest first."""
    memberships = Membership.objects.filter(profile=profile, status=Membership.Status.ACTIVE).order_by("created_at")
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    memberships = list(memberships)
    organizations = organizations_with_member_count().in_bulk([m.organization_id for m in memberships])
    for membership in memberships:
        membership.organization = organizations[membership.organization_id]
    return memberships


def organization_ids_of_profile(*, profile: UserProfile) -> QuerySet[Membership]:
    return Membership.objects.filter(profile=profile, status=Membership.Status.ACTIVE).values_list(
        "organization_id", flat=True
    )


def members_of_organization(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).order_by("created_at")


def member_get(*, organization: Organization, member_id: UUID | str) -> Membership | None:
    return Membership.objects.filter(organization=organization, pk=member_id).first()


def open_invitation(*, membership: Membership) -> Invitation | None:
    return membership.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).first()
