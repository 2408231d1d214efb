"""Writes for projects (`<entity>_<verb>`, keyword-only). Test definitions: projects/test_definitions.py."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction

from accounts.models import UserProfile
from accounts.services import profile_set_defaults, profiles_forget_project
from argus.errors import Forbidden, NotFound
from organizations.billing.limits import enforce_plan_limit
from organizations.models import Organization
from organizations.selectors import active_membership
from projects.models import Project, default_project_config
from projects.selectors import project_in_organization

UPDATABLE_FIELDS = frozenset({"name", "description", "app_url", "config"})


def project_config_merge(base: dict[str, Any], update: dict[str, Any] | None) -> dict[str, Any]:
    """`update` over `base`, one level deep: {"viewport": {"width": 800}} keeps the base's height."""
    merged = dict(base)
    for name, value in (update or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def project_config_complete(config: dict[str, Any] | None) -> dict[str, Any]:
    """A validated (possibly partial) config over the defaults, so every project has browser and viewport."""
    return project_config_merge(default_project_config(), config)


def project_create(
    *,
    organization: Organization,
    created_by: UserProfile | None,
    name: str,
    app_url: str,
    config: dict[str, Any] | None = None,
    description: str = "",
) -> Project:
    with transaction.atomic():
        # Lock the organization so two concurrent creates cannot both squeeze under the plan's limit.
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        enforce_plan_limit(
            organization=organization,
            limit="projects",
            current=Project.objects.filter(organization=organization).count(),
        )
        return Project.objects.create(
            organization=organization,
            created_by=created_by,
            name=name,
            description=description,
            app_url=app_url,
            config=project_config_complete(config),
        )


def project_update(*, project: Project, fields: dict[str, Any]) -> Project:
    changes = {name: value for name, value in fields.items() if name in UPDATABLE_FIELDS}
    if "config" in changes:
        # Omitted config keys keep their value, as omitted fields do (PATCH, and PUT without them).
        current = project_config_complete(project.config)
        changes["config"] = project_config_merge(current, changes["config"])
    for name, value in changes.items():
        setattr(project, name, value)
    project.save(update_fields=[*sorted(changes), "updated_at"])
    return project


def project_delete(*, project: Project) -> str:
    """Delete the project with its tests and runs; returns its name for the confirmation message."""
    name = project.name
    with transaction.atomic():
        profiles_forget_project(project_id=project.pk)
        project.delete()
    return name


def default_organization_set(*, profile: UserProfile, organization_id: UUID, project_id: UUID | None) -> UserProfile:
    """Point the profile at one of its organizations (403 otherwise) and optionally a project in it (404)."""
    if active_membership(profile=profile, organization_id=organization_id) is None:
        raise Forbidden("You do not have access to this organization", code="no_access")
    if (
        project_id is not None
        and project_in_organization(organization_id=organization_id, project_id=project_id) is None
    ):
        raise NotFound("Project not found in this organization")
    return profile_set_defaults(profile=profile, organization_id=organization_id, project_id=project_id)
