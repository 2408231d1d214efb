"""Scope checks for API keys, declared on views.

A view declares, per HTTP method, what it needs in an `access` mapping whose values carry `scopes`
(organizations.access.Need adds the least role). An API key without one of those scopes is refused
before the view runs; a method declared with no scopes is for people only (a user's token).

This lives in accounts, the bottom of the dependency chain, so the users/me views can declare their
needs too. It does not import apikeys: a key is recognised by the `scopes` its authentication puts in
`request.auth` (a JWT's `request.auth` has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from argus.errors import Forbidden


@dataclass(frozen=True)
class Scopes:
    """What an API key needs for one method: any one of `scopes`; none means people only."""

    scopes: tuple[str, ...]

    def __init__(self, *scopes: str) -> None:
        object.__setattr__(self, "scopes", scopes)


def key_scopes(request: Request) -> list[str] | None:
    """The scopes of the API key behind this request, or None when a person's token authenticated it."""
    scopes: Any = getattr(request.auth, "scopes", None)
    return list(scopes) if isinstance(scopes, list | tuple) else None


def declared_need(request: Request, view: APIView) -> Any:
    return getattr(view, "access", {}).get(request.method)


class DeclaredScopes(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.user is None:
            return False
        scopes = key_scopes(request)
        need = declared_need(request, view)
        if scopes is None or need is None:
            return True
        if not need.scopes:
            raise Forbidden("API keys cannot use this endpoint; use a user's token", code="user_token_required")
        if not any(scope in scopes for scope in need.scopes):
            wanted = " or ".join(f"'{s}'" for s in need.scopes)
            raise Forbidden(f"This API key lacks the {wanted} scope", code="insufficient_scope")
        return True
