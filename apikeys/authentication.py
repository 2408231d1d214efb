from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import UserProfile
from apikeys.models import APIKey
from apikeys.services import api_key_authenticate

HEADER = "HTTP_X_API_KEY"


class APIKeyAuthentication(BaseAuthentication):
    """`X-API-Key: argus_sk_...`. request.user is the key's creator, request.auth the key itself.

    A key acts only inside its own organization (enforced by organizations.access).
    """

    def authenticate(self, request: Request) -> tuple[UserProfile, APIKey] | None:
        raw = request.META.get(HEADER)
        if not raw:
            return None
        return self.authenticate_key(raw.strip())

    @staticmethod
    def authenticate_key(raw: str) -> tuple[UserProfile, APIKey]:
        key = api_key_authenticate(raw_key=raw)
        if key is None:
            raise AuthenticationFailed("Invalid, expired or revoked API key")
        if key.created_by is None:
            raise AuthenticationFailed("This API key's creator no longer exists; rotate or create a new key")
        return key.created_by, key

    def authenticate_header(self, request: Request) -> str:
        return "X-API-Key"
