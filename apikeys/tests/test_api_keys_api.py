import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys.models import APIKey
from apikeys.services import hash_key
from organizations.roles import Role
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

KEY_FIELDS = {
    "id",
    "name",
    "key_prefix",
    "scopes",
    "last_used_at",
    "request_count",
    "expires_at",
    "revoked_at",
    "created_at",
    "is_active",
}
# argus_sk_ and at least 32 random bytes in the URL-safe base64 alphabet (43 characters).
KEY_FORMAT = re.compile(r"^argus_sk_[A-Za-z0-9_-]{43,}$")


def _url(org, key_id=None, suffix=""):
    base = f"/api/v1/api-keys/organizations/{org.id}/keys"
    return f"{base}/{key_id}{suffix}" if key_id else base


def _me(api, raw):
    return api.get("/api/v1/users/me", **factories.api_key_header(raw))


def test_create_key_shows_it_once_and_stores_only_its_hash(org, owner, as_owner, api):
    payload = {"name": "Production API Key", "scopes": ["tests", "read", "write"], "expires_in_days": 365}
    response = as_owner.post(_url(org), payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == KEY_FIELDS | {"key"}
    raw = body["key"]
    assert KEY_FORMAT.match(raw)
    assert body["key_prefix"] == raw[:15]
    assert body["name"] == "Production API Key"
    assert body["scopes"] == ["read", "write", "tests"]
    assert body["last_used_at"] is None
    assert body["request_count"] == 0
    assert body["revoked_at"] is None
    assert body["is_active"] is True
    key = APIKey.objects.get(pk=body["id"])
    assert key.key_hash == hash_key(raw)
    assert not APIKey.objects.filter(key_hash=raw).exists()
    assert (key.organization, key.created_by) == (org, owner)
    expected = timezone.now() + timedelta(days=365)
    assert abs((key.expires_at - expected).total_seconds()) < 60
    # The key works, and it is never shown again.
    assert _me(api, raw).status_code == 200
    listed = as_owner.get(_url(org)).json()
    assert "key" not in listed[0]
    assert raw not in as_owner.get(_url(org)).content.decode()


def test_create_key_defaults(org, as_owner):
    body = as_owner.post(_url(org), {"name": "CI"}, format="json").json()
    assert body["scopes"] == ["read", "write"]
    assert body["expires_at"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({}, "name"),
        ({"name": "k", "scopes": ["read", "superuser"]}, "scopes"),
        ({"name": "k", "scopes": []}, "scopes"),
        ({"name": "k", "scopes": "read"}, "scopes"),
        ({"name": "k", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "k", "expires_in_days": 366}, "expires_in_days"),
        ({"name": "k", "key": "argus_sk_chosen"}, "key"),
    ],
)
def test_create_key_validation(org, as_owner, payload, field):
    response = as_owner.post(_url(org), payload, format="json")
    assert response.status_code == 422
    assert any(name.startswith(field) for name in response.json()["errors"])
    assert not APIKey.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_only_admins_manage_keys(org, owner, role):
    profile = factories.make_profile()
    factories.add_member(org, profile, role)
    client = client_for(profile)
    key, _ = factories.make_api_key(org, owner)
    for response in [
        client.get(_url(org)),
        client.post(_url(org), {"name": "mine"}, format="json"),
        client.post(_url(org, key.id, "/rotate"), {}, format="json"),
        client.delete(_url(org, key.id)),
    ]:
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"
    key.refresh_from_db()
    assert key.revoked_at is None


def test_admins_manage_keys(org):
    profile = factories.make_profile()
    factories.add_member(org, profile, Role.ADMIN)
    assert client_for(profile).post(_url(org), {"name": "admin's"}, format="json").status_code == 201


def test_keys_need_the_admin_scope_and_cannot_escalate(org, owner, api):
    _, plain = factories.make_api_key(org, owner, scopes=["read", "write", "tests", "webhooks"])
    response = api.get(_url(org), **factories.api_key_header(plain))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    _, admin = factories.make_api_key(org, owner, scopes=["admin", "read"])
    assert api.get(_url(org), **factories.api_key_header(admin)).status_code == 200
    narrower = api.post(_url(org), {"name": "n", "scopes": ["read"]}, format="json", **factories.api_key_header(admin))
    assert narrower.status_code == 201
    broader = api.post(_url(org), {"name": "b", "scopes": ["write"]}, format="json", **factories.api_key_header(admin))
    assert broader.status_code == 403
    assert broader.json()["code"] == "scope_escalation"


def test_list_hides_revoked_keys_unless_asked(org, owner, as_owner):
    active, _ = factories.make_api_key(org, owner, scopes=["read"])
    revoked, _ = factories.make_api_key(org, owner)
    APIKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expired, _ = factories.make_api_key(org, owner)
    APIKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    body = as_owner.get(_url(org)).json()
    assert {row["id"] for row in body} == {str(active.id), str(expired.id)}
    row = next(row for row in body if row["id"] == str(active.id))
    assert set(row) == KEY_FIELDS
    assert row == {
        "id": str(active.id),
        "name": active.name,
        "key_prefix": active.key_prefix,
        "scopes": ["read"],
        "last_used_at": None,
        "request_count": 0,
        "expires_at": None,
        "revoked_at": None,
        "created_at": row["created_at"],
        "is_active": True,
    }
    assert next(row for row in body if row["id"] == str(expired.id))["is_active"] is False
    everything = as_owner.get(_url(org), {"include_revoked": "true"}).json()
    assert {row["id"] for row in everything} == {str(active.id), str(revoked.id), str(expired.id)}
    assert as_owner.get(_url(org), {"include_revoked": "perhaps"}).status_code == 422


def test_usage_is_counted(org, owner, api, as_owner):
    key, raw = factories.make_api_key(org, owner, scopes=["read"])
    for _ in range(3):
        assert _me(api, raw).status_code == 200
    row = next(r for r in as_owner.get(_url(org)).json() if r["id"] == str(key.id))
    assert row["request_count"] == 3
    assert row["last_used_at"] is not None


def test_expired_and_revoked_keys_get_401(org, owner, api):
    expired, expired_raw = factories.make_api_key(org, owner)
    APIKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, revoked_raw = factories.make_api_key(org, owner)
    APIKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    for raw in [expired_raw, revoked_raw, "argus_sk_" + "A" * 43, "not_even_a_key"]:
        response = _me(api, raw)
        assert response.status_code == 401
        assert response.json()["status_code"] == 401


def test_revoke(org, owner, as_owner, api):
    key, raw = factories.make_api_key(org, owner)
    response = as_owner.delete(_url(org, key.id))
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "API key revoked"}
    assert _me(api, raw).status_code == 401
    key.refresh_from_db()
    revoked_at = key.revoked_at
    assert revoked_at is not None
    # Revoking again changes nothing.
    assert as_owner.delete(_url(org, key.id)).status_code == 200
    key.refresh_from_db()
    assert key.revoked_at == revoked_at


def test_rotate_creates_the_same_key_and_revokes_the_old(org, owner, as_owner, api):
    old, old_raw = factories.make_api_key(org, owner, scopes=["read", "write", "tests"], expires_in_days=30)
    response = as_owner.post(_url(org, old.id, "/rotate"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"old_key_id", "new_key", "message"}
    assert body["old_key_id"] == str(old.id)
    assert body["message"] == "Key rotated successfully. The old key has been revoked."
    new = body["new_key"]
    assert set(new) == KEY_FIELDS | {"key"}
    assert new["name"] == f"{old.name} (rotated)"
    assert new["scopes"] == ["read", "write", "tests"]
    assert new["expires_at"] == old.expires_at.isoformat().replace("+00:00", "Z")
    assert (new["request_count"], new["last_used_at"], new["revoked_at"], new["is_active"]) == (0, None, None, True)
    assert KEY_FORMAT.match(new["key"]) and new["key"] != old_raw
    assert _me(api, old_raw).status_code == 401
    assert _me(api, new["key"]).status_code == 200
    again = as_owner.post(_url(org, old.id, "/rotate"))
    assert again.status_code == 400
    assert again.json()["code"] == "key_revoked"


def test_rotation_with_a_grace_period_keeps_the_old_key_for_a_while(org, owner, as_owner, api):
    old, old_raw = factories.make_api_key(org, owner)
    response = as_owner.post(_url(org, old.id, "/rotate"), {"grace_period_minutes": 15}, format="json")
    assert response.status_code == 200
    assert "15 more minutes" in response.json()["message"]
    new_raw = response.json()["new_key"]["key"]
    old.refresh_from_db()
    assert abs((old.revoked_at - (timezone.now() + timedelta(minutes=15))).total_seconds()) < 60
    assert _me(api, old_raw).status_code == 200
    assert _me(api, new_raw).status_code == 200
    # Still listed as a working key during the grace period.
    assert str(old.id) in {row["id"] for row in as_owner.get(_url(org)).json()}
    # When the grace period has passed the old key is refused.
    APIKey.objects.filter(pk=old.pk).update(revoked_at=timezone.now() - timedelta(seconds=1))
    assert _me(api, old_raw).status_code == 401
    assert _me(api, new_raw).status_code == 200


def test_revoking_during_the_grace_period_stops_the_key_now(org, owner, as_owner, api):
    old, old_raw = factories.make_api_key(org, owner)
    as_owner.post(_url(org, old.id, "/rotate"), {"grace_period_minutes": 60}, format="json")
    assert as_owner.delete(_url(org, old.id)).status_code == 200
    assert _me(api, old_raw).status_code == 401


@pytest.mark.parametrize("grace", [-1, 1441, "soon"])
def test_rotation_validation(org, owner, as_owner, grace):
    old, _ = factories.make_api_key(org, owner)
    response = as_owner.post(_url(org, old.id, "/rotate"), {"grace_period_minutes": grace}, format="json")
    assert response.status_code == 422
    assert "grace_period_minutes" in response.json()["errors"]
    old.refresh_from_db()
    assert old.revoked_at is None
    assert APIKey.objects.count() == 1


def test_an_expired_key_cannot_be_rotated(org, owner, as_owner):
    old, _ = factories.make_api_key(org, owner)
    APIKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = as_owner.post(_url(org, old.id, "/rotate"))
    assert response.status_code == 400
    assert response.json()["code"] == "key_expired"


def test_keys_of_another_organization_are_404(org, owner, as_owner, api):
    stranger = factories.make_profile("stranger@example.com")
    other = factories.make_org(stranger, name="Secret Corp")
    theirs, their_raw = factories.make_api_key(other, stranger, scopes=["admin"])
    for response in [
        as_owner.get(_url(other)),
        as_owner.post(_url(other), {"name": "sneaky"}, format="json"),
        as_owner.delete(_url(org, theirs.id)),
        as_owner.post(_url(org, theirs.id, "/rotate")),
        as_owner.delete(_url(other, theirs.id)),
    ]:
        assert response.status_code == 404
        assert theirs.key_prefix not in response.content.decode()
    # A key of the other organization cannot reach this one either.
    assert api.get(_url(org), **factories.api_key_header(their_raw)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert APIKey.objects.filter(organization=other).count() == 1


def test_removing_a_member_revokes_the_keys_they_created_there(org, owner, as_owner, api):
    departing = factories.make_profile()
    membership = factories.add_member(org, departing, Role.ADMIN)
    _, their_raw = factories.make_api_key(org, departing, scopes=["read", "admin"])
    handed_over, _ = factories.make_api_key(org, departing, scopes=["read"])
    rotated = as_owner.post(_url(org, handed_over.id, "/rotate"), {"grace_period_minutes": 60}, format="json").json()
    _, owners_raw = factories.make_api_key(org, owner, scopes=["read"])
    elsewhere = factories.make_org(departing, name="Their Own")
    _, elsewhere_raw = factories.make_api_key(elsewhere, departing, scopes=["read"])
    assert as_owner.delete(f"/api/v1/teams/organizations/{org.id}/members/{membership.id}").status_code == 200
    assert _me(api, their_raw).status_code == 401
    # The key rotated by someone who stays now belongs to them; keys elsewhere are untouched.
    assert _me(api, rotated["new_key"]["key"]).status_code == 200
    assert _me(api, owners_raw).status_code == 200
    assert _me(api, elsewhere_raw).status_code == 200
