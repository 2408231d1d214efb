from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from accounts.models import UserProfile
from organizations.roles import Role


class Plan(models.TextChoices):
    FREE = "free"
    TEAM = "team"
    ENTERPRISE = "enterprise"


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    ai_budget_daily = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1.00"))
    ai_budget_monthly = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("25.00"))
    settings = models.JSONField(default=dict, blank=True)
    features = models.JSONField(default=dict, blank=True)
    stripe_customer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_subscription_id = models.CharField(max_length=255, null=True, blank=True)
    logo_url = models.URLField(max_length=500, null=True, blank=True)
    domain = models.CharField(max_length=253, null=True, blank=True)
    sso_enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Null until the first update, as the reference shows for a new organization.
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in an organization: active, or pending until an invitation is accepted.

    A pending member has no profile yet; its `user_id` is a `pending_...` placeholder, replaced by the
    accepting person's real id.
    """

    class Status(models.TextChoices):
        ACTIVE = "active"
        PENDING = "pending"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(
        UserProfile, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    user_id = models.CharField(max_length=255)
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    invited_by = models.ForeignKey(UserProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user_id"], name="membership_unique_user"),
            models.UniqueConstraint(
                fields=["organization", "profile"],
                condition=models.Q(profile__isnull=False),
                name="membership_unique_profile",
            ),
        ]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"{self.email} in {self.organization_id} as {self.role}"


class Invitation(models.Model):
    """The single-use token sent to an invited email; only its hash is kept.

    It names its organization and email itself so that it outlives a revoked (deleted) pending member:
    accepting a revoked or superseded token then says so instead of "not found".
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization_id}"
