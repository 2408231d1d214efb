from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import UserProfile

# Activity is tracked with a coarse resolution so that authenticating does not write on every request.
ACTIVITY_RESOLUTION = timedelta(minutes=5)
SESSION_GAP = timedelta(hours=8)


def profile_for_identity(*, user_id: str, email: str | None) -> UserProfile:
    """The profile for an authenticated identity, created on first sight; keeps login stats current."""
    profile = UserProfile.objects.filter(user_id=user_id).first()
    now = timezone.now()
    if profile is None:
        try:
            with transaction.atomic():
                profile = UserProfile.objects.create(
                    user_id=user_id,
                    email=(email or "").strip(),
                    display_name=(email or user_id).split("@")[0][:100],
                    last_login_at=now,
                    last_active_at=now,
                    login_count=1,
                )
        except IntegrityError:
            profile = UserProfile.objects.get(user_id=user_id)
        return profile
    updates: dict[str, object] = {}
    if email and email.strip() != profile.email:
        updates["email"] = email.strip()
    if profile.last_active_at is None or now - profile.last_active_at > ACTIVITY_RESOLUTION:
        if profile.last_active_at is None or now - profile.last_active_at > SESSION_GAP:
            updates["last_login_at"] = now
            updates["login_count"] = F("login_count") + 1
        updates["last_active_at"] = now
    if updates:
        UserProfile.objects.filter(pk=profile.pk).update(**updates)
        profile.refresh_from_db()
    return profile
