"""ProfileSerializer writes its output by hand for speed; it must stay equal to ModelSerializer's."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.api.serializers import ProfileSerializer
from accounts.models import UserProfile

pytestmark = pytest.mark.django_db


def _profiles() -> list[UserProfile]:
    bare = UserProfile.objects.create(user_id="user_bare", email="bare@example.com")
    full = UserProfile.objects.create(
        user_id="user_full",
        email="full@example.com",
        display_name="Full Name",
        avatar_url="https://example.com/a.png",
        bio="",
        timezone="Europe/Madrid",
        language="pt-BR",
        theme=UserProfile.Theme.DARK,
        notification_preferences={"email_test_failures": False, "slack_test_failures": True},
        default_organization_id=uuid.uuid4(),
        default_project_id=uuid.uuid4(),
        onboarding_completed=True,
        onboarding_step=4,
        last_login_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        last_active_at=timezone.now() - timedelta(minutes=3),
        login_count=12,
    )
    # Stored before a preference existed: the answer still has every key.
    legacy = UserProfile.objects.create(user_id="user_legacy", email="legacy@example.com")
    UserProfile.objects.filter(pk=legacy.pk).update(notification_preferences={})
    return [UserProfile.objects.get(pk=p.pk) for p in (bare, full, legacy)]


def test_hand_written_output_equals_the_model_serializers():
    for profile in _profiles():
        serializer = ProfileSerializer(profile)
        assert serializer.data == serializer.field_representation(profile)


def test_hand_written_output_has_exactly_the_declared_fields():
    profile = _profiles()[0]
    assert list(ProfileSerializer(profile).data) == ProfileSerializer.Meta.fields


def test_output_follows_the_active_time_zone_like_the_model_serializer():
    profile = _profiles()[1]
    with timezone.override("America/New_York"):
        serializer = ProfileSerializer(profile)
        assert serializer.data == serializer.field_representation(profile)
        assert serializer.data["last_login_at"].endswith("-05:00")
