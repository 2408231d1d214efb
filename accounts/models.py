from __future__ import annotations

import uuid

from django.db import models

DEFAULT_NOTIFICATION_PREFERENCES: dict[str, bool] = {
    "email_test_failures": True,
    "email_test_completions": False,
    "email_weekly_digest": True,
    "slack_test_failures": False,
    "slack_test_completions": False,
    "in_app_test_failures": True,
    "in_app_test_completions": True,
}


def default_notification_preferences() -> dict[str, bool]:
    return dict(DEFAULT_NOTIFICATION_PREFERENCES)


class UserProfile(models.Model):
    """A person known to Argus by the identity provider's subject (`user_id`).

    This is the API's principal; Django's own auth users are only the operators of the admin site.
    Default organization and project are plain ids: accounts sits below organizations and must not
    import it (the organizations app keeps them valid).
    """

    class Theme(models.TextChoices):
        LIGHT = "light"
        DARK = "dark"
        SYSTEM = "system"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.CharField(max_length=255, unique=True)
    email = models.EmailField(max_length=254, db_index=True)
    display_name = models.CharField(max_length=100, blank=True, default="")
    avatar_url = models.URLField(max_length=500, null=True, blank=True)
    bio = models.CharField(max_length=500, null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=16, default="en")
    theme = models.CharField(max_length=10, choices=Theme.choices, default=Theme.SYSTEM)
    notification_preferences = models.JSONField(default=default_notification_preferences)
    default_organization_id = models.UUIDField(null=True, blank=True)
    default_project_id = models.UUIDField(null=True, blank=True)
    onboarding_completed = models.BooleanField(default=False)
    onboarding_step = models.PositiveSmallIntegerField(default=0)
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_active_at = models.DateTimeField(null=True, blank=True)
    login_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.user_id})"

    # DRF treats request.user as a user object: a profile is always an authenticated principal.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False
