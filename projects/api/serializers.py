from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from accounts.api.serializers import StrictFieldsMixin
from projects.models import Project

SUPPORTED_BROWSERS = ["chromium"]


class ViewportSerializer(StrictFieldsMixin, serializers.Serializer):
    width = serializers.IntegerField(min_value=320, max_value=3840)
    height = serializers.IntegerField(min_value=240, max_value=2160)


class ProjectConfigSerializer(StrictFieldsMixin, serializers.Serializer):
    browser = serializers.ChoiceField(
        choices=SUPPORTED_BROWSERS,
        required=False,
        error_messages={"invalid_choice": "'{input}' is not supported: Argus runs tests in chromium only."},
    )
    viewport = ViewportSerializer(required=False)


class ProjectSerializer(serializers.ModelSerializer):
    organization_id = serializers.UUIDField(read_only=True)
    config = ProjectConfigSerializer(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "organization_id", "name", "description", "app_url", "config", "created_at", "updated_at"]
        read_only_fields = fields


class _ProjectFieldsSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=100)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    app_url = serializers.URLField(max_length=2000)
    config = ProjectConfigSerializer(required=False)

    def validate_app_url(self, value: str) -> str:
        if urlsplit(value).scheme.lower() not in {"http", "https"}:
            raise serializers.ValidationError("Enter an http:// or https:// URL.")
        return value


class ProjectCreateSerializer(_ProjectFieldsSerializer):
    organization_id = serializers.UUIDField()


class ProjectUpdateSerializer(_ProjectFieldsSerializer):
    """PUT: name and app_url required; PATCH (partial=True): any subset. Omitted fields keep their value.

    The read-only fields of a project may be echoed back (GET, edit, PUT) as long as they are unchanged.
    """

    tolerated_fields = frozenset({"id", "organization_id", "created_at", "updated_at"})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        project: Project = self.context["project"]
        sent = self.initial_data.get("organization_id") if isinstance(self.initial_data, dict) else None
        if sent is not None and str(sent).strip().lower() != str(project.organization_id):
            raise serializers.ValidationError({"organization_id": ["A project cannot move to another organization."]})
        return attrs


class ProjectListQuerySerializer(serializers.Serializer):
    organization_id = serializers.UUIDField(required=False)


class DefaultOrganizationSerializer(StrictFieldsMixin, serializers.Serializer):
    organization_id = serializers.UUIDField()
    project_id = serializers.UUIDField(required=False, allow_null=True, default=None)
