from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apikeys.api.serializers import (
    APIKeyCreatedSerializer,
    APIKeyCreateSerializer,
    APIKeyRotatedSerializer,
    APIKeyRotateSerializer,
    APIKeySerializer,
    IncludeRevokedSerializer,
)
from apikeys.models import APIKey
from apikeys.selectors import api_key_get, api_keys_of_organization
from apikeys.services import api_key_create, api_key_revoke, api_key_rotate
from argus.errors import Forbidden, NotFound
from organizations.access import Access, Need, OrganizationScopedView, request_api_key
from organizations.api.common import errors
from organizations.api.serializers import SuccessSerializer
from organizations.roles import Role

TAGS = ["api-keys"]
MANAGE = Need(Role.ADMIN, "admin")


def _key(access: Access, key_id: UUID) -> APIKey:
    key = api_key_get(organization=access.organization, key_id=key_id)
    if key is None:
        raise NotFound("API key not found")
    return key


class APIKeysView(OrganizationScopedView):
    access = {"GET": MANAGE, "POST": MANAGE}
    # The reference's "API Key Creation" rate-limit category (10 an hour) applies to creating keys.
    rate_limit_category = {"POST": "api_key_creation"}

    @extend_schema(
        operation_id="api_keys_list",
        parameters=[
            OpenApiParameter("include_revoked", bool, description="Include revoked keys (default false)"),
        ],
        responses={200: APIKeySerializer(many=True), **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def get(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        query = IncludeRevokedSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        keys = api_keys_of_organization(
            organization=access.organization, include_revoked=query.validated_data["include_revoked"]
        )
        return Response(APIKeySerializer(keys, many=True).data)

    @extend_schema(
        operation_id="api_keys_create",
        request=APIKeyCreateSerializer,
        description="Creates a key `argus_sk_...`; the `key` field is returned only in this response.",
        responses={201: APIKeyCreatedSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def post(self, request: Request, org_id: UUID) -> Response:
        access = self.access_to(org_id)
        serializer = APIKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        caller_key = request_api_key(request)
        if caller_key is not None and not set(data["scopes"]) <= set(caller_key.scopes):
            # A key may hand out only what it holds, or any leaked admin key could mint broader ones.
            raise Forbidden("An API key cannot create a key with scopes it does not have", code="scope_escalation")
        days = data["expires_in_days"]
        key, raw = api_key_create(
            organization=access.organization,
            created_by=request.user,
            name=data["name"],
            scopes=data["scopes"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        return Response(APIKeyCreatedSerializer(key, context={"raw_key": raw}).data, status=201)


class APIKeyDetailView(OrganizationScopedView):
    access = {"DELETE": MANAGE}

    @extend_schema(
        operation_id="api_keys_revoke",
        responses={200: SuccessSerializer, **errors(401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request: Request, org_id: UUID, key_id: UUID) -> Response:
        access = self.access_to(org_id)
        api_key_revoke(key=_key(access, key_id))
        return Response({"success": True, "message": "API key revoked"})


class APIKeyRotateView(OrganizationScopedView):
    access = {"POST": MANAGE}
    rate_limit_category = {"POST": "api_key_creation"}

    @extend_schema(
        operation_id="api_keys_rotate",
        request=APIKeyRotateSerializer,
        description=(
            "Creates a new key with the same scopes and expiry and revokes the old one. With "
            "`grace_period_minutes` (0-1440) the old key keeps working that long."
        ),
        responses={200: APIKeyRotatedSerializer, **errors(400, 401, 403, 404, 422)},
        tags=TAGS,
    )
    def post(self, request: Request, org_id: UUID, key_id: UUID) -> Response:
        access = self.access_to(org_id)
        old = _key(access, key_id)
        serializer = APIKeyRotateSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        grace = serializer.validated_data["grace_period_minutes"]
        new_key, raw = api_key_rotate(key=old, rotated_by=request.user, grace_period_minutes=grace)
        message = "Key rotated successfully. The old key has been revoked."
        if grace:
            message = f"Key rotated successfully. The old key stays valid for {grace} more minutes."
        return Response(
            {
                "old_key_id": old.pk,
                "new_key": APIKeyCreatedSerializer(new_key, context={"raw_key": raw}).data,
                "message": message,
            }
        )
