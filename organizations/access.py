"""Who may do what inside an organization, declared on each view.

A view lists, per HTTP method, the least role a member needs and the API-key scopes that allow it:

    access = {"GET": Need(Role.VIEWER, "read"), "DELETE": Need(Role.OWNER, "admin")}

`DeclaredScopes` (a DRF permission, from accounts.permissions) refuses an API key without the scope
before any lookup (a `Need` with no scopes is for people only);
`organization_access()` finds the organization as the caller may see it (404 otherwise) and checks
the role (403). An API key counts as an admin of its own organization, never as its owner, and sees
no other organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.permissions import DeclaredScopes, declared_need
from apikeys.models import APIKey
from argus.errors import Forbidden, NotFound
from organizations.models import Membership, Organization
from organizations.roles import Role, role_at_least
from organizations.selectors import active_membership

API_KEY_ROLE = Role.ADMIN

__all__ = [
    "API_KEY_ROLE",
    "Access",
    "DeclaredScopes",
    "Need",
    "OrganizationScopedView",
    "declared_need",
    "organization_access",
    "request_api_key",
]


@dataclass(frozen=True)
class Need:
    role: str
    scopes: tuple[str, ...]

    def __init__(self, role: str, *scopes: str) -> None:
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "scopes", scopes)


@dataclass(frozen=True)
class Access:
    organization: Organization
    role: str
    membership: Membership | None
    api_key: APIKey | None


def request_api_key(request: Request) -> APIKey | None:
    return request.auth if isinstance(request.auth, APIKey) else None


def organization_access(request: Request, organization_id: UUID | str, *, need: Need) -> Access:
    """The organization as the caller may act on it; 404 when not theirs, 403 when the role is too low."""
    key = request_api_key(request)
    if key is not None:
        if str(key.organization_id) != str(organization_id):
            raise NotFound("Organization not found")
        access = Access(organization=key.organization, role=API_KEY_ROLE, membership=None, api_key=key)
    else:
        membership = active_membership(profile=request.user, organization_id=organization_id)
        if membership is None:
            raise NotFound("Organization not found")
        access = Access(organization=membership.organization, role=membership.role, membership=membership, api_key=None)
    if not role_at_least(access.role, need.role):
        who = "API keys" if key is not None else f"The {access.role} role"
        raise Forbidden(f"{who} cannot do this; it requires the {need.role} role", code="insufficient_role")
    return access


class OrganizationScopedView(APIView):
    """Base for views inside one organization: declare `access`, then call `self.access_to(org_id)`."""

    permission_classes = [DeclaredScopes]
    access: dict[str, Need] = {}

    def access_to(self, organization_id: UUID | str) -> Access:
        need = self.access.get(self.request.method)
        if need is None:
            raise Forbidden("Access for this method is not declared")
        return organization_access(self.request, organization_id, need=need)
