"""Reads of projects, always inside organizations the caller belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from projects.models import Project


def projects_of_organizations(*, organization_ids: Iterable[UUID | str]) -> QuerySet[Project]:
    return Project.objects.filter(organization_id__in=list(organization_ids)).order_by("created_at")


def project_organization_id(*, project_id: UUID | str) -> UUID | None:
    """Which organization a project is in, to check the caller's access before reading it."""
    return Project.objects.filter(pk=project_id).values_list("organization_id", flat=True).first()


def project_in_organization(*, organization_id: UUID | str, project_id: UUID | str) -> Project | None:
    return Project.objects.filter(organization_id=organization_id, pk=project_id).first()
