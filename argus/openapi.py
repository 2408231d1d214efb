"""OpenAPI pieces every app shares: the error shape, the two security schemes, rate-limit headers.

Declaring a view's errors:

    from argus.openapi import error_responses

    @extend_schema(responses={200: ProfileSerializer, **error_responses(403, 404, 422)})

`error_responses` returns `{code: OpenApiResponse(ErrorResponse)}` with a standard description; `ERROR`
is the bare response object for one-off descriptions. The postprocessing hook adds what every
operation under /api/v1/ has anyway (401 when it needs authentication, 429, and the X-RateLimit-*
headers on every response), so views declare only the errors particular to them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

API_PREFIX = "/api/v1/"
ERROR_COMPONENT = "ErrorResponse"


class ErrorResponseSerializer(serializers.Serializer):
    """The one error body of the API (see argus.errors)."""

    detail = serializers.CharField(help_text="What went wrong, for a person to read")
    status_code = serializers.IntegerField(help_text="The HTTP status code, repeated in the body")
    code = serializers.CharField(required=False, help_text="A stable machine-readable error code")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors: field name to messages",
    )


# The same schema as ErrorResponseSerializer generates (a test keeps them equal); the hook uses it to
# add the component when no view has referenced the serializer yet.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error body of the API (see argus.errors).",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read"},
        "status_code": {"type": "integer", "description": "The HTTP status code, repeated in the body"},
        "code": {"type": "string", "description": "A stable machine-readable error code"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Validation errors: field name to messages",
        },
    },
    "required": ["detail", "status_code"],
}

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: invalid input",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but the role, API-key scope or plan does not allow this",
    404: "Not found (or not in an organization the caller belongs to)",
    409: "Conflict with the current state",
    422: "Validation error; `errors` maps fields to messages",
    429: "Rate limit exceeded; `Retry-After` says when to retry",
    500: "Internal server error",
    503: "A dependency is unavailable",
}

ERROR = OpenApiResponse(response=ErrorResponseSerializer, description="Error")


def error_response(status: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorResponseSerializer, description=description or ERROR_DESCRIPTIONS.get(status, "Error")
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`{status: error_response(status)}` for spreading into `extend_schema(responses={...})`."""
    return {status: error_response(status) for status in statuses}


# --- Security schemes -----------------------------------------------------------------------------
class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.JWTAuthentication"
    name = "BearerJWT"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JWT from the identity provider (RS256, verified against its JWKS).",
        }


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.APIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An organization API key (`argus_sk_...`), limited to its scopes.",
        }


class ArgusSchemaGenerator(SchemaGenerator):
    """The generator named in settings; being in this module, it brings the extensions above along
    (they register on import, and importing them from AppConfig.ready would be a circular import)."""


# --- Postprocessing -------------------------------------------------------------------------------
RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window for this endpoint's category",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "When the current window ends (Unix epoch seconds)",
        "schema": {"type": "integer"},
    },
}
RETRY_AFTER_HEADER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}


def _needs_authentication(operation: dict[str, Any]) -> bool:
    # drf-spectacular lists `{}` among the requirements when anonymous access is allowed.
    security = operation.get("security") or []
    return bool(security) and {} not in security


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the errors and headers that every /api/v1/ operation shares."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    headers = components.setdefault("headers", {})
    headers.update(RATE_LIMIT_HEADERS)
    headers["Retry-After"] = RETRY_AFTER_HEADER
    header_refs = {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}

    for path, item in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if _needs_authentication(operation) and "401" not in responses:
                responses["401"] = {"description": ERROR_DESCRIPTIONS[401], "content": _error_content()}
            if "429" not in responses:
                responses["429"] = {"description": ERROR_DESCRIPTIONS[429], "content": _error_content()}
            for status, response in responses.items():
                if "$ref" in response:
                    continue
                # Every error has the one shape, even where a view declared only a description.
                if status[:1] in {"4", "5"} and not response.get("content"):
                    response["content"] = _error_content()
                response_headers = response.setdefault("headers", {})
                response_headers.update(header_refs)
                if status == "429":
                    response_headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    return result
