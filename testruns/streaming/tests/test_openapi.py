from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema(db):
    response = APIClient().get("/docs/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_stream_endpoints_are_in_the_openapi_document(schema):
    get = schema["paths"]["/api/v1/stream/runs/{run_id}"]["get"]
    post = schema["paths"]["/api/v1/stream/test"]["post"]
    for operation in (get, post):
        assert "text/event-stream" in operation["responses"]["200"]["content"]
        assert {"401", "404", "429"} <= set(operation["responses"])  # 401 added by the shared hook
        assert "X-RateLimit-Limit" in operation["responses"]["200"]["headers"]
    assert {p["name"] for p in get["parameters"]} == {"run_id", "Last-Event-ID", "last_event_id"}
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenQuery"]["name"] == "token" and schemes["ApiKeyQuery"]["name"] == "api_key"
    request_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert request_schema == {"$ref": "#/components/schemas/StartRunRequest"}
