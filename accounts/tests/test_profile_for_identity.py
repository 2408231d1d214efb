"""profile_for_identity reads with hand-written SQL: the profile must be the ORM's, and always fresh."""

import uuid

import pytest
from django.utils import timezone

from accounts.models import UserProfile
from accounts.services import profile_for_identity, profile_update

pytestmark = pytest.mark.django_db


def test_the_profile_equals_the_orms_field_for_field(django_assert_num_queries):
    created = UserProfile.objects.create(
        user_id="user_fields",
        email="fields@example.com",
        avatar_url="https://example.com/a.png",
        notification_preferences={"email_weekly_digest": False},
        default_organization_id=uuid.uuid4(),
        onboarding_step=2,
        last_active_at=timezone.now(),
    )
    with django_assert_num_queries(1):  # recently active: a read, no write
        loaded = profile_for_identity(user_id="user_fields", email="fields@example.com")
    expected = UserProfile.objects.get(pk=created.pk)
    for field in UserProfile._meta.concrete_fields:
        got, want = getattr(loaded, field.attname), getattr(expected, field.attname)
        assert (got, type(got)) == (want, type(want)), field.name
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


def test_a_change_is_seen_by_the_next_request():
    profile = profile_for_identity(user_id="user_fresh", email="fresh@example.com")
    profile_update(profile=UserProfile.objects.get(pk=profile.pk), fields={"display_name": "Renamed"})
    assert profile_for_identity(user_id="user_fresh", email="fresh@example.com").display_name == "Renamed"
    UserProfile.objects.filter(pk=profile.pk).update(theme="dark")
    assert profile_for_identity(user_id="user_fresh", email="fresh@example.com").theme == "dark"


def test_an_unknown_identity_is_created_once():
    first = profile_for_identity(user_id="user_new", email="new@example.com")
    again = profile_for_identity(user_id="user_new", email="new@example.com")
    assert first.pk == again.pk
    assert UserProfile.objects.filter(user_id="user_new").count() == 1
