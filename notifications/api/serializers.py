from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.api.serializers import StrictFieldsMixin
from notifications.models import ChannelType, Delivery, EventType, InboxItem, NotificationChannel, NotificationRule
from notifications.models import Priority as PriorityChoices
from notifications.services.channels import channel_masked_config

MAX_RATE_LIMIT = 100_000
MAX_COOLDOWN_MINUTES = 7 * 24 * 60


class RuleSerializer(serializers.ModelSerializer):
    channel_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = NotificationRule
        fields = [
            "id",
            "channel_id",
            "event_type",
            "priority",
            "cooldown_minutes",
            "project_ids",
            "tags",
            "branches",
            "enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RuleInputSerializer(StrictFieldsMixin, serializers.Serializer):
    """A rule: which event, how urgent, how often at most, and optional conditions (empty: any)."""

    tolerated_fields = frozenset({"id", "channel_id", "created_at", "updated_at"})

    event_type = serializers.ChoiceField(choices=EventType.choices)
    priority = serializers.ChoiceField(choices=PriorityChoices.choices, default=PriorityChoices.NORMAL)
    cooldown_minutes = serializers.IntegerField(min_value=0, max_value=MAX_COOLDOWN_MINUTES, default=0)
    project_ids = serializers.ListField(child=serializers.UUIDField(), max_length=100, default=list)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), max_length=50, default=list)
    branches = serializers.ListField(child=serializers.CharField(max_length=255), max_length=50, default=list)
    enabled = serializers.BooleanField(default=True)


class ChannelListSerializer(serializers.ModelSerializer):
    """The reference's list shape."""

    sent_today = serializers.IntegerField(read_only=True)

    class Meta:
        model = NotificationChannel
        fields = ["id", "name", "channel_type", "enabled", "verified", "rate_limit_per_hour", "sent_today"]
        read_only_fields = fields


class ChannelSerializer(ChannelListSerializer):
    organization_id = serializers.UUIDField(read_only=True)
    config = serializers.SerializerMethodField()
    rules = RuleSerializer(many=True, read_only=True)

    class Meta:
        model = NotificationChannel
        fields = [
            *ChannelListSerializer.Meta.fields,
            "organization_id",
            "config",
            "disabled_reason",
            "last_error",
            "rules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_config(self, channel: NotificationChannel) -> dict[str, Any]:
        return channel_masked_config(channel)


class ChannelCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    organization_id = serializers.UUIDField(required=False, help_text="Default: the caller's default organization")
    name = serializers.CharField(min_length=1, max_length=100)
    channel_type = serializers.ChoiceField(choices=ChannelType.choices)
    config = serializers.DictField(
        help_text="email: {recipients}; slack: {webhook_url}; webhook: {url, secret, headers?}; in_app: {user_ids?}"
    )
    enabled = serializers.BooleanField(default=True)
    rate_limit_per_hour = serializers.IntegerField(min_value=1, max_value=MAX_RATE_LIMIT, default=60)
    rules = RuleInputSerializer(many=True, required=False, default=list)


class ChannelUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """PUT: name and config required; PATCH: any subset. Masked secrets sent back keep their value."""

    tolerated_fields = frozenset(
        {
            "id",
            "organization_id",
            "channel_type",
            "verified",
            "sent_today",
            "disabled_reason",
            "last_error",
            "rules",
            "created_at",
            "updated_at",
        }
    )

    name = serializers.CharField(min_length=1, max_length=100)
    config = serializers.DictField()
    enabled = serializers.BooleanField(required=False)
    rate_limit_per_hour = serializers.IntegerField(min_value=1, max_value=MAX_RATE_LIMIT, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        channel: NotificationChannel = self.context["channel"]
        sent = self.initial_data.get("channel_type") if isinstance(self.initial_data, dict) else None
        if sent is not None and sent != channel.channel_type:
            raise serializers.ValidationError({"channel_type": ["A channel's type cannot change; create a new one."]})
        return attrs


class OrganizationQuerySerializer(serializers.Serializer):
    organization_id = serializers.UUIDField(required=False)


class PageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)
    offset = serializers.IntegerField(min_value=0, default=0)


class DeliveryQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)


class InboxQuerySerializer(PageQuerySerializer):
    organization_id = serializers.UUIDField(required=False)
    unread = serializers.BooleanField(required=False, default=False)


class DeliverySerializer(serializers.ModelSerializer):
    channel_id = serializers.UUIDField(read_only=True)
    rule_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel_id",
            "rule_id",
            "event_type",
            "subject_key",
            "priority",
            "status",
            "reason",
            "attempts",
            "response_code",
            "created_at",
            "sent_at",
            "next_attempt_at",
        ]
        read_only_fields = fields


class ChannelTestResultSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    verified = serializers.BooleanField()
    delivery = DeliverySerializer()


class InboxItemSerializer(serializers.ModelSerializer):
    organization_id = serializers.UUIDField(read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = InboxItem
        fields = [
            "id",
            "organization_id",
            "event_type",
            "priority",
            "title",
            "body",
            "url",
            "data",
            "read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_read(self, item: InboxItem) -> bool:
        return item.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedReadSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    marked = serializers.IntegerField()
