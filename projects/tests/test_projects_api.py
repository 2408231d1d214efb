from datetime import datetime

import pytest

from accounts.models import UserProfile
from organizations.models import Organization
from organizations.roles import Role
from projects.models import Project
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PROJECT_FIELDS = {"id", "organization_id", "name", "description", "app_url", "config", "created_at", "updated_at"}
CONFIG = {"browser": "chromium", "viewport": {"width": 1920, "height": 1080}}


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _client(org, role):
    profile = factories.make_profile()
    factories.add_member(org, profile, role)
    return client_for(profile)


def _create(client, org, **overrides):
    payload = {"organization_id": str(org.id), "name": "New Project", "app_url": "https://app.example.com"}
    payload.update(overrides)
    return client.post("/api/v1/projects", payload, format="json")


@pytest.fixture
def secret_project():
    stranger = factories.make_profile("stranger@example.com")
    other = factories.make_org(stranger, name="Secret Corp")
    return factories.make_project(other, name="Secret Project", app_url="https://secret.example.com")


def test_create_project(owner, org, as_owner):
    response = _create(as_owner, org, config=CONFIG, description="The shop")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == PROJECT_FIELDS
    project = Project.objects.get(pk=body["id"])
    assert body["organization_id"] == str(org.id)
    assert body["name"] == "New Project"
    assert body["description"] == "The shop"
    assert body["app_url"] == "https://app.example.com"
    assert body["config"] == CONFIG
    assert _iso(body["created_at"]) == project.created_at
    assert _iso(body["updated_at"]) == project.updated_at
    assert (project.organization, project.created_by, project.config) == (org, owner, CONFIG)


def test_create_project_fills_the_config_defaults(org, as_owner):
    body = _create(as_owner, org, app_url="http://127.0.0.1:8080/").json()
    assert body["config"] == {"browser": "chromium", "viewport": {"width": 1280, "height": 720}}
    partial = _create(as_owner, org, config={"viewport": {"width": 320, "height": 240}}).json()
    assert partial["config"] == {"browser": "chromium", "viewport": {"width": 320, "height": 240}}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"app_url": "ftp://files.example.com"}, "app_url"),
        ({"app_url": "not a url"}, "app_url"),
        ({"organization_id": "acme"}, "organization_id"),
        ({"config": {"browser": "firefox"}}, "config.browser"),
        ({"config": {"viewport": {"width": 319, "height": 800}}}, "config.viewport.width"),
        ({"config": {"viewport": {"width": 3841, "height": 800}}}, "config.viewport.width"),
        ({"config": {"viewport": {"width": 1024, "height": 239}}}, "config.viewport.height"),
        ({"config": {"viewport": {"width": 1024, "height": 2161}}}, "config.viewport.height"),
        ({"config": {"viewport": {"width": 1024}}}, "config.viewport.height"),
        ({"config": {"headless": False}}, "config.headless"),
        ({"config": "chromium"}, "config"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_create_project_validation(org, as_owner, overrides, field):
    response = _create(as_owner, org, **overrides)
    assert response.status_code == 422
    assert any(name == field or name.startswith(f"{field}.") for name in response.json()["errors"]), response.json()
    assert not Project.objects.exists()


def test_only_chromium_is_supported_and_the_error_says_so(org, as_owner):
    response = _create(as_owner, org, config={"browser": "webkit"})
    assert "chromium only" in response.json()["errors"]["config.browser"][0]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_create_projects(org, role):
    response = _create(_client(org, role), org)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_role"
    assert not Project.objects.exists()


def test_plan_limit_on_projects(org, as_owner):
    for n in range(3):
        assert _create(as_owner, org, name=f"P{n}").status_code == 201
    response = _create(as_owner, org, name="Fourth")
    assert response.status_code == 403
    assert response.json()["code"] == "plan_limit_projects"
    assert "3 projects" in response.json()["detail"]
    Organization.objects.filter(pk=org.pk).update(plan="team")
    assert _create(as_owner, org, name="Fourth").status_code == 201


def test_api_keys_create_projects_with_the_write_scope(org, owner, api):
    _, read = factories.make_api_key(org, owner, scopes=["read"])
    _, write = factories.make_api_key(org, owner, scopes=["write"])
    denied = api.post(
        "/api/v1/projects",
        {"organization_id": str(org.id), "name": "K", "app_url": "https://k.example.com"},
        format="json",
        **factories.api_key_header(read),
    )
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    allowed = api.post(
        "/api/v1/projects",
        {"organization_id": str(org.id), "name": "K", "app_url": "https://k.example.com"},
        format="json",
        **factories.api_key_header(write),
    )
    assert allowed.status_code == 201


def test_create_in_another_organization_is_404(as_owner, secret_project):
    response = _create(as_owner, secret_project.organization)
    assert response.status_code == 404
    assert Project.objects.count() == 1


def test_list_projects_of_all_my_organizations_or_one(owner, org, as_owner, secret_project):
    mine = factories.make_project(org, name="Main Website", app_url="https://example.com", config=CONFIG)
    side = factories.make_org(name="Side")
    factories.add_member(side, owner, Role.VIEWER)
    side_project = factories.make_project(side, name="Side Project")
    response = as_owner.get("/api/v1/projects")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body] == [str(mine.id), str(side_project.id)]
    assert body[0] == {
        "id": str(mine.id),
        "organization_id": str(org.id),
        "name": "Main Website",
        "description": "",
        "app_url": "https://example.com",
        "config": CONFIG,
        "created_at": body[0]["created_at"],
        "updated_at": body[0]["updated_at"],
    }
    filtered = as_owner.get("/api/v1/projects", {"organization_id": str(side.id)}).json()
    assert [row["id"] for row in filtered] == [str(side_project.id)]
    stranger = as_owner.get("/api/v1/projects", {"organization_id": str(secret_project.organization_id)})
    assert stranger.status_code == 404
    assert "Secret" not in stranger.content.decode()
    assert as_owner.get("/api/v1/projects", {"organization_id": "nope"}).status_code == 422


def test_an_api_key_lists_only_its_organizations_projects(owner, org, api):
    mine = factories.make_project(org)
    other = factories.make_org(owner, name="Other")
    factories.make_project(other)
    _, raw = factories.make_api_key(org, owner, scopes=["read"])
    body = api.get("/api/v1/projects", **factories.api_key_header(raw)).json()
    assert [row["id"] for row in body] == [str(mine.id)]
    assert (
        api.get("/api/v1/projects", {"organization_id": str(other.id)}, **factories.api_key_header(raw)).status_code
        == 404
    )


def test_get_project_as_viewer(org):
    project = factories.make_project(org, config=CONFIG)
    response = _client(org, Role.VIEWER).get(f"/api/v1/projects/{project.id}")
    assert response.status_code == 200
    assert set(response.json()) == PROJECT_FIELDS
    assert response.json()["config"] == CONFIG


def test_put_replaces_and_patch_changes_some_fields(org, as_owner):
    project = factories.make_project(org, config=CONFIG)
    url = f"/api/v1/projects/{project.id}"
    current = as_owner.get(url).json()
    current.update(name="Renamed", app_url="https://new.example.com")
    response = as_owner.put(url, current, format="json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["app_url"]) == ("Renamed", "https://new.example.com")
    assert as_owner.put(url, {"name": "No URL"}, format="json").status_code == 422
    patched = as_owner.patch(url, {"config": {"viewport": {"width": 800, "height": 600}}}, format="json")
    assert patched.status_code == 200
    assert patched.json()["config"] == {"browser": "chromium", "viewport": {"width": 800, "height": 600}}
    assert patched.json()["name"] == "Renamed"
    project.refresh_from_db()
    assert _iso(patched.json()["updated_at"]) == project.updated_at
    narrower = as_owner.patch(url, {"config": {"viewport": {"width": 1024}}}, format="json")
    assert narrower.json()["config"] == {"browser": "chromium", "viewport": {"width": 1024, "height": 600}}
    assert as_owner.patch(url, {"config": {"viewport": {"height": 100}}}, format="json").status_code == 422
    moved = as_owner.patch(url, {"organization_id": str(factories.make_org().id)}, format="json")
    assert moved.status_code == 422
    assert "organization_id" in moved.json()["errors"]
    assert as_owner.patch(url, {"app_url": "javascript:alert(1)"}, format="json").status_code == 422


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_only_admins_update_and_delete_projects(org, role):
    project = factories.make_project(org, name="Keep")
    client = _client(org, role)
    url = f"/api/v1/projects/{project.id}"
    assert client.patch(url, {"name": "Changed"}, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    project.refresh_from_db()
    assert project.name == "Keep"


def test_delete_project_clears_defaults(owner, org, as_owner):
    project = factories.make_project(org, name="Doomed")
    UserProfile.objects.filter(pk=owner.pk).update(default_organization_id=org.id, default_project_id=project.id)
    response = as_owner.delete(f"/api/v1/projects/{project.id}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Project 'Doomed' has been deleted"}
    assert not Project.objects.filter(pk=project.pk).exists()
    owner.refresh_from_db()
    assert (owner.default_organization_id, owner.default_project_id) == (org.id, None)


def test_another_organizations_project_is_404_without_data(owner, org, as_owner, api, secret_project):
    url = f"/api/v1/projects/{secret_project.id}"
    _, raw = factories.make_api_key(org, owner, scopes=["read", "write"])
    for response in [
        as_owner.get(url),
        as_owner.put(url, {"name": "Mine", "app_url": "https://x.example.com"}, format="json"),
        as_owner.patch(url, {"name": "Mine"}, format="json"),
        as_owner.delete(url),
        api.get(url, **factories.api_key_header(raw)),
    ]:
        assert response.status_code == 404
        assert response.json()["detail"] == "Project not found"
        assert "secret" not in response.content.decode().lower()
    secret_project.refresh_from_db()
    assert secret_project.name == "Secret Project"


def test_set_default_organization_and_project(owner, org, as_owner):
    project = factories.make_project(org)
    response = as_owner.post(
        "/api/v1/users/me/default-organization",
        {"organization_id": str(org.id), "project_id": str(project.id)},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["default_organization_id"], body["default_project_id"]) == (str(org.id), str(project.id))
    assert body["user_id"] == owner.user_id
    only_org = as_owner.post("/api/v1/users/me/default-organization", {"organization_id": str(org.id)}, format="json")
    assert only_org.json()["default_project_id"] is None


def test_default_organization_errors(owner, org, as_owner, api, secret_project):
    url = "/api/v1/users/me/default-organization"
    no_access = as_owner.post(url, {"organization_id": str(secret_project.organization_id)}, format="json")
    assert no_access.status_code == 403
    wrong_project = as_owner.post(
        url, {"organization_id": str(org.id), "project_id": str(secret_project.id)}, format="json"
    )
    assert wrong_project.status_code == 404
    assert wrong_project.json()["detail"] == "Project not found in this organization"
    assert as_owner.post(url, {}, format="json").status_code == 422
    assert as_owner.post(url, {"organization_id": "x"}, format="json").status_code == 422
    _, raw = factories.make_api_key(org, owner, scopes=["read", "write", "admin"])
    assert (
        api.post(url, {"organization_id": str(org.id)}, format="json", **factories.api_key_header(raw)).status_code
        == 403
    )
    owner.refresh_from_db()
    assert owner.default_organization_id is None
