from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import StrictFieldsMixin
from apikeys.models import DEFAULT_SCOPES, APIKey, Scope

MAX_GRACE_MINUTES = 24 * 60


class APIKeySerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = APIKey
        fields = [
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
        ]
        read_only_fields = fields


class APIKeyCreatedSerializer(APIKeySerializer):
    """A key as returned once, at creation or rotation: the only time `key` is shown."""

    key = serializers.SerializerMethodField()

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields[:3], "key", *APIKeySerializer.Meta.fields[3:]]
        read_only_fields = fields

    def get_key(self, key: APIKey) -> str:
        return self.context["raw_key"]


class APIKeyCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), required=False, default=list(DEFAULT_SCOPES)
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, allow_null=True, default=None
    )

    def validate_scopes(self, value: list[str]) -> list[str]:
        if not value:
            raise serializers.ValidationError("A key needs at least one scope.")
        return list(dict.fromkeys(value))


class APIKeyRotateSerializer(StrictFieldsMixin, serializers.Serializer):
    grace_period_minutes = serializers.IntegerField(min_value=0, max_value=MAX_GRACE_MINUTES, required=False, default=0)


class APIKeyRotatedSerializer(serializers.Serializer):
    old_key_id = serializers.UUIDField()
    new_key = APIKeyCreatedSerializer()
    message = serializers.CharField()


class IncludeRevokedSerializer(serializers.Serializer):
    include_revoked = serializers.BooleanField(required=False, default=False)
