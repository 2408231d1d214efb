"""Writes for organizations, members and invitations (`<entity>_<verb>`, keyword-only)."""

from organizations.services.invitations import (
    InvitationEmailFailed,
    hash_token,
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    member_invite,
)
from organizations.services.members import member_remove, member_update_role
from organizations.services.organizations import (
    organization_create,
    organization_delete,
    organization_transfer_ownership,
    organization_update,
)

__all__ = [
    "InvitationEmailFailed",
    "hash_token",
    "invitation_accept",
    "invitation_resend",
    "invitation_revoke",
    "member_invite",
    "member_remove",
    "member_update_role",
    "organization_create",
    "organization_delete",
    "organization_transfer_ownership",
    "organization_update",
]
