"""Runs, their status and results, cancellation, and time travel (checkpoint history and replay)."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from uuid import UUID

from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from argus.errors import NotFound
from argus.openapi import error_responses
from organizations.access import Access, Need, OrganizationScopedView
from organizations.roles import Role
from projects import test_definitions as project_selectors
from testruns import selectors, services
from testruns.api import serializers as s
from testruns.execution.ports import artifact_path
from testruns.models import Run

READ = Need(Role.VIEWER, "read")
RUN = Need(Role.MEMBER, "tests", "write")  # starting, replaying and cancelling runs


class Page(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class _RunsView(OrganizationScopedView):
    def access_via(self, lookup: Callable[[], UUID | None], what: str) -> Access:
        """Access to the organization owning an object; the object's own 404 when it is not the caller's."""
        organization_id = lookup()
        if organization_id is None:
            raise NotFound(f"{what} not found")
        try:
            return self.access_to(organization_id)
        except NotFound as exc:
            raise NotFound(f"{what} not found") from exc

    def caller(self, access: Access) -> dict:
        if access.api_key is not None:
            return {"triggered_by": None, "api_key": access.api_key}
        return {"triggered_by": self.request.user, "api_key": None}


class StartRunView(_RunsView):
    access = {"POST": RUN}
    rate_limit_category = "test_execution"

    @extend_schema(
        operation_id="start_test_run",
        summary="Start a test run",
        description="Queues a run of the given tests (every active test of the project when `test_ids` is empty). "
        "Options: headless, self_heal_enabled, max_retries (0-5), step_timeout_ms or step_timeout_seconds, "
        "screenshot_every_step. Browser and viewport come from the project's config.",
        request=s.StartRunSerializer,
        responses={202: s.RunQueuedSerializer, **error_responses(403, 404, 422)},
    )
    def post(self, request: Request) -> Response:
        body = s.StartRunBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project_id = body.validated_data["project_id"]
        access = self.access_via(lambda: project_selectors.project_organization_id(project_id=project_id), "Project")
        project = project_selectors.project_get(organization=access.organization, project_id=project_id)
        run = services.run_start(
            project=project,
            test_ids=body.validated_data["test_ids"],
            options=body.validated_data["options"],
            app_url=body.validated_data.get("app_url"),
            **self.caller(access),
        )
        data = {"run_id": run.id, "thread_id": run.thread_id, "status": run.status, "message": "Test run queued"}
        return Response(s.RunQueuedSerializer(data).data, status=status.HTTP_202_ACCEPTED)


class RunStatusView(_RunsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="get_test_run_status",
        summary="Get test run status",
        description="`estimated_completion` comes from this project's recent runs (time per test); null without "
        "history.",
        responses={200: s.RunStatusSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, run_id: UUID) -> Response:
        access = self.access_via(lambda: selectors.run_organization_id(run_id=run_id), "Run")
        run = selectors.run_get(organization=access.organization, run_id=run_id)
        passed = run.passed + run.healed
        failed = run.failed + run.errored
        data = {
            "run_id": run.id,
            "status": run.status,
            "progress": {
                "total": run.total,
                "passed": passed,
                "failed": failed,
                "pending": max(run.total - passed - failed - run.skipped, 0),
            },
            "started_at": run.started_at,
            "estimated_completion": selectors.estimated_completion(run=run),
        }
        return Response(s.RunStatusSerializer(data).data)


class ProjectRunsView(_RunsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="list_project_runs",
        summary="List runs of a project (newest first)",
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: s.RunPageSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, project_id: UUID) -> Response:
        access = self.access_via(lambda: project_selectors.project_organization_id(project_id=project_id), "Project")
        project = project_selectors.project_get(organization=access.organization, project_id=project_id)
        runs = selectors.runs_for_project(organization=access.organization, project=project).select_related(
            "triggered_by"
        )
        paginator = Page()
        page = paginator.paginate_queryset(runs, request, view=self)
        return paginator.get_paginated_response(s.RunSerializer(page, many=True).data)


class RunDetailView(_RunsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="get_run",
        summary="Get a run with its per-test and per-step results",
        responses={200: s.RunDetailSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, run_id: UUID) -> Response:
        access = self.access_via(lambda: selectors.run_organization_id(run_id=run_id), "Run")
        run = selectors.run_detail(organization=access.organization, run_id=run_id)
        return Response(s.RunDetailSerializer(run).data)


ARTIFACT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")


class RunArtifactView(_RunsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="get_run_artifact",
        summary="A run's artifact (a step screenshot, JPEG)",
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY), **error_responses(403, 404)},
    )
    def get(self, request: Request, run_id: UUID, name: str) -> FileResponse:
        access = self.access_via(lambda: selectors.run_organization_id(run_id=run_id), "Run")
        run = selectors.run_get(organization=access.organization, run_id=run_id)
        path = artifact_path(run.id, name)
        if not ARTIFACT_NAME.fullmatch(name) or not default_storage.exists(path):
            raise NotFound("Artifact not found")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(default_storage.open(path, "rb"), content_type=content_type)


class RunCancelView(_RunsView):
    access = {"POST": RUN}

    @extend_schema(
        operation_id="cancel_run",
        summary="Cancel a run",
        description="A pending run is cancelled at once; a running one stops within a second, its remaining tests "
        "skipped. 409 when the run has already finished.",
        request=None,
        responses={202: s.CancelResponseSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, run_id: UUID) -> Response:
        access = self.access_via(lambda: selectors.run_organization_id(run_id=run_id), "Run")
        run = services.run_cancel(run=selectors.run_get(organization=access.organization, run_id=run_id))
        message = "Run cancelled" if run.status == Run.Status.CANCELLED else "Cancellation requested"
        data = {"run_id": run.id, "status": run.status, "message": message}
        return Response(s.CancelResponseSerializer(data).data, status=status.HTTP_202_ACCEPTED)


class CheckpointHistoryView(_RunsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="get_checkpoint_history",
        summary="Checkpoint history of a thread (oldest first)",
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: s.HistorySerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, thread_id: str) -> Response:
        access = self.access_via(lambda: selectors.thread_organization_id(thread_id=thread_id), "Thread")
        checkpoints = selectors.checkpoints_for_thread(organization=access.organization, thread_id=thread_id)
        paginator = Page()
        paginator.default_limit = 100
        paginator.max_limit = 1000
        page = paginator.paginate_queryset(checkpoints, request, view=self)
        data = {
            "thread_id": thread_id,
            "checkpoints": s.CheckpointItemSerializer(page, many=True).data,
            "count": paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
        }
        return Response(data)


class CheckpointDetailView(_RunsView):
    access = {"GET": READ}

    @extend_schema(
        operation_id="get_checkpoint",
        summary="A checkpoint with the full run state it stores",
        responses={200: s.CheckpointDetailSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, checkpoint_id: str) -> Response:
        access = self.access_via(
            lambda: selectors.checkpoint_organization_id(checkpoint_id=checkpoint_id), "Checkpoint"
        )
        checkpoint = selectors.checkpoint_get(organization=access.organization, checkpoint_id=checkpoint_id)
        return Response(s.CheckpointDetailSerializer(checkpoint).data)


class ReplayView(_RunsView):
    access = {"POST": RUN}
    rate_limit_category = "test_execution"

    @extend_schema(
        operation_id="replay_from_checkpoint",
        summary="Replay from a checkpoint",
        description="Starts a new run on a new thread from the checkpoint's state (results so far, position, "
        "cookies, local storage and URL); the original run is not changed.",
        request=s.ReplaySerializer,
        responses={202: s.ReplayQueuedSerializer, **error_responses(403, 404, 422)},
    )
    def post(self, request: Request) -> Response:
        body = s.ReplaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        thread_id = body.validated_data["thread_id"]
        checkpoint_id = body.validated_data["checkpoint_id"]
        access = self.access_via(lambda: selectors.thread_organization_id(thread_id=thread_id), "Thread")
        checkpoint = selectors.checkpoint_get(organization=access.organization, checkpoint_id=checkpoint_id)
        if checkpoint.thread_id != thread_id:
            raise NotFound("Checkpoint not found in this thread")
        run = services.run_replay(checkpoint=checkpoint, **self.caller(access))
        data = {
            "run_id": run.id,
            "thread_id": run.thread_id,
            "status": run.status,
            "message": f"Replay queued from checkpoint {checkpoint.id}",
            "parent_checkpoint_id": checkpoint.id,
        }
        return Response(s.ReplayQueuedSerializer(data).data, status=status.HTTP_202_ACCEPTED)
