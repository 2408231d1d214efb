from datetime import datetime

import pytest

from accounts.models import UserProfile
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FULL_FIELDS = {
    "id",
    "name",
    "slug",
    "plan",
    "ai_budget_daily",
    "ai_budget_monthly",
    "settings",
    "features",
    "stripe_customer_id",
    "stripe_subscription_id",
    "logo_url",
    "domain",
    "sso_enabled",
    "member_count",
    "created_at",
    "updated_at",
}


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _member_client(org, role):
    profile = factories.make_profile()
    factories.add_member(org, profile, role)
    return profile, client_for(profile)


@pytest.fixture
def stranger_org():
    """Another organization, with data the caller must never see."""
    other = factories.make_profile("stranger@example.com")
    return factories.make_org(other, name="Secret Corp", domain="secret.example", settings={"token": "s3cr3t"})


def test_create_organization_returns_the_full_organization_and_makes_the_creator_owner(owner, as_owner):
    response = as_owner.post("/api/v1/organizations", {"name": "New Company"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FULL_FIELDS
    organization = Organization.objects.get(pk=body["id"])
    assert body["name"] == "New Company"
    assert body["slug"] == "new-company"
    assert body["plan"] == "free"
    assert body["ai_budget_daily"] == 1.0
    assert body["ai_budget_monthly"] == 25.0
    assert body["settings"] == {}
    assert body["features"] == {}
    assert body["stripe_customer_id"] is None
    assert body["stripe_subscription_id"] is None
    assert body["logo_url"] is None
    assert body["domain"] is None
    assert body["sso_enabled"] is False
    assert body["member_count"] == 1
    assert _iso(body["created_at"]) == organization.created_at
    assert body["updated_at"] is None
    membership = Membership.objects.get(organization=organization)
    assert (membership.profile, membership.role, membership.status) == (owner, Role.OWNER, Membership.Status.ACTIVE)


def test_slugs_stay_unique(as_owner):
    slugs = [as_owner.post("/api/v1/organizations", {"name": "Acme"}, format="json").json()["slug"] for _ in range(7)]
    assert slugs[:2] == ["acme", "acme-2"]
    assert len(set(slugs)) == 7


@pytest.mark.parametrize("payload", [{"name": "A"}, {"name": "x" * 101}, {}, {"name": "Fine", "plan": "enterprise"}])
def test_create_organization_validates_the_name(as_owner, payload):
    response = as_owner.post("/api/v1/organizations", payload, format="json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) <= {"name", "plan"}
    assert Organization.objects.count() == 0


def test_api_keys_cannot_create_organizations(org, owner, api):
    _, raw = factories.make_api_key(org, owner, scopes=["read", "write", "admin"])
    response = api.post("/api/v1/organizations", {"name": "Key Corp"}, format="json", **factories.api_key_header(raw))
    assert response.status_code == 403
    assert not Organization.objects.filter(name="Key Corp").exists()


def test_list_organizations_shows_each_with_the_callers_role(owner, org, as_owner, stranger_org):
    other = factories.make_org(name="Side Project", logo_url="https://example.com/logo.png")
    factories.add_member(other, owner, Role.VIEWER)
    factories.add_member(other, factories.make_profile(), Role.MEMBER)
    response = as_owner.get("/api/v1/organizations")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(org.id),
            "name": "Example Corp",
            "slug": org.slug,
            "plan": "free",
            "logo_url": None,
            "member_count": 1,
            "role": "owner",
            "created_at": response.json()[0]["created_at"],
        },
        {
            "id": str(other.id),
            "name": "Side Project",
            "slug": other.slug,
            "plan": "free",
            "logo_url": "https://example.com/logo.png",
            "member_count": 2,
            "role": "viewer",
            "created_at": response.json()[1]["created_at"],
        },
    ]
    assert _iso(response.json()[0]["created_at"]) == org.created_at


def test_list_with_an_api_key_shows_only_its_organization(owner, org, api):
    factories.make_org(owner, name="Other")
    _, raw = factories.make_api_key(org, owner, scopes=["read"])
    body = api.get("/api/v1/organizations", **factories.api_key_header(raw)).json()
    assert [(o["id"], o["role"]) for o in body] == [(str(org.id), "admin")]


def test_user_organizations_mark_the_default(owner, org, as_owner):
    other = factories.make_org(name="Side Project", plan="team")
    factories.add_member(other, owner, Role.MEMBER)
    UserProfile.objects.filter(pk=owner.pk).update(default_organization_id=org.id)
    response = as_owner.get("/api/v1/users/me/organizations")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(org.id),
            "name": "Example Corp",
            "slug": org.slug,
            "role": "owner",
            "plan": "free",
            "member_count": 1,
            "is_default": True,
        },
        {
            "id": str(other.id),
            "name": "Side Project",
            "slug": other.slug,
            "role": "member",
            "plan": "team",
            "member_count": 1,
            "is_default": False,
        },
    ]


def test_pending_invitees_are_not_counted_as_members(org, as_owner):
    Membership.objects.create(organization=org, user_id="pending_x", email="p@example.com", status="pending")
    assert as_owner.get(f"/api/v1/organizations/{org.id}").json()["member_count"] == 1


def test_get_organization_for_each_role_and_404_for_strangers(org, as_owner, stranger_org):
    _, viewer = _member_client(org, Role.VIEWER)
    body = viewer.get(f"/api/v1/organizations/{org.id}").json()
    assert set(body) == FULL_FIELDS
    assert body["id"] == str(org.id)
    assert as_owner.get(f"/api/v1/organizations/{org.id}").status_code == 200
    response = as_owner.get(f"/api/v1/organizations/{stranger_org.id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Organization not found", "status_code": 404, "code": "not_found"}
    assert as_owner.get("/api/v1/organizations/not-a-uuid").status_code == 404


def test_update_organization_as_admin(org):
    _, admin = _member_client(org, Role.ADMIN)
    payload = {
        "name": "Updated Company Name",
        "logo_url": "https://example.com/new-logo.png",
        "domain": "Example.com",
        "ai_budget_daily": 5.0,
        "ai_budget_monthly": 100.5,
        "settings": {"default_test_timeout": 600},
        "features": {"visual_regression": True},
        "sso_enabled": True,
    }
    response = admin.put(f"/api/v1/organizations/{org.id}", payload, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FULL_FIELDS
    assert body["name"] == "Updated Company Name"
    assert body["logo_url"] == "https://example.com/new-logo.png"
    assert body["domain"] == "example.com"
    assert body["ai_budget_daily"] == 5.0
    assert body["ai_budget_monthly"] == 100.5
    assert body["settings"] == {"default_test_timeout": 600}
    assert body["features"] == {"visual_regression": True}
    assert body["sso_enabled"] is True
    assert body["member_count"] == 2
    org.refresh_from_db()
    assert _iso(body["updated_at"]) == org.updated_at
    assert str(org.ai_budget_monthly) == "100.50"


def test_update_accepts_an_unchanged_echo_but_not_a_plan_change(org, as_owner):
    current = as_owner.get(f"/api/v1/organizations/{org.id}").json()
    current["name"] = "Renamed"
    assert as_owner.put(f"/api/v1/organizations/{org.id}", current, format="json").status_code == 200
    for field, value in [
        ("plan", "enterprise"),
        ("stripe_customer_id", "cus_123"),
        ("stripe_subscription_id", "sub_1"),
    ]:
        response = as_owner.put(f"/api/v1/organizations/{org.id}", {field: value}, format="json")
        assert response.status_code == 422
        assert "billing" in response.json()["errors"][field][0]
    org.refresh_from_db()
    assert (org.plan, org.stripe_customer_id) == ("free", None)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A"}, "name"),
        ({"ai_budget_daily": -1}, "ai_budget_daily"),
        ({"ai_budget_monthly": "lots"}, "ai_budget_monthly"),
        ({"logo_url": "nope"}, "logo_url"),
        ({"domain": "not a domain"}, "domain"),
        ({"settings": ["a", "list"]}, "settings"),
        ({"sso_enabled": "maybe"}, "sso_enabled"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_update_organization_validation(org, as_owner, payload, field):
    response = as_owner.put(f"/api/v1/organizations/{org.id}", payload, format="json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    org.refresh_from_db()
    assert org.updated_at is None


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_update_or_delete(org, role):
    _, client = _member_client(org, role)
    response = client.put(f"/api/v1/organizations/{org.id}", {"name": "Nope"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_role"
    assert client.delete(f"/api/v1/organizations/{org.id}").status_code == 403
    assert Organization.objects.get(pk=org.id).name == "Example Corp"


def test_api_key_scopes_for_organization_settings(org, owner, api):
    _, read_write = factories.make_api_key(org, owner, scopes=["read", "write"])
    _, admin = factories.make_api_key(org, owner, scopes=["admin"])
    url = f"/api/v1/organizations/{org.id}"
    assert api.get(url, **factories.api_key_header(read_write)).status_code == 200
    denied = api.put(url, {"name": "Via key"}, format="json", **factories.api_key_header(read_write))
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    assert api.get(url, **factories.api_key_header(admin)).status_code == 403
    assert api.put(url, {"name": "Via key"}, format="json", **factories.api_key_header(admin)).status_code == 200
    # A key is never an owner.
    assert api.delete(url, **factories.api_key_header(admin)).status_code == 403


def test_a_key_of_one_organization_sees_no_other(org, owner, api, stranger_org):
    _, raw = factories.make_api_key(org, owner, scopes=["read", "admin"])
    response = api.get(f"/api/v1/organizations/{stranger_org.id}", **factories.api_key_header(raw))
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()


def test_strangers_get_404_without_data_on_every_organization_endpoint(as_owner, stranger_org):
    base = f"/api/v1/organizations/{stranger_org.id}"
    for response in [
        as_owner.get(base),
        as_owner.put(base, {"name": "Mine now"}, format="json"),
        as_owner.delete(base),
        as_owner.post(f"{base}/transfer", {"new_owner_user_id": "user_x"}, format="json"),
    ]:
        assert response.status_code == 404
        text = response.content.decode()
        assert "Secret" not in text and "s3cr3t" not in text
    assert Organization.objects.filter(pk=stranger_org.pk, name="Secret Corp").exists()


def test_owner_deletes_the_organization_and_defaults_pointing_at_it_are_cleared(owner, org, as_owner):
    project = factories.make_project(org)
    member = factories.make_profile(default_organization_id=org.id, default_project_id=project.id)
    factories.add_member(org, member)
    response = as_owner.delete(f"/api/v1/organizations/{org.id}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Organization 'Example Corp' has been deleted"}
    assert not Organization.objects.filter(pk=org.id).exists()
    member.refresh_from_db()
    assert (member.default_organization_id, member.default_project_id) == (None, None)


def test_admin_cannot_delete_the_organization(org):
    _, admin = _member_client(org, Role.ADMIN)
    response = admin.delete(f"/api/v1/organizations/{org.id}")
    assert response.status_code == 403
    assert Organization.objects.filter(pk=org.id).exists()


def test_transfer_ownership(owner, org, as_owner):
    new_owner, _ = _member_client(org, Role.MEMBER)
    response = as_owner.post(
        f"/api/v1/organizations/{org.id}/transfer", {"new_owner_user_id": new_owner.user_id}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Ownership transferred successfully",
        "new_owner_id": new_owner.user_id,
        "previous_owner_role": "admin",
    }
    roles = dict(Membership.objects.filter(organization=org).values_list("user_id", "role"))
    assert roles == {owner.user_id: "admin", new_owner.user_id: "owner"}
    # The previous owner is an admin now: no second transfer.
    again = as_owner.post(
        f"/api/v1/organizations/{org.id}/transfer", {"new_owner_user_id": owner.user_id}, format="json"
    )
    assert again.status_code == 403


def test_transfer_needs_an_active_member_other_than_the_owner(owner, org, as_owner):
    Membership.objects.create(organization=org, user_id="pending_abc", email="p@example.com", status="pending")
    outsider = factories.make_profile()
    url = f"/api/v1/organizations/{org.id}/transfer"
    for user_id, code in [
        (outsider.user_id, "not_a_member"),
        ("pending_abc", "not_a_member"),
        (owner.user_id, "already_owner"),
    ]:
        response = as_owner.post(url, {"new_owner_user_id": user_id}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == code
    assert as_owner.post(url, {}, format="json").status_code == 422
    assert Membership.objects.get(organization=org, profile=owner).role == Role.OWNER


def test_only_the_owner_transfers(org, owner, api):
    target, admin = _member_client(org, Role.ADMIN)
    url = f"/api/v1/organizations/{org.id}/transfer"
    assert admin.post(url, {"new_owner_user_id": target.user_id}, format="json").status_code == 403
    _, raw = factories.make_api_key(org, owner, scopes=["admin"])
    assert (
        api.post(url, {"new_owner_user_id": target.user_id}, format="json", **factories.api_key_header(raw)).status_code
        == 403
    )
    assert Membership.objects.get(organization=org, profile=owner).role == Role.OWNER
