from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import NotificationPreferencesSerializer, ProfileSerializer, ProfileUpdateSerializer
from accounts.permissions import DeclaredScopes, Scopes
from accounts.services import profile_update, profile_update_preferences
from argus.openapi import error_response, error_responses

ERRORS = {
    401: error_response(401),
    403: error_response(403, "An API key without the needed scope, or an API key where a person is needed"),
}
VALIDATION = error_responses(422)


class MeView(APIView):
    """The authenticated person's profile; with an API key, the profile of the key's creator."""

    permission_classes = [DeclaredScopes]
    # Changing a person's profile is for that person, not for a CI key acting on their behalf.
    access = {"GET": Scopes("read"), "PUT": Scopes()}

    @extend_schema(operation_id="users_me_get", responses={200: ProfileSerializer, **ERRORS}, tags=["users"])
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(
        operation_id="users_me_update",
        request=ProfileUpdateSerializer,
        responses={200: ProfileSerializer, **ERRORS, **VALIDATION},
        tags=["users"],
    )
    def put(self, request: Request) -> Response:
        serializer = ProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = profile_update(profile=request.user, fields=serializer.validated_data)
        return Response(ProfileSerializer(profile).data)


class PreferencesView(APIView):
    permission_classes = [DeclaredScopes]
    access = {"PUT": Scopes()}

    @extend_schema(
        operation_id="users_me_preferences_update",
        request=NotificationPreferencesSerializer,
        responses={200: ProfileSerializer, **ERRORS, **VALIDATION},
        tags=["users"],
    )
    def put(self, request: Request) -> Response:
        serializer = NotificationPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = profile_update_preferences(profile=request.user, preferences=dict(serializer.validated_data))
        return Response(ProfileSerializer(profile).data)
