"""What the organization-scoped views share: the caller's organizations, and the documented errors."""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from organizations.access import API_KEY_ROLE, request_api_key
from organizations.models import Organization
from organizations.selectors import memberships_of_profile, organization_get


@dataclass(frozen=True)
class RoleInOrganization:
    organization: Organization
    role: str
    is_default: bool


def callers_organizations(request: Request) -> list[RoleInOrganization]:
    """The organizations the caller can act in: a person's memberships, or an API key's own organization."""
    default_id = request.user.default_organization_id
    key = request_api_key(request)
    if key is not None:
        organization = organization_get(organization_id=key.organization_id)
        return [RoleInOrganization(organization, API_KEY_ROLE, organization.pk == default_id)]
    return [
        RoleInOrganization(m.organization, m.role, m.organization_id == default_id)
        for m in memberships_of_profile(profile=request.user)
    ]


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "A business rule refused the request (the detail says which)",
        401: "Missing, invalid, expired or revoked credentials",
        403: "The role or the API key's scopes do not allow this, or a plan limit is reached",
        404: "No such object in an organization the caller belongs to",
        409: "The request conflicts with the current state",
        422: "Validation error; `errors` maps each field to its messages",
        502: "An email could not be sent; nothing was changed",
    }
    return {code: OpenApiResponse(description=descriptions[code]) for code in codes}
