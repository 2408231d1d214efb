"""The operators' admin: pages render, and its actions go through the same services as the API."""

import pytest
from django.utils import timezone

from apikeys.models import APIKey
from organizations.models import Invitation, Membership
from organizations.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # admin_client creates a superuser; the production hasher's deliberate slowness buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


MODELS = [
    "accounts/userprofile",
    "organizations/organization",
    "organizations/membership",
    "organizations/invitation",
    "apikeys/apikey",
    "projects/project",
    "projects/testdefinition",
]


def test_changelists_and_change_pages_render(admin_client, org, owner):
    factories.make_api_key(org, owner)
    project = factories.make_project(org)
    factories.make_test(project, steps=["Click Sign in"])
    membership = Membership.objects.create(
        organization=org, user_id="pending_a", email="p@example.com", status="pending"
    )
    Invitation.objects.create(
        organization=org, membership=membership, email="p@example.com", token_hash="0" * 64, expires_at=timezone.now()
    )
    for model in MODELS:
        assert admin_client.get(f"/admin/{model}/", {"q": "example"}).status_code == 200
        response = admin_client.get(f"/admin/{model}/")
        first = response.context["cl"].result_list[0]
        assert admin_client.get(f"/admin/{model}/{first.pk}/change/").status_code == 200, model


def test_revoke_action_uses_the_service(admin_client, org, owner, api):
    key, raw = factories.make_api_key(org, owner, scopes=["read"])
    response = admin_client.post(
        "/admin/apikeys/apikey/", {"action": "revoke_keys", "_selected_action": [str(key.pk)]}, follow=True
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api.get("/api/v1/users/me", **factories.api_key_header(raw)).status_code == 401
    assert APIKey.objects.count() == 1


def test_remove_member_action_keeps_the_owner(admin_client, org, owner):
    member = factories.add_member(org, factories.make_profile(), Role.ADMIN)
    owner_membership = Membership.objects.get(organization=org, profile=owner)
    response = admin_client.post(
        "/admin/organizations/membership/",
        {"action": "remove_members", "_selected_action": [str(member.pk), str(owner_membership.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("Cannot remove organization owner" in m for m in messages)
    assert any("Removed 1 member" in m for m in messages)
    assert list(Membership.objects.filter(organization=org)) == [owner_membership]


def test_removing_a_pending_member_revokes_the_invitation(org, as_owner, mailoutbox):
    response = as_owner.post(
        f"/api/v1/teams/organizations/{org.id}/members/invite", {"email": "h@example.com"}, format="json"
    )
    member_id = response.json()["id"]
    assert as_owner.delete(f"/api/v1/teams/organizations/{org.id}/members/{member_id}").status_code == 200
    invitation = Invitation.objects.get(email="h@example.com")
    assert invitation.revoked_at is not None
    assert invitation.membership is None
