from datetime import datetime

import pytest

from accounts.jwt import mint_local_token
from accounts.models import DEFAULT_NOTIFICATION_PREFERENCES, UserProfile
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PROFILE_FIELDS = {
    "id",
    "user_id",
    "email",
    "display_name",
    "avatar_url",
    "bio",
    "timezone",
    "language",
    "theme",
    "notification_preferences",
    "default_organization_id",
    "default_project_id",
    "onboarding_completed",
    "onboarding_step",
    "last_login_at",
    "last_active_at",
    "login_count",
    "created_at",
    "updated_at",
}


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_get_me_creates_the_profile_from_a_real_jwt(api):
    token = mint_local_token(email="Jane.Doe@example.com", user_id="user_2abc123def456")
    response = api.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_FIELDS
    profile = UserProfile.objects.get(user_id="user_2abc123def456")
    assert body["id"] == str(profile.id)
    assert body["user_id"] == "user_2abc123def456"
    assert body["email"] == "Jane.Doe@example.com"
    assert body["display_name"] == "Jane.Doe"
    assert body["avatar_url"] is None
    assert body["bio"] is None
    assert body["timezone"] == "UTC"
    assert body["language"] == "en"
    assert body["theme"] == "system"
    assert body["notification_preferences"] == DEFAULT_NOTIFICATION_PREFERENCES
    assert body["default_organization_id"] is None
    assert body["default_project_id"] is None
    assert body["onboarding_completed"] is False
    assert body["onboarding_step"] == 0
    assert body["login_count"] == 1
    assert _iso(body["last_login_at"]) == profile.last_login_at
    assert _iso(body["last_active_at"]) == profile.last_active_at
    assert _iso(body["created_at"]) == profile.created_at
    assert _iso(body["updated_at"]) == profile.updated_at
    # A second request finds the same profile instead of creating another.
    again = api.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert again.json()["id"] == body["id"]
    assert UserProfile.objects.count() == 1


def test_get_me_with_an_api_key_is_the_key_creators_profile(org, owner, api):
    _, raw = factories.make_api_key(org, owner, scopes=["read"])
    response = api.get("/api/v1/users/me", **factories.api_key_header(raw))
    assert response.status_code == 200
    assert response.json()["user_id"] == owner.user_id


def test_api_key_without_read_scope_cannot_read_me(org, owner, api):
    _, raw = factories.make_api_key(org, owner, scopes=["tests"])
    response = api.get("/api/v1/users/me", **factories.api_key_header(raw))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("headers", "detail_part"),
    [
        ({}, "credentials"),
        ({"HTTP_AUTHORIZATION": "Bearer not-a-jwt"}, "token"),
        ({"HTTP_AUTHORIZATION": "Bearer a b"}, "Invalid Authorization header"),
        ({"HTTP_X_API_KEY": "argus_sk_unknown"}, "Invalid, expired or revoked API key"),
    ],
)
def test_me_needs_valid_credentials(api, headers, detail_part):
    response = api.get("/api/v1/users/me", **headers)
    assert response.status_code == 401
    assert response.json()["status_code"] == 401
    assert detail_part in response.json()["detail"]


def test_an_expired_jwt_is_refused(api):
    token = mint_local_token(email="late@example.com", ttl_seconds=-120)
    response = api.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token has expired"


def test_update_profile_changes_every_field(owner, as_owner):
    payload = {
        "display_name": "Jane Doe",
        "avatar_url": "https://example.com/new-avatar.jpg",
        "bio": "Senior QA Lead",
        "timezone": "Europe/London",
        "language": "pt-BR",
        "theme": "light",
    }
    response = as_owner.put("/api/v1/users/me", payload, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_FIELDS
    for name, value in payload.items():
        assert body[name] == value
    owner.refresh_from_db()
    assert owner.display_name == "Jane Doe"
    assert owner.timezone == "Europe/London"
    assert owner.theme == "light"
    assert _iso(body["updated_at"]) == owner.updated_at


def test_update_profile_is_partial_and_accepts_echoed_read_only_fields(owner, as_owner):
    UserProfile.objects.filter(pk=owner.pk).update(display_name="Owner")
    current = as_owner.get("/api/v1/users/me").json()
    current["bio"] = "Only the bio changes"
    response = as_owner.put("/api/v1/users/me", current, format="json")
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.bio == "Only the bio changes"
    assert owner.email == "owner@example.com"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 101}, "display_name"),
        ({"avatar_url": "not a url"}, "avatar_url"),
        ({"avatar_url": "https://example.com/" + "a" * 490}, "avatar_url"),
        ({"bio": "b" * 501}, "bio"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"language": "English!"}, "language"),
        ({"theme": "sepia"}, "theme"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_update_profile_rejects_invalid_fields(owner, as_owner, payload, field):
    as_owner.get("/api/v1/users/me")  # the first authenticated request records the login
    before = UserProfile.objects.values().get(pk=owner.pk)
    response = as_owner.put("/api/v1/users/me", payload, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["status_code"] == 422
    assert body["code"] == "validation_error"
    assert field in body["errors"]
    assert UserProfile.objects.values().get(pk=owner.pk) == before


def test_api_keys_cannot_change_the_creators_profile(org, owner, api):
    _, raw = factories.make_api_key(org, owner, scopes=["read", "write", "admin"])
    attempts = [("/api/v1/users/me", {"bio": "x"}), ("/api/v1/users/me/preferences", {"email_weekly_digest": False})]
    for path, body in attempts:
        response = api.put(path, body, format="json", **factories.api_key_header(raw))
        assert response.status_code == 403
        assert response.json()["code"] == "user_token_required"
    owner.refresh_from_db()
    assert owner.bio is None


def test_update_preferences_is_partial_and_returns_the_profile(owner, as_owner):
    response = as_owner.put(
        "/api/v1/users/me/preferences", {"slack_test_failures": True, "email_weekly_digest": False}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_FIELDS
    assert body["notification_preferences"] == {
        **DEFAULT_NOTIFICATION_PREFERENCES,
        "slack_test_failures": True,
        "email_weekly_digest": False,
    }
    response = as_owner.put("/api/v1/users/me/preferences", {"in_app_test_completions": False}, format="json")
    owner.refresh_from_db()
    assert owner.notification_preferences["slack_test_failures"] is True
    assert owner.notification_preferences["in_app_test_completions"] is False
    assert response.json()["notification_preferences"] == owner.notification_preferences


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"email_everything": True}, "email_everything"), ({"email_test_failures": "sometimes"}, "email_test_failures")],
)
def test_update_preferences_rejects_unknown_keys_and_non_booleans(owner, as_owner, payload, field):
    response = as_owner.put("/api/v1/users/me/preferences", payload, format="json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    owner.refresh_from_db()
    assert owner.notification_preferences == DEFAULT_NOTIFICATION_PREFERENCES


def test_a_profile_token_for_another_person_sees_only_their_own_profile(owner):
    other = factories.make_profile("other@example.com")
    body = client_for(other).get("/api/v1/users/me").json()
    assert body["user_id"] == other.user_id
    assert body["email"] == "other@example.com"
