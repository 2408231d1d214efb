"""Tests (test definitions) of a project: list/create under the project, read/update/delete by id."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from argus.errors import NotFound
from argus.openapi import error_responses
from organizations.access import Access, Need, OrganizationScopedView
from organizations.roles import Role
from projects import test_definitions as tests_service
from projects.models import Project, TestDefinition

READ = Need(Role.VIEWER, "read")
WRITE = Need(Role.MEMBER, "write")

# Not a pytest module despite its name (python_files = test_*.py).
__test__ = False


class StepField(serializers.JSONField):
    """A step: a plain-English string or {"action", "target", "value"}; checked by the engine's parser."""


class TestDefinitionSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=30, required=False)
    steps = serializers.ListField(child=StepField(), allow_empty=False)
    created_by = serializers.CharField(source="created_by.user_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = TestDefinition
        fields = [
            "id",
            "project_id",
            "name",
            "description",
            "tags",
            "priority",
            "is_active",
            "steps",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "project_id", "created_by", "created_at", "updated_at"]
        extra_kwargs = {"name": {"min_length": 1, "max_length": 200}, "description": {"max_length": 5000}}


class DeletedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


def _parse_bool(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no"}:
        return False
    raise serializers.ValidationError({name: ["Must be true or false"]})


class _TestAccessMixin(OrganizationScopedView):
    def project_access(self, project_id: UUID) -> tuple[Access, Project]:
        org_id = tests_service.project_organization_id(project_id=project_id)
        if org_id is None:
            raise NotFound("Project not found")
        try:
            access = self.access_to(org_id)
        except NotFound as exc:
            raise NotFound("Project not found") from exc
        return access, tests_service.project_get(organization=access.organization, project_id=project_id)

    def test_access(self, test_id: UUID) -> tuple[Access, TestDefinition]:
        org_id = tests_service.test_organization_id(test_id=test_id)
        if org_id is None:
            raise NotFound("Test not found")
        try:
            access = self.access_to(org_id)
        except NotFound as exc:
            raise NotFound("Test not found") from exc
        return access, tests_service.test_definition_get(organization=access.organization, test_id=test_id)


class ProjectTestsView(_TestAccessMixin):
    access = {"GET": READ, "POST": WRITE}

    @extend_schema(
        operation_id="list_project_tests",
        summary="List tests of a project",
        parameters=[
            OpenApiParameter("active", bool, description="Only active (true) or inactive (false) tests"),
            OpenApiParameter("tag", str, description="Only tests with this tag (case-insensitive)"),
        ],
        responses={200: TestDefinitionSerializer(many=True), **error_responses(403, 404, 422)},
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        access, project = self.project_access(project_id)
        tests = tests_service.test_definition_list(
            organization=access.organization,
            project=project,
            active=_parse_bool(request.query_params.get("active"), "active"),
            tag=request.query_params.get("tag") or None,
        )
        return Response(TestDefinitionSerializer(tests, many=True).data)

    @extend_schema(
        operation_id="create_project_test",
        summary="Create a test",
        description="Each step is plain English or {action, target, value}; a step Argus cannot read is a 400 "
        "naming its number and why.",
        request=TestDefinitionSerializer,
        responses={201: TestDefinitionSerializer, **error_responses(400, 403, 404, 422)},
    )
    def post(self, request: Request, project_id: UUID) -> Response:
        access, project = self.project_access(project_id)
        serializer = TestDefinitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        creator = request.user if access.api_key is None else None
        test = tests_service.test_definition_create(project=project, created_by=creator, **serializer.validated_data)
        return Response(TestDefinitionSerializer(test).data, status=status.HTTP_201_CREATED)


class TestDefinitionView(_TestAccessMixin):
    __test__ = False  # not a pytest test class
    access = {"GET": READ, "PUT": WRITE, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(
        operation_id="get_test",
        summary="Get a test",
        responses={200: TestDefinitionSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, test_id: UUID) -> Response:
        _, test = self.test_access(test_id)
        return Response(TestDefinitionSerializer(test).data)

    def _update(self, request: Request, test_id: UUID, *, partial: bool) -> Response:
        _, test = self.test_access(test_id)
        serializer = TestDefinitionSerializer(test, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields: dict[str, Any] = dict(serializer.validated_data)
        test = tests_service.test_definition_update(test=test, **fields)
        return Response(TestDefinitionSerializer(test).data)

    @extend_schema(
        operation_id="replace_test",
        summary="Replace a test",
        request=TestDefinitionSerializer,
        responses={200: TestDefinitionSerializer, **error_responses(400, 403, 404, 422)},
    )
    def put(self, request: Request, test_id: UUID) -> Response:
        return self._update(request, test_id, partial=False)

    @extend_schema(
        operation_id="update_test",
        summary="Update some fields of a test",
        request=TestDefinitionSerializer,
        responses={200: TestDefinitionSerializer, **error_responses(400, 403, 404, 422)},
    )
    def patch(self, request: Request, test_id: UUID) -> Response:
        return self._update(request, test_id, partial=True)

    @extend_schema(
        operation_id="delete_test",
        summary="Delete a test",
        description="Past runs keep their results (with the test's name).",
        responses={200: DeletedSerializer, **error_responses(403, 404)},
    )
    def delete(self, request: Request, test_id: UUID) -> Response:
        _, test = self.test_access(test_id)
        tests_service.test_definition_delete(test=test)
        return Response({"success": True, "message": "Test deleted"})
