"""Projects (list, create, read, update, delete) and the caller's default organization and project."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import ProfileSerializer
from accounts.permissions import DeclaredScopes, Scopes
from argus.errors import NotFound
from organizations.access import Access, Need, OrganizationScopedView, request_api_key
from organizations.api.common import errors
from organizations.api.serializers import SuccessSerializer
from organizations.roles import Role
from organizations.selectors import organization_ids_of_profile
from projects.api.serializers import (
    DefaultOrganizationSerializer,
    ProjectCreateSerializer,
    ProjectListQuerySerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
)
from projects.models import Project
from projects.selectors import project_in_organization, project_organization_id, projects_of_organizations
from projects.services import default_organization_set, project_create, project_delete, project_update

TAGS = ["projects"]
READ = Need(Role.VIEWER, "read")
MANAGE = Need(Role.ADMIN, "write")


class ProjectsView(OrganizationScopedView):
    access = {"GET": READ, "POST": MANAGE}

    @extend_schema(
        operation_id="projects_list",
        parameters=[OpenApiParameter("organization_id", UUID, description="Only this organization's projects")],
        description="Without `organization_id`: the projects of every organization the caller belongs to.",
        responses={200: ProjectSerializer(many=True), **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = ProjectListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization_id = query.validated_data.get("organization_id")
        key = request_api_key(request)
        if organization_id is not None:
            organization_ids = [self.access_to(organization_id).organization.pk]
        elif key is not None:
            organization_ids = [key.organization_id]
        else:
            organization_ids = list(organization_ids_of_profile(profile=request.user))
        projects = projects_of_organizations(organization_ids=organization_ids)
        return Response(ProjectSerializer(projects, many=True).data)

    @extend_schema(
        operation_id="projects_create",
        request=ProjectCreateSerializer,
        description="Creates a project (admin or owner). `config.browser` can only be `chromium`.",
        responses={201: ProjectSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = ProjectCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        access = self.access_to(data["organization_id"])
        project = project_create(
            organization=access.organization,
            created_by=request.user,
            name=data["name"],
            description=data.get("description", ""),
            app_url=data["app_url"],
            config=data.get("config"),
        )
        return Response(ProjectSerializer(project).data, status=201)


class ProjectDetailView(OrganizationScopedView):
    access = {"GET": READ, "PUT": MANAGE, "PATCH": MANAGE, "DELETE": MANAGE}

    def project_access(self, project_id: UUID) -> tuple[Access, Project]:
        """The project as the caller may act on it: 404 (never its data) outside their organizations."""
        organization_id = project_organization_id(project_id=project_id)
        if organization_id is None:
            raise NotFound("Project not found")
        try:
            access = self.access_to(organization_id)
        except NotFound as exc:
            raise NotFound("Project not found") from exc
        project = project_in_organization(organization_id=organization_id, project_id=project_id)
        if project is None:  # deleted between the two reads
            raise NotFound("Project not found")
        return access, project

    @extend_schema(
        operation_id="projects_get",
        responses={200: ProjectSerializer, **errors(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        _, project = self.project_access(project_id)
        return Response(ProjectSerializer(project).data)

    def _update(self, request: Request, project_id: UUID, *, partial: bool) -> Response:
        _, project = self.project_access(project_id)
        serializer = ProjectUpdateSerializer(data=request.data, partial=partial, context={"project": project})
        serializer.is_valid(raise_exception=True)
        project = project_update(project=project, fields=serializer.validated_data)
        return Response(ProjectSerializer(project).data)

    @extend_schema(
        operation_id="projects_update",
        request=ProjectUpdateSerializer,
        responses={200: ProjectSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def put(self, request: Request, project_id: UUID) -> Response:
        return self._update(request, project_id, partial=False)

    @extend_schema(
        operation_id="projects_partial_update",
        request=ProjectUpdateSerializer,
        responses={200: ProjectSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def patch(self, request: Request, project_id: UUID) -> Response:
        return self._update(request, project_id, partial=True)

    @extend_schema(
        operation_id="projects_delete",
        description="Deletes the project with its tests and runs.",
        responses={200: SuccessSerializer, **errors(401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request: Request, project_id: UUID) -> Response:
        _, project = self.project_access(project_id)
        name = project_delete(project=project)
        return Response({"success": True, "message": f"Project '{name}' has been deleted"})


class DefaultOrganizationView(APIView):
    """Lives here rather than in accounts or organizations: checking the project needs the projects app."""

    permission_classes = [DeclaredScopes]
    access = {"POST": Scopes()}

    @extend_schema(
        operation_id="users_me_default_organization",
        request=DefaultOrganizationSerializer,
        responses={200: ProfileSerializer, **errors(401, 403, 404, 422)},
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        serializer = DefaultOrganizationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = default_organization_set(
            profile=request.user,
            organization_id=serializer.validated_data["organization_id"],
            project_id=serializer.validated_data["project_id"],
        )
        return Response(ProfileSerializer(profile).data)
