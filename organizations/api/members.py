"""Team management: members, invitations (invite, resend, revoke, accept)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import DeclaredScopes, Scopes
from argus.errors import NotFound
from organizations.access import Access, Need, OrganizationScopedView
from organizations.api.common import errors
from organizations.api.serializers import (
    InvitationAcceptResponseSerializer,
    InvitationAcceptSerializer,
    InvitationResendResponseSerializer,
    InviteSerializer,
    MemberSerializer,
    RoleSerializer,
    SuccessSerializer,
)
from organizations.models import Membership
from organizations.roles import Role
from organizations.selectors import member_get, members_of_organization
from organizations.services import (
    invitation_accept,
    invitation_resend,
    invitation_revoke,
    member_invite,
    member_remove,
    member_update_role,
)

TAGS = ["teams"]


def _member(access: Access, member_id: UUID) -> Membership:
    membership = member_get(organization=access.organization, member_id=member_id)
    if membership is None:
        raise NotFound("Member not found")
    return membership


class MembersView(OrganizationScopedView):
    access = {"GET": Need(Role.VIEWER, "admin")}

    @extend_schema(
        operation_id="teams_members_list",
        responses={200: MemberSerializer(many=True), **errors(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        return Response(MemberSerializer(members_of_organization(organization=access.organization), many=True).data)


class InviteView(OrganizationScopedView):
    access = {"POST": Need(Role.ADMIN, "admin")}

    @extend_schema(
        operation_id="teams_members_invite",
        request=InviteSerializer,
        description=(
            "Creates a pending member (`user_id` is `pending_...`) and emails a single-use token valid for 7 days. "
            "The invited person accepts it with `POST /api/v1/invitations/accept`."
        ),
        responses={201: MemberSerializer, **errors(401, 403, 404, 409, 422, 502)},
        tags=TAGS,
    )
    def post(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = member_invite(
            organization=access.organization,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            invited_by=request.user,
        )
        return Response(MemberSerializer(membership).data, status=201)


class MemberRoleView(OrganizationScopedView):
    access = {"PATCH": Need(Role.OWNER, "admin")}

    @extend_schema(
        operation_id="teams_members_update_role",
        request=RoleSerializer,
        responses={200: SuccessSerializer, **errors(400, 401, 403, 404, 422)},
        tags=TAGS,
    )
    def patch(self, request: Request, org_id: UUID, member_id: UUID) -> Response:
        access = self.access_to(org_id)
        membership = _member(access, member_id)
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = member_update_role(membership=membership, role=serializer.validated_data["role"])
        return Response({"success": True, "message": f"Role updated to {membership.role}"})


class MemberDetailView(OrganizationScopedView):
    access = {"DELETE": Need(Role.ADMIN, "admin")}

    @extend_schema(
        operation_id="teams_members_remove",
        description=(
            "Removes a member, or withdraws a pending invitation. The owner cannot be removed; admins cannot "
            "remove other admins. The API keys the member created in this organization are revoked."
        ),
        responses={200: SuccessSerializer, **errors(400, 401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request: Request, org_id: UUID, member_id: UUID) -> Response:
        access = self.access_to(org_id)
        membership = _member(access, member_id)
        member_remove(
            membership=membership,
            actor_role=access.role,
            actor_membership_id=access.membership.pk if access.membership else None,
        )
        return Response({"success": True, "message": "Member removed"})


class InvitationView(OrganizationScopedView):
    access = {"DELETE": Need(Role.ADMIN, "admin")}

    @extend_schema(
        operation_id="teams_invitation_revoke",
        description="Revokes a pending member's invitation: the token stops working and the pending member is removed.",
        responses={200: SuccessSerializer, **errors(400, 401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request: Request, org_id: UUID, member_id: UUID) -> Response:
        access = self.access_to(org_id)
        invitation_revoke(membership=_member(access, member_id))
        return Response({"success": True, "message": "Invitation revoked"})


class InvitationResendView(OrganizationScopedView):
    access = {"POST": Need(Role.ADMIN, "admin")}

    @extend_schema(
        operation_id="teams_invitation_resend",
        request=None,
        description="Emails a new token valid for 7 days; the previous token stops working.",
        responses={200: InvitationResendResponseSerializer, **errors(400, 401, 403, 404, 502)},
        tags=TAGS,
    )
    def post(self, request: Request, org_id: UUID, member_id: UUID) -> Response:
        access = self.access_to(org_id)
        membership = _member(access, member_id)
        invitation = invitation_resend(membership=membership, invited_by=request.user)
        return Response(
            {
                "success": True,
                "message": f"Invitation resent to {membership.email}",
                "expires_at": invitation.expires_at,
            }
        )


class InvitationAcceptView(APIView):
    permission_classes = [DeclaredScopes]
    # Joining is a person's act: the token's email must be the signed-in person's.
    access = {"POST": Scopes()}
    # Invitation tokens are guessable only by brute force: the reference's Authentication limit (20/min).
    rate_limit_category = "auth"

    @extend_schema(
        operation_id="invitations_accept",
        request=InvitationAcceptSerializer,
        description=(
            "Accepts an invitation with the token from the email. The caller's JWT email must match the invited "
            "address (case-insensitive); the pending member becomes active with the caller's `user_id`. "
            "A token works once; expired, revoked or superseded tokens are refused (400 with `code`)."
        ),
        responses={200: InvitationAcceptResponseSerializer, **errors(400, 401, 403, 404, 409, 422)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = invitation_accept(token=serializer.validated_data["token"], profile=request.user)
        return Response(
            {
                "success": True,
                "message": f"You joined {membership.organization.name} as {membership.role}",
                "organization_id": membership.organization_id,
                "member": MemberSerializer(membership).data,
            }
        )
