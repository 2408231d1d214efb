"""The OpenAPI document: generated cleanly, complete for /api/v1/, and declaring the shared pieces."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from argus.openapi import ERROR_SCHEMA, ArgusSchemaGenerator, error_responses

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


def _routes(patterns: list, prefix: str = "") -> list[str]:
    routes: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _openapi_path(route: str) -> str:
    # Django's `<uuid:org_id>` is OpenAPI's `{org_id}`.
    return "/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", route)


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generated = ArgusSchemaGenerator().get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache)
    errors = dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return generated, warnings, errors


def test_schema_generates_without_warnings_or_errors_and_is_valid_openapi(schema):
    generated, warnings, errors = schema
    assert errors == {}
    assert warnings == {}
    validate_schema(generated)


def test_every_api_v1_route_is_documented(schema):
    generated, _, _ = schema
    routes = {_openapi_path(r) for r in _routes(get_resolver().url_patterns) if r.startswith("api/v1/")}
    assert routes, "no /api/v1/ routes found"
    assert sorted(routes - set(generated["paths"])) == []


def test_every_api_operation_has_the_error_shape_and_rate_limit_headers(schema):
    generated, _, _ = schema
    assert generated["components"]["schemas"]["ErrorResponse"] == ERROR_SCHEMA
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, item in generated["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert "429" in responses, where
            for status, response in responses.items():
                assert "X-RateLimit-Remaining" in response.get("headers", {}), f"{where} {status}"
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"] == error_ref, f"{where} {status}"
            assert "Retry-After" in responses["429"]["headers"], where
            if {} not in operation.get("security", [{}]):
                assert "401" in responses, where


def test_security_schemes_for_bearer_jwt_and_api_key(schema):
    generated, _, _ = schema
    schemes = generated["components"]["securitySchemes"]
    assert schemes["BearerJWT"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["BearerJWT"]["description"],
    }
    assert schemes["ApiKeyAuth"]["type"] == "apiKey"
    assert schemes["ApiKeyAuth"]["in"] == "header"
    assert schemes["ApiKeyAuth"]["name"] == "X-API-Key"


def test_the_error_serializer_generates_the_same_schema_as_the_hook_adds():
    from django.urls import path
    from drf_spectacular.utils import extend_schema

    class ProbeView(APIView):
        @extend_schema(responses={200: None, **error_responses(404)})
        def get(self, request):
            return Response()

    generator = ArgusSchemaGenerator(patterns=[path("probe", ProbeView.as_view())])
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generated = generator.get_schema(request=None, public=True)
    GENERATOR_STATS.reset()
    # Not under /api/v1/, so only the serializer can have put the component there.
    response = generated["paths"]["/probe"]["get"]["responses"]["404"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert response["description"].startswith("Not found")
    assert generated["components"]["schemas"]["ErrorResponse"] == ERROR_SCHEMA


@pytest.mark.django_db
def test_the_document_and_swagger_ui_are_served():
    document = APIClient().get("/docs/openapi.json")
    assert document.status_code == 200
    assert json.loads(document.content)["info"]["version"] == "2.2.0"
    page = APIClient().get("/docs")
    assert page.status_code == 200
    assert b"swagger" in page.content.lower()
