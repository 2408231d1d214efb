from __future__ import annotations

import uuid

from django.db import models

from accounts.models import UserProfile
from organizations.models import Organization


class ChannelType(models.TextChoices):
    EMAIL = "email"
    SLACK = "slack"
    WEBHOOK = "webhook"
    IN_APP = "in_app"


class EventType(models.TextChoices):
    RUN_COMPLETED = "run.completed"
    RUN_FAILED = "run.failed"
    TEST_FAILED = "test.failed"
    TEST_PASSED = "test.passed"
    TEST_HEALED = "test.healed"
    BUDGET_EXCEEDED = "budget.exceeded"


# Not a rule's event type: the weekly digest travels through the same delivery rows.
DIGEST_EVENT = "digest.weekly"


class Priority(models.TextChoices):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK: dict[str, int] = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class NotificationChannel(models.Model):
    """Where an organization's notifications go. Secrets of `config` live encrypted in `secrets_encrypted`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notification_channels")
    name = models.CharField(max_length=100)
    channel_type = models.CharField(max_length=10, choices=ChannelType.choices)
    config = models.JSONField(default=dict, blank=True)
    secrets_encrypted = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    verified = models.BooleanField(default=False)
    rate_limit_per_hour = models.PositiveIntegerField(default=60)
    # Set when a permanent failure turned the channel off; shown to admins, cleared on re-enable.
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(UserProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.channel_type})"


class NotificationRule(models.Model):
    """Which events a channel receives. Empty condition lists match everything."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="rules")
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    cooldown_minutes = models.PositiveIntegerField(default=0)
    project_ids = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    branches = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.event_type} -> {self.channel_id}"


class Delivery(models.Model):
    """One message to one channel (or, for personal notifications and digests, one person).

    Written before anything is sent; `dedupe_key` makes planning idempotent and the status claim
    makes sending idempotent, so a task that runs twice sends once.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        RETRYING = "retrying"
        SENT = "sent"
        FAILED = "failed"
        SUPPRESSED = "suppressed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    rule = models.ForeignKey(NotificationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recipient = models.ForeignKey(UserProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    transport = models.CharField(max_length=10, choices=ChannelType.choices)
    event_type = models.CharField(max_length=32)
    subject_key = models.CharField(max_length=200, blank=True, default="")
    # The event this delivers; a person gets one inbox item per event, whichever channels carry it.
    event_key = models.CharField(max_length=250, blank=True, default="")
    dedupe_key = models.CharField(max_length=300, unique=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=500, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["channel", "created_at"]),
            models.Index(fields=["channel", "status", "sent_at"]),
            models.Index(fields=["rule", "subject_key", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} via {self.transport} ({self.status})"


class InboxItem(models.Model):
    """An in-app notification for one person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(UserProfile, on_delete=models.CASCADE, related_name="inbox_items")
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event_type = models.CharField(max_length=32)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=2000, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    # One item per person per event, however often and through however many channels it arrives.
    dedupe_key = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="inbox_unique_per_recipient")]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
