"""The stream endpoints in the OpenAPI document.

They are ASGI applications in front of Django, invisible to drf-spectacular's view discovery, so a
postprocessing hook (listed before `argus.openapi.postprocess_schema`, which then adds the shared 401,
429 and X-RateLimit-* parts) writes their paths.
"""

from __future__ import annotations

from typing import Any

from argus.openapi import ERROR_COMPONENT, ERROR_DESCRIPTIONS

TAG = "streaming"
EVENTS_DESCRIPTION = (
    "Server-Sent Events. Each message is `id: <seq>`, `event: <kind>`, `data: <JSON>`; ids are the run's "
    "event numbers (1, 2, 3, ...), so `Last-Event-ID` resumes with nothing lost or repeated. Kinds: "
    '`state_update` {"status", "current_test"}, `log` {"level", "message"}, `screenshot` {"base64", "step"}, '
    '`test_result`, `heal`, `error` {"message"}, `complete` {"passed", "failed", "duration_seconds"}. '
    "Stored events are replayed first, then new ones follow live; `: heartbeat` comment lines keep an idle "
    "stream open; the response ends after `complete` (or once the run has finished)."
)
QUERY_CREDENTIALS = {
    "TokenQuery": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "The JWT as a query parameter, for EventSource (which cannot set headers).",
    },
    "ApiKeyQuery": {
        "type": "apiKey",
        "in": "query",
        "name": "api_key",
        "description": "An API key as a query parameter, for EventSource (which cannot set headers).",
    },
}
SECURITY = [{"BearerJWT": []}, {"ApiKeyAuth": []}, {"TokenQuery": []}, {"ApiKeyQuery": []}]


def _error(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }


def _stream_response() -> dict[str, Any]:
    return {"description": EVENTS_DESCRIPTION, "content": {"text/event-stream": {"schema": {"type": "string"}}}}


def _start_request_schema(result: dict[str, Any]) -> dict[str, Any]:
    # The start endpoint's own request component, when its view is in the document.
    schemas = result.get("components", {}).get("schemas", {})
    for name in ("StartRunRequest", "StartRun"):
        if name in schemas:
            return {"$ref": f"#/components/schemas/{name}"}
    return {
        "type": "object",
        "properties": {
            "project_id": {"type": "string", "format": "uuid"},
            "test_ids": {"type": "array", "items": {"type": "string"}},
            "options": {"type": "object", "additionalProperties": {}},
        },
        "required": ["project_id"],
    }


def stream_paths(result: dict[str, Any]) -> dict[str, Any]:
    slot_full = _error(429, "Rate limit exceeded, or the organization's concurrent streams (10) are all open")
    return {
        "/api/v1/stream/runs/{run_id}": {
            "get": {
                "operationId": "stream_run",
                "summary": "Stream a run's events",
                "description": "For EventSource: replays the run's stored events after `Last-Event-ID`, then "
                "follows the run live until it completes.",
                "tags": [TAG],
                "parameters": [
                    {"name": "run_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
                    {
                        "name": "Last-Event-ID",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0},
                        "description": "Resume after this event id (EventSource sends it when reconnecting).",
                    },
                    {
                        "name": "last_event_id",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0},
                        "description": "The same, for clients that cannot set headers.",
                    },
                ],
                "security": SECURITY,
                "responses": {
                    "200": _stream_response(),
                    "204": {
                        "description": "The run has finished and no event follows Last-Event-ID; "
                        "an EventSource stops reconnecting on this answer."
                    },
                    "400": _error(400, "Last-Event-ID is not an event id"),
                    "403": _error(403, "The API key lacks the `read` scope"),
                    "404": _error(404),
                    "429": slot_full,
                },
            }
        },
        "/api/v1/stream/test": {
            "post": {
                "operationId": "stream_test_run",
                "summary": "Start a test run and stream it",
                "description": "Starts a run exactly as `POST /api/v1/test/run` (same body, validation, roles, "
                "scopes, plan limits and `test_execution` rate limit; its errors are returned as they are), "
                "then streams the new run from its first event. Send `Accept: text/event-stream`.",
                "tags": [TAG],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _start_request_schema(result)}},
                },
                "security": SECURITY,
                "responses": {
                    "200": _stream_response(),
                    "403": _error(403),
                    "404": _error(404),
                    "422": _error(422),
                    "429": slot_full,
                },
            }
        },
    }


def add_stream_paths(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("paths", {}).update(stream_paths(result))
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.update(QUERY_CREDENTIALS)
    return result
