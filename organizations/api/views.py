from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import DeclaredScopes, Scopes
from argus.errors import Forbidden
from organizations.access import Need, OrganizationScopedView
from organizations.api.common import callers_organizations, errors
from organizations.api.serializers import (
    OrganizationCreateSerializer,
    OrganizationListItemSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    SuccessSerializer,
    TransferResponseSerializer,
    TransferSerializer,
    UserOrganizationSerializer,
)
from organizations.roles import Role
from organizations.selectors import organization_get
from organizations.services import (
    organization_create,
    organization_delete,
    organization_transfer_ownership,
    organization_update,
)


class OrganizationsView(APIView):
    permission_classes = [DeclaredScopes]
    # A key acts inside its own organization only, so creating another one is for people.
    access = {"GET": Scopes("read"), "POST": Scopes()}

    @extend_schema(
        operation_id="organizations_list",
        responses={200: OrganizationListItemSerializer(many=True), **errors(401, 403)},
        tags=["organizations"],
    )
    def get(self, request: Request) -> Response:
        return Response(OrganizationListItemSerializer(callers_organizations(request), many=True).data)

    @extend_schema(
        operation_id="organizations_create",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer, **errors(401, 403, 422)},
        tags=["organizations"],
    )
    def post(self, request: Request) -> Response:
        serializer = OrganizationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = organization_create(name=serializer.validated_data["name"], creator=request.user)
        return Response(OrganizationSerializer(organization).data, status=201)


class OrganizationDetailView(OrganizationScopedView):
    access = {
        "GET": Need(Role.VIEWER, "read"),
        "PUT": Need(Role.ADMIN, "admin"),
        "DELETE": Need(Role.OWNER, "admin"),
    }

    @extend_schema(
        operation_id="organizations_get",
        responses={200: OrganizationSerializer, **errors(401, 403, 404)},
        tags=["organizations"],
    )
    def get(self, request: Request, org_id: UUID) -> Response:
        self.access_to(org_id)
        return Response(OrganizationSerializer(organization_get(organization_id=org_id)).data)

    @extend_schema(
        operation_id="organizations_update",
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationSerializer, **errors(401, 403, 404, 422)},
        tags=["organizations"],
    )
    def put(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        serializer = OrganizationUpdateSerializer(data=request.data, context={"organization": access.organization})
        serializer.is_valid(raise_exception=True)
        organization = organization_update(organization=access.organization, fields=serializer.validated_data)
        return Response(OrganizationSerializer(organization).data)

    @extend_schema(
        operation_id="organizations_delete",
        description="Deletes the organization and everything in it. Its Stripe subscriptions are cancelled "
        "first; when Stripe cannot cancel them the answer is 502 and nothing is deleted.",
        responses={200: SuccessSerializer, **errors(401, 403, 404, 502, 503)},
        tags=["organizations"],
    )
    def delete(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        name = organization_delete(organization=access.organization)
        return Response({"success": True, "message": f"Organization '{name}' has been deleted"})


class TransferOwnershipView(OrganizationScopedView):
    access = {"POST": Need(Role.OWNER, "admin")}

    @extend_schema(
        operation_id="organizations_transfer",
        request=TransferSerializer,
        responses={200: TransferResponseSerializer, **errors(400, 401, 403, 404, 422)},
        tags=["organizations"],
    )
    def post(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if access.membership is None:  # unreachable today: API keys never rank as owners
            raise Forbidden("Only the owner can transfer ownership")
        new_owner = organization_transfer_ownership(
            organization=access.organization,
            owner=access.membership,
            new_owner_user_id=serializer.validated_data["new_owner_user_id"],
        )
        return Response(
            {
                "success": True,
                "message": "Ownership transferred successfully",
                "new_owner_id": new_owner.user_id,
                "previous_owner_role": access.membership.role,
            }
        )


class UserOrganizationsView(APIView):
    permission_classes = [DeclaredScopes]
    access = {"GET": Scopes("read")}

    @extend_schema(
        operation_id="users_me_organizations",
        responses={200: UserOrganizationSerializer(many=True), **errors(401, 403)},
        tags=["users"],
    )
    def get(self, request: Request) -> Response:
        return Response(UserOrganizationSerializer(callers_organizations(request), many=True).data)
