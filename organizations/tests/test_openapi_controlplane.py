"""The control-plane endpoints are documented: paths, request bodies, and their error responses."""

import pytest

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/users/me", "get"): {"401", "403"},
    ("/api/v1/users/me", "put"): {"422"},
    ("/api/v1/users/me/preferences", "put"): {"422"},
    ("/api/v1/users/me/default-organization", "post"): {"403", "404", "422"},
    ("/api/v1/users/me/organizations", "get"): {"401"},
    ("/api/v1/organizations", "get"): {"401"},
    ("/api/v1/organizations", "post"): {"422"},
    ("/api/v1/organizations/{org_id}", "get"): {"404"},
    ("/api/v1/organizations/{org_id}", "put"): {"403", "404", "422"},
    ("/api/v1/organizations/{org_id}", "delete"): {"403", "404"},
    ("/api/v1/organizations/{org_id}/transfer", "post"): {"400", "403", "404"},
    ("/api/v1/teams/organizations/{org_id}/members", "get"): {"404"},
    ("/api/v1/teams/organizations/{org_id}/members/invite", "post"): {"403", "409", "422", "502"},
    ("/api/v1/teams/organizations/{org_id}/members/{member_id}/role", "patch"): {"400", "403", "404"},
    ("/api/v1/teams/organizations/{org_id}/members/{member_id}", "delete"): {"400", "403", "404"},
    ("/api/v1/teams/organizations/{org_id}/members/{member_id}/invitation", "delete"): {"400", "404"},
    ("/api/v1/teams/organizations/{org_id}/members/{member_id}/invitation/resend", "post"): {"400", "404", "502"},
    ("/api/v1/invitations/accept", "post"): {"400", "403", "404", "409"},
    ("/api/v1/api-keys/organizations/{org_id}/keys", "get"): {"403", "404"},
    ("/api/v1/api-keys/organizations/{org_id}/keys", "post"): {"403", "422"},
    ("/api/v1/api-keys/organizations/{org_id}/keys/{key_id}/rotate", "post"): {"400", "422"},
    ("/api/v1/api-keys/organizations/{org_id}/keys/{key_id}", "delete"): {"404"},
    ("/api/v1/projects", "get"): {"404", "422"},
    ("/api/v1/projects", "post"): {"403", "422"},
    ("/api/v1/projects/{project_id}", "get"): {"404"},
    ("/api/v1/projects/{project_id}", "put"): {"422"},
    ("/api/v1/projects/{project_id}", "patch"): {"422"},
    ("/api/v1/projects/{project_id}", "delete"): {"403", "404"},
}


def test_every_control_plane_operation_is_documented_with_its_errors(api):
    schema = api.get("/docs/openapi.json", HTTP_ACCEPT="application/json").json()
    for (path, method), statuses in OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert statuses <= set(operation["responses"]), (path, method)
        success = [s for s in operation["responses"] if s.startswith("2")]
        assert success, (path, method)
        if method in {"post", "put", "patch"} and not path.endswith("/resend"):
            assert "requestBody" in operation, (path, method)
    accept = schema["paths"]["/api/v1/invitations/accept"]["post"]
    ref = accept["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][ref]["required"] == ["token"]
    assert "RoleEnum" in schema["components"]["schemas"]
    assert "InvitableRoleEnum" in schema["components"]["schemas"]
