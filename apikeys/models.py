from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accounts.models import UserProfile
from organizations.models import Organization


class Scope(models.TextChoices):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"
    TESTS = "tests"
    WEBHOOKS = "webhooks"


DEFAULT_SCOPES = [Scope.READ.value, Scope.WRITE.value]


class APIKey(models.Model):
    """A scoped key for CI. Only a SHA-256 hash of the secret is stored; the key is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    created_by = models.ForeignKey(UserProfile, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=32)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    last_used_at = models.DateTimeField(null=True, blank=True)
    request_count = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rotated_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        return self.expires_at is None or self.expires_at > now
