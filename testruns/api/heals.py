"""Heals of a project: list them, read one, accept one (the test is updated) or reject one (remembered)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from argus.openapi import error_responses
from organizations.access import Access, Need
from organizations.roles import Role
from projects import test_definitions as project_selectors
from testruns import heals
from testruns.api.views import Page, _RunsView
from testruns.models import Heal

READ = Need(Role.VIEWER, "read")
DECIDE = Need(Role.MEMBER, "write")  # accepting a heal changes a test definition


class CandidateSerializer(serializers.Serializer):
    score = serializers.FloatField()
    locator = serializers.CharField(allow_null=True)
    element = serializers.DictField(help_text="tag, id, text, role, accessible name... of the candidate")


class DeciderSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["user", "api_key"])
    id = serializers.CharField()


class HealSerializer(serializers.ModelSerializer):
    project_id = serializers.UUIDField()
    test_id = serializers.UUIDField()
    test_name = serializers.CharField(source="test.name")
    run_id = serializers.UUIDField()
    step = serializers.SerializerMethodField(help_text="1-based, as in events")
    chosen = serializers.SerializerMethodField(help_text="The healed element (a summary of its fingerprint)")
    top = serializers.SerializerMethodField(help_text="The healer's best three candidates with their scores")
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Heal
        fields = [
            "id",
            "project_id",
            "test_id",
            "test_name",
            "run_id",
            "step_index",
            "step",
            "old_step",
            "old_target",
            "new_locator",
            "score",
            "runner_up_score",
            "reason",
            "chosen",
            "top",
            "screenshot_url",
            "status",
            "decided_by",
            "decided_at",
            "created_at",
        ]

    def get_step(self, obj: Heal) -> int:
        return obj.step_index + 1

    @extend_schema_field(serializers.DictField())
    def get_chosen(self, obj: Heal) -> dict[str, Any]:
        return heals.chosen_summary(obj.chosen or {})

    @extend_schema_field(CandidateSerializer(many=True))
    def get_top(self, obj: Heal) -> list[dict[str, Any]]:
        return [
            {"score": c.get("score", 0.0), "locator": c.get("locator"), "element": heals.chosen_summary(c)}
            for c in obj.top or []
        ]

    @extend_schema_field(DeciderSerializer(allow_null=True))
    def get_decided_by(self, obj: Heal) -> dict[str, str] | None:
        if obj.decided_by_api_key_id:
            return {"type": "api_key", "id": str(obj.decided_by_api_key_id)}
        if obj.decided_by_id:
            return {"type": "user", "id": obj.decided_by.user_id}
        return None


class HealPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HealSerializer(many=True)


class _HealsView(_RunsView):
    def heal_for(self, heal_id: UUID) -> tuple[Access, Heal]:
        access = self.access_via(lambda: heals.heal_organization_id(heal_id=heal_id), "Heal")
        return access, heals.heal_get(organization=access.organization, heal_id=heal_id)

    def decider(self, access: Access) -> dict[str, Any]:
        if access.api_key is not None:
            return {"decided_by": None, "api_key": access.api_key}
        return {"decided_by": self.request.user, "api_key": None}


class ProjectHealsView(_HealsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="list_project_heals",
        summary="List heals of a project (newest first)",
        description="Every step a run healed, with the old target, the new locator, the scores and a screenshot "
        "with the element outlined. A test never changes until a heal is accepted.",
        parameters=[
            OpenApiParameter("status", str, enum=list(Heal.Status.values)),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: HealPageSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        access = self.access_via(lambda: project_selectors.project_organization_id(project_id=project_id), "Project")
        project = project_selectors.project_get(organization=access.organization, project_id=project_id)
        rows = heals.heals_for_project(
            organization=access.organization, project=project, status=request.query_params.get("status")
        ).select_related("decided_by")
        paginator = Page()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(HealSerializer(page, many=True).data)


class HealDetailView(_HealsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="get_heal",
        summary="Get a heal",
        responses={200: HealSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, heal_id: UUID) -> Response:
        _, heal = self.heal_for(heal_id)
        return Response(HealSerializer(heal).data)


class HealAcceptView(_HealsView):
    access = {"POST": DECIDE}

    @extend_schema(
        operation_id="accept_heal",
        summary="Accept a heal: the test's step now targets the new locator",
        description="A structured step keeps its action and value with the new target; a plain-English step keeps "
        "its words with the target replaced by the selector. 409 when the heal was already decided or the step "
        "changed since the run that healed it.",
        request=None,
        responses={200: HealSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, heal_id: UUID) -> Response:
        access, heal = self.heal_for(heal_id)
        heal = heals.heal_accept(heal=heal, **self.decider(access))
        return Response(HealSerializer(heals.heal_get(organization=access.organization, heal_id=heal.id)).data)


class HealRejectView(_HealsView):
    access = {"POST": DECIDE}

    @extend_schema(
        operation_id="reject_heal",
        summary="Reject a heal: the healer never chooses that element for that step again",
        description="The test is not changed. Later runs that cannot find the step's target fail the step with "
        "the healer's candidates, unless it finds another element it is sure of. 409 when already decided.",
        request=None,
        responses={200: HealSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, heal_id: UUID) -> Response:
        access, heal = self.heal_for(heal_id)
        heal = heals.heal_reject(heal=heal, **self.decider(access))
        return Response(HealSerializer(heals.heal_get(organization=access.organization, heal_id=heal.id)).data)
