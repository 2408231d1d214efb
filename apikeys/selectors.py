from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from apikeys.models import APIKey
from organizations.models import Organization


def api_keys_of_organization(*, organization: Organization, include_revoked: bool) -> QuerySet[APIKey]:
    keys = APIKey.objects.filter(organization=organization).order_by("-created_at")
    if not include_revoked:
        # A key in a rotation's grace period is not revoked yet: it still works and is listed.
        keys = keys.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=timezone.now()))
    return keys


def api_key_get(*, organization: Organization, key_id: UUID | str) -> APIKey | None:
    return APIKey.objects.filter(organization=organization, pk=key_id).first()
