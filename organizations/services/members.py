"""Members: role changes and removal. Invitations (which create pending members) live in invitations.py."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.services import profiles_forget_organization
from argus.errors import BadRequest, Forbidden
from organizations.models import Membership
from organizations.roles import Role


def member_update_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's (or a pending invitee's) role; ownership moves only by transfer."""
    if membership.role == Role.OWNER:
        raise BadRequest("Cannot change the owner's role; transfer ownership instead", code="owner_role")
    if role == Role.OWNER:
        raise BadRequest("Ownership moves only by transfer", code="owner_role")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def member_remove(*, membership: Membership, actor_role: str, actor_membership_id: UUID | None) -> None:
    """Remove a member, or withdraw a pending invitation.

    The owner cannot be removed (transfer first); an admin may remove members, viewers and themselves,
    but not another admin. `actor_role` is the remover's role (an API key acts as an admin).
    """
    if membership.role == Role.OWNER:
        raise BadRequest("Cannot remove organization owner", code="owner_removal")
    if actor_role == Role.ADMIN and membership.role == Role.ADMIN and membership.pk != actor_membership_id:
        raise Forbidden("Admins cannot remove other admins", code="admin_removal")
    with transaction.atomic():
        membership.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if membership.profile_id is not None:
            profiles_forget_organization(
                organization_id=membership.organization_id, profile_ids=[membership.profile_id]
            )
        membership.delete()


def member_is_pending(membership: Membership) -> bool:
    return membership.status == Membership.Status.PENDING
