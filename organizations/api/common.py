"""What the organization-scoped views share: the caller's organizations, and the documented errors."""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from argus.openapi import error_response
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


# Descriptions particular to these endpoints; the rest are argus.openapi's standard ones.
DESCRIPTIONS = {
    400: "A business rule refused the request (the detail and `code` say which)",
    403: "The role or the API key's scopes do not allow this, or a plan limit is reached",
    404: "No such object in an organization the caller belongs to",
    502: "An email could not be sent; nothing was changed",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error responses of an operation, all in the one error shape."""
    return {status: error_response(status, DESCRIPTIONS.get(status)) for status in statuses}
