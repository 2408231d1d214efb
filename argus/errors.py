"""One error shape for the whole API: {"detail": ..., "status_code": N} (+ optional "code", "errors").

Services raise the typed errors below; `exception_handler` (DRF's hook) renders them and DRF's own
exceptions. The JSON 404/500 views cover what never reaches a DRF view.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ArgusError(Exception):
    status_code = 400
    code = "bad_request"
    default_detail = "Bad request"

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, errors: dict[str, list[str]] | None = None
    ) -> None:
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.errors = errors
        super().__init__(self.detail)


class BadRequest(ArgusError):
    pass


class ValidationFailed(ArgusError):
    status_code = 422
    code = "validation_error"
    default_detail = "Validation error"


class NotAuthenticated(ArgusError):
    status_code = 401
    code = "not_authenticated"
    default_detail = "Authentication credentials were not provided or are invalid"


class Forbidden(ArgusError):
    status_code = 403
    code = "forbidden"
    default_detail = "You do not have permission to perform this action"


class PlanLimitExceeded(Forbidden):
    code = "plan_limit"


class NotFound(ArgusError):
    status_code = 404
    code = "not_found"
    default_detail = "Not found"


class Conflict(ArgusError):
    status_code = 409
    code = "conflict"
    default_detail = "Conflict"


class RateLimited(ArgusError):
    status_code = 429
    code = "rate_limited"
    default_detail = "Rate limit exceeded"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def error_body(status_code: int, detail: str, *, code: str | None = None, errors: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "status_code": status_code}
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    return body


def _flatten_drf_errors(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for field, value in data.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten_drf_errors(value).items():
                    out[f"{field}.{sub}"] = msgs
            elif isinstance(value, list):
                msgs: list[str] = []
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, sub_msgs in _flatten_drf_errors(item).items():
                            out[f"{field}[{i}].{sub}"] = sub_msgs
                    else:
                        msgs.append(str(item))
                if msgs:
                    out[field] = msgs
            else:
                out[field] = [str(value)]
        return out
    if isinstance(data, list):
        return {"non_field_errors": [str(item) for item in data]}
    return {"non_field_errors": [str(data)]}


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {msgs[0]}" for field, msgs in errors.items() if msgs]
    return "Validation error: " + "; ".join(parts) if parts else "Validation error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, ArgusError):
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        return Response(
            error_body(exc.status_code, exc.detail, code=exc.code, errors=exc.errors),
            status=exc.status_code,
            headers=headers,
        )
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten_drf_errors(exc.detail)
        return Response(error_body(422, _summary(errors), code="validation_error", errors=errors), status=422)
    if isinstance(exc, drf_exceptions.ParseError):
        return Response(error_body(400, str(exc.detail), code="parse_error"), status=400)
    if isinstance(exc, Http404 | drf_exceptions.NotFound):
        return Response(error_body(404, "Not found", code="not_found"), status=404)
    if isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    # Imported here: rest_framework.views loads the authentication classes while it is imported, and
    # they (through services) import this module, so a module-level import would be circular.
    from rest_framework.views import exception_handler as drf_default_handler

    response = drf_default_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view", exc_info=exc)
        return Response(error_body(500, "Internal server error", code="server_error"), status=500)
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    code = getattr(detail, "code", None) or getattr(exc, "default_code", None)
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        response.status_code = 401
    response.data = error_body(response.status_code, str(detail or exc), code=str(code) if code else None)
    return response


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(404, "Not found", code="not_found"), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(500, "Internal server error", code="server_error"), status=500)
