from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import DEFAULT_NOTIFICATION_PREFERENCES, UserProfile

# BCP 47 primary language with optional subtags: "en", "es", "pt-BR", "zh-Hant".
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@lru_cache(maxsize=1)
def available_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class StrictFieldsMixin:
    """Refuse keys the serializer does not know, so a typo or a read-only field is never silently ignored.

    `tolerated_fields` are response fields a client may echo back unchanged (GET, edit, PUT); they are
    accepted and ignored.
    """

    tolerated_fields: frozenset[str] = frozenset()

    # In to_internal_value rather than validate so that nested serializers (which have no initial_data)
    # are strict too, and unknown keys are reported together with the other fields' errors.
    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            known = set(self.fields) | self.tolerated_fields  # type: ignore[attr-defined]
            unknown = {name: ["This field is not allowed here."] for name in sorted(set(data) - known)}
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                exc.detail.update(unknown)
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class NotificationPreferencesSerializer(StrictFieldsMixin, serializers.Serializer):
    email_test_failures = serializers.BooleanField(required=False)
    email_test_completions = serializers.BooleanField(required=False)
    email_weekly_digest = serializers.BooleanField(required=False)
    slack_test_failures = serializers.BooleanField(required=False)
    slack_test_completions = serializers.BooleanField(required=False)
    in_app_test_failures = serializers.BooleanField(required=False)
    in_app_test_completions = serializers.BooleanField(required=False)


class NotificationPreferencesOutSerializer(serializers.Serializer):
    email_test_failures = serializers.BooleanField()
    email_test_completions = serializers.BooleanField()
    email_weekly_digest = serializers.BooleanField()
    slack_test_failures = serializers.BooleanField()
    slack_test_completions = serializers.BooleanField()
    in_app_test_failures = serializers.BooleanField()
    in_app_test_completions = serializers.BooleanField()


class ProfileSerializer(serializers.ModelSerializer):
    notification_preferences = serializers.SerializerMethodField()

    class Meta:
        model = UserProfile
        fields = [
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
        ]
        read_only_fields = fields

    @extend_schema_field(NotificationPreferencesOutSerializer)
    def get_notification_preferences(self, profile: UserProfile) -> dict[str, bool]:
        # Every key, always: rows stored before a preference existed still answer with its default.
        return {**DEFAULT_NOTIFICATION_PREFERENCES, **(profile.notification_preferences or {})}

    # GET users/me is the most frequent authenticated request, and a ModelSerializer builds its 19
    # fields from the model's metadata on every instantiation (~0.5 ms, as much as the rest of the
    # view). The fields stay declared above for the schema and for `field_representation`; the output
    # is written out here with the same field classes' conversions, and a test holds it equal to
    # ModelSerializer's own for every field.
    def to_representation(self, instance: UserProfile) -> dict[str, Any]:
        return {
            "id": str(instance.id),
            "user_id": instance.user_id,
            "email": instance.email,
            "display_name": instance.display_name,
            "avatar_url": instance.avatar_url,
            "bio": instance.bio,
            "timezone": instance.timezone,
            "language": instance.language,
            "theme": instance.theme,
            "notification_preferences": self.get_notification_preferences(instance),
            "default_organization_id": _uuid(instance.default_organization_id),
            "default_project_id": _uuid(instance.default_project_id),
            "onboarding_completed": instance.onboarding_completed,
            "onboarding_step": instance.onboarding_step,
            "last_login_at": _datetime(instance.last_login_at),
            "last_active_at": _datetime(instance.last_active_at),
            "login_count": instance.login_count,
            "created_at": _datetime(instance.created_at),
            "updated_at": _datetime(instance.updated_at),
        }

    def field_representation(self, instance: UserProfile) -> dict[str, Any]:
        """The generic ModelSerializer output, which `to_representation` must equal (tests)."""
        return super().to_representation(instance)


_DATETIME = serializers.DateTimeField()


def _datetime(value: Any) -> str | None:
    # DRF's own conversion (current time zone, ISO 8601 with "Z"), minus building the field per request.
    return None if value is None else _DATETIME.to_representation(value)


def _uuid(value: Any) -> str | None:
    return None if value is None else str(value)


class ProfileUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    tolerated_fields = frozenset(ProfileSerializer.Meta.fields) - {
        "display_name",
        "avatar_url",
        "bio",
        "timezone",
        "language",
        "theme",
    }

    display_name = serializers.CharField(min_length=1, max_length=100, required=False)
    avatar_url = serializers.URLField(max_length=500, required=False, allow_null=True)
    bio = serializers.CharField(max_length=500, required=False, allow_null=True, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)
    language = serializers.CharField(max_length=16, required=False)
    theme = serializers.ChoiceField(choices=UserProfile.Theme.choices, required=False)

    def validate_avatar_url(self, value: str | None) -> str | None:
        return value or None

    def validate_timezone(self, value: str) -> str:
        if value not in available_timezones():
            raise serializers.ValidationError(f"'{value}' is not an IANA time zone (for example 'Europe/London').")
        return value

    def validate_language(self, value: str) -> str:
        if not LANGUAGE_CODE.match(value):
            raise serializers.ValidationError(f"'{value}' is not a language code (for example 'en' or 'pt-BR').")
        return value
