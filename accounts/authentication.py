from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.jwt import TokenInvalid, verify_token
from accounts.models import UserProfile
from accounts.services import profile_for_identity


class JWTAuthentication(BaseAuthentication):
    """`Authorization: Bearer <JWT>`; the profile is created on first sight (GET users/me auto-creates)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[UserProfile, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Invalid Authorization header: expected 'Bearer <token>'")
        return self.authenticate_token(header[1].decode("latin-1"))

    @staticmethod
    def authenticate_token(token: str) -> tuple[UserProfile, Any]:
        try:
            verified = verify_token(token)
        except TokenInvalid as exc:
            raise AuthenticationFailed(str(exc)) from exc
        return profile_for_identity(user_id=verified.user_id, email=verified.email), verified

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
