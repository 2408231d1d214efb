"""Invitations: a pending member plus a single-use, expiring token sent by email (only its hash is kept).

Emails go out after the rows are committed, so the database is never locked while an SMTP server
answers; when sending fails the rows are undone and the caller gets a 502, leaving nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import UserProfile
from argus.errors import ArgusError, BadRequest, Conflict, Forbidden, NotFound
from organizations.billing.limits import enforce_plan_limit
from organizations.models import Invitation, Membership, Organization

logger = logging.getLogger(__name__)

ACCEPT_PATH = "/api/v1/invitations/accept"


class InvitationEmailFailed(ArgusError):
    status_code = 502
    code = "email_failed"
    default_detail = "The invitation email could not be sent; nothing was changed, try again later"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_invitation(*, membership: Membership) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        email=membership.email,
        token_hash=hash_token(token),
        expires_at=timezone.now() + settings.ARGUS_INVITATION_TTL,
    )
    return invitation, token


def _send_invitation_email(
    *, invitation: Invitation, token: str, membership: Membership, inviter: UserProfile | None
) -> None:
    organization = membership.organization
    context = {
        "organization_name": organization.name,
        "inviter_name": (inviter.display_name or inviter.email) if inviter else "An administrator",
        "role": membership.role,
        "token": token,
        "accept_url": settings.PUBLIC_URL + ACCEPT_PATH,
        "expires_at": invitation.expires_at,
        "public_url": settings.PUBLIC_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"You are invited to join {organization.name} on Argus",
        body=render_to_string("emails/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[membership.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send(fail_silently=False)


def _send_or_undo(
    *, invitation: Invitation, token: str, membership: Membership, inviter: UserProfile | None, undo: Callable[[], None]
) -> None:
    try:
        _send_invitation_email(invitation=invitation, token=token, membership=membership, inviter=inviter)
    except Exception as exc:
        # Never log the token; the address and the error are enough to investigate.
        logger.warning("Invitation email to %s failed: %s", membership.email, exc)
        with transaction.atomic():
            undo()
        raise InvitationEmailFailed() from exc


def member_invite(*, organization: Organization, email: str, role: str, invited_by: UserProfile | None) -> Membership:
    """Create a pending member (`user_id` "pending_...") and email them a single-use token."""
    email = email.strip()
    with transaction.atomic():
        # Lock the organization so concurrent invites cannot both pass the duplicate and plan checks.
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        # Also an active member whose current address (their profile's) is this one.
        found = Membership.objects.filter(
            Q(email__iexact=email) | Q(profile__email__iexact=email), organization=organization
        ).first()
        if found is not None:
            if found.status == Membership.Status.PENDING:
                raise Conflict(f"{email} already has a pending invitation; resend it instead", code="already_invited")
            raise Conflict(f"{email} is already a member of this organization", code="already_member")
        enforce_plan_limit(
            organization=organization,
            limit="members",
            current=Membership.objects.filter(organization=organization).count(),
        )
        now = timezone.now()
        membership = Membership.objects.create(
            organization=organization,
            user_id="pending_" + secrets.token_hex(8),
            email=email,
            role=role,
            status=Membership.Status.PENDING,
            invited_by=invited_by,
            invited_at=now,
        )
        invitation, token = _new_invitation(membership=membership)

    def undo() -> None:
        Invitation.objects.filter(pk=invitation.pk).delete()
        Membership.objects.filter(pk=membership.pk).delete()

    _send_or_undo(invitation=invitation, token=token, membership=membership, inviter=invited_by, undo=undo)
    return membership


def _require_pending(membership: Membership, verb: str) -> None:
    if membership.status != Membership.Status.PENDING:
        raise BadRequest(f"Only a pending invitation can be {verb}; this member has already joined", code="not_pending")


def invitation_resend(*, membership: Membership, invited_by: UserProfile | None) -> Invitation:
    """A fresh token (and seven more days) for a pending member; the previous token stops working."""
    _require_pending(membership, "resent")
    with transaction.atomic():
        now = timezone.now()
        open_ids = list(
            membership.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        Invitation.objects.filter(pk__in=open_ids).update(revoked_at=now)
        previous_invited_at = membership.invited_at
        membership.invited_at = now
        membership.save(update_fields=["invited_at"])
        invitation, token = _new_invitation(membership=membership)

    def undo() -> None:
        Invitation.objects.filter(pk=invitation.pk).delete()
        Invitation.objects.filter(pk__in=open_ids).update(revoked_at=None)
        Membership.objects.filter(pk=membership.pk).update(invited_at=previous_invited_at)

    _send_or_undo(invitation=invitation, token=token, membership=membership, inviter=invited_by, undo=undo)
    return invitation


def invitation_revoke(*, membership: Membership) -> None:
    """Withdraw a pending invitation: its token stops working and the pending member disappears."""
    _require_pending(membership, "revoked")
    with transaction.atomic():
        membership.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        membership.delete()


def invitation_accept(*, token: str, profile: UserProfile) -> Membership:
    """Join the organization with the person's real identity; the token's email must be theirs."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organization")
            .filter(token_hash=hash_token(token.strip()))
            .first()
        )
        if invitation is None:
            raise NotFound(
                "Invitation not found; check the token or ask for a new invitation", code="invitation_not_found"
            )
        now = timezone.now()
        if invitation.accepted_at is not None:
            raise BadRequest("This invitation has already been used", code="invitation_used")
        if invitation.revoked_at is not None or invitation.membership_id is None:
            raise BadRequest(
                "This invitation has been revoked or replaced by a newer one; ask an admin of "
                f"{invitation.organization.name} to resend it",
                code="invitation_revoked",
            )
        if invitation.expires_at <= now:
            raise BadRequest(
                f"This invitation expired on {invitation.expires_at:%Y-%m-%d %H:%M} UTC; ask an admin of "
                f"{invitation.organization.name} to resend it",
                code="invitation_expired",
            )
        if invitation.email.strip().lower() != (profile.email or "").strip().lower():
            raise Forbidden(
                "This invitation was sent to a different email address; sign in with that address to accept it",
                code="email_mismatch",
            )
        already = Membership.objects.filter(
            Q(profile=profile) | Q(user_id=profile.user_id), organization=invitation.organization
        ).exclude(pk=invitation.membership_id)
        if already.exists():
            raise Conflict("You are already a member of this organization", code="already_member")
        membership = Membership.objects.select_for_update().get(pk=invitation.membership_id)
        membership.profile = profile
        membership.user_id = profile.user_id
        membership.status = Membership.Status.ACTIVE
        membership.accepted_at = now
        membership.save(update_fields=["profile", "user_id", "status", "accepted_at"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
    return membership
