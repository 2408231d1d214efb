# The shared fixtures are imported (tests/conftest.py only applies below tests/); pytest injects them by name.
# ruff: noqa: F811
import pytest

from organizations.roles import Role
from projects.models import TestDefinition as Definition
from tests import factories
from tests.conftest import _isolated_data, api, as_owner, client_for, org, owner  # noqa: F401

STEPS = [
    "Go to /login",
    "Type alice@example.com into Email",
    {"action": "click", "target": "Sign in"},
    "Expect to see Welcome, Alice",
]


@pytest.fixture
def project(org):
    return factories.make_project(org)


@pytest.fixture
def member(org):
    profile = factories.make_profile()
    factories.add_member(org, profile, Role.MEMBER)
    return client_for(profile)


@pytest.fixture
def viewer(org):
    profile = factories.make_profile()
    factories.add_member(org, profile, Role.VIEWER)
    return client_for(profile)


def body(**overrides):
    data = {"name": "Login works", "tags": ["smoke", "auth"], "priority": "high", "steps": STEPS}
    data.update(overrides)
    return data


def test_member_creates_a_test_and_reads_it_back(member, project):
    response = member.post(f"/api/v1/projects/{project.id}/tests", body(), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["name"] == "Login works"
    assert created["project_id"] == str(project.id)
    assert created["steps"] == STEPS
    assert created["is_active"] is True
    fetched = member.get(f"/api/v1/tests/{created['id']}").json()
    assert fetched == created


def test_unreadable_step_is_a_400_naming_its_number_and_nothing_is_saved(member, project):
    steps = ["Go to /login", "Frobnicate the widget", "Click Sign in"]
    response = member.post(f"/api/v1/projects/{project.id}/tests", body(steps=steps), format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["status_code"] == 400
    assert error["detail"].startswith("Step 2: ")
    assert "Frobnicate" in error["detail"]
    assert "steps[1]" in error["errors"]
    assert not Definition.objects.exists()


@pytest.mark.parametrize(
    ("step", "why"),
    [
        ({"action": "click"}, "needs a target"),
        ({"action": "teleport", "target": "x"}, "unknown action"),
        ({"action": "click", "target": "Go", "selector": "#x"}, "unknown field"),
        (42, "a step is a sentence"),
        ("   ", "empty"),
    ],
)
def test_malformed_structured_steps_are_refused_with_the_reason(member, project, step, why):
    response = member.post(f"/api/v1/projects/{project.id}/tests", body(steps=["Go to /", step]), format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Step 2: ")
    assert why in response.json()["detail"]


def test_missing_fields_are_a_422(member, project):
    response = member.post(f"/api/v1/projects/{project.id}/tests", {"steps": STEPS}, format="json")
    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    response = member.post(f"/api/v1/projects/{project.id}/tests", body(steps=[]), format="json")
    assert response.status_code == 422


def test_list_filters_by_active_and_tag(viewer, project):
    factories.make_test(project, ["Go to /"], name="a", tags=["smoke"])
    factories.make_test(project, ["Go to /"], name="b", tags=["Smoke", "slow"], is_active=False)
    factories.make_test(project, ["Go to /"], name="c", tags=[])
    url = f"/api/v1/projects/{project.id}/tests"
    assert [t["name"] for t in viewer.get(url).json()] == ["a", "b", "c"]
    assert [t["name"] for t in viewer.get(url, {"active": "true"}).json()] == ["a", "c"]
    assert [t["name"] for t in viewer.get(url, {"tag": "smoke"}).json()] == ["a", "b"]
    assert [t["name"] for t in viewer.get(url, {"tag": "smoke", "active": "false"}).json()] == ["b"]
    assert viewer.get(url, {"active": "maybe"}).status_code == 422


def test_put_replaces_patch_changes_fields_and_revalidates_steps(member, project):
    test = factories.make_test(project, ["Go to /"], name="old", tags=["x"])
    url = f"/api/v1/tests/{test.id}"
    response = member.patch(url, {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["name"] == "old"
    assert member.patch(url, {"steps": ["Wiggle"]}, format="json").status_code == 400
    test.refresh_from_db()
    assert test.steps == ["Go to /"]
    assert member.put(url, {"name": "only name"}, format="json").status_code == 422
    response = member.put(url, body(name="new"), format="json")
    assert response.status_code == 200
    test.refresh_from_db()
    assert (test.name, test.steps, test.priority) == ("new", STEPS, "high")


def test_delete(member, project):
    test = factories.make_test(project, ["Go to /"])
    response = member.delete(f"/api/v1/tests/{test.id}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Test deleted"}
    assert member.get(f"/api/v1/tests/{test.id}").status_code == 404


def test_viewer_reads_but_cannot_write(viewer, project):
    test = factories.make_test(project, ["Go to /"])
    assert viewer.get(f"/api/v1/tests/{test.id}").status_code == 200
    response = viewer.post(f"/api/v1/projects/{project.id}/tests", body(), format="json")
    assert response.status_code == 403
    assert viewer.patch(f"/api/v1/tests/{test.id}", {"name": "x"}, format="json").status_code == 403
    assert viewer.delete(f"/api/v1/tests/{test.id}").status_code == 403
    assert Definition.objects.filter(id=test.id).exists()


def test_another_organizations_tests_are_404(project):
    stranger = factories.make_profile()
    factories.make_org(stranger)
    client = client_for(stranger)
    test = factories.make_test(project, ["Go to /"])
    assert client.get(f"/api/v1/projects/{project.id}/tests").status_code == 404
    assert client.post(f"/api/v1/projects/{project.id}/tests", body(), format="json").status_code == 404
    response = client.get(f"/api/v1/tests/{test.id}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Test not found"
    assert client.delete(f"/api/v1/tests/{test.id}").status_code == 404


def test_api_key_scopes(org, owner, project, api):
    _, read_only = factories.make_api_key(org, owner, scopes=["read"])
    _, writer = factories.make_api_key(org, owner, scopes=["read", "write"])
    api.credentials(**factories.api_key_header(read_only))
    assert api.get(f"/api/v1/projects/{project.id}/tests").status_code == 200
    response = api.post(f"/api/v1/projects/{project.id}/tests", body(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    api.credentials(**factories.api_key_header(writer))
    response = api.post(f"/api/v1/projects/{project.id}/tests", body(), format="json")
    assert response.status_code == 201
    assert response.json()["created_by"] is None


def test_api_key_of_another_organization_sees_404(owner, project, api):
    other = factories.make_org(owner)
    _, raw = factories.make_api_key(other, owner, scopes=["read", "write"])
    api.credentials(**factories.api_key_header(raw))
    assert api.get(f"/api/v1/projects/{project.id}/tests").status_code == 404
