from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import DEFAULT_NOTIFICATION_PREFERENCES, UserProfile
from argus.errors import ValidationFailed
from argus.rows import Columns

# Activity is tracked with a coarse resolution so that authenticating does not write on every request.
ACTIVITY_RESOLUTION = timedelta(minutes=5)
SESSION_GAP = timedelta(hours=8)
PROFILE_FIELDS = frozenset({"display_name", "avatar_url", "bio", "timezone", "language", "theme"})


# Every JWT request reads its profile: written as SQL once (argus.rows) rather than compiled by the
# ORM each time (~0.35 ms of CPU per request before, ~0.03 ms after). Nothing is cached: a profile
# changed by any process is what the next request sees.
_PROFILE = Columns(UserProfile, "p")


@lru_cache(maxsize=8)
def _profile_by_user_id_sql(alias: str) -> str:
    connection = connections[alias]
    user_id = connection.ops.quote_name(UserProfile._meta.get_field("user_id").column)
    return f"SELECT {_PROFILE.select(connection)} FROM {_PROFILE.table(connection)} WHERE p.{user_id} = %s"


def _profile_by_user_id(user_id: str) -> UserProfile | None:
    alias = router.db_for_read(UserProfile)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_profile_by_user_id_sql(alias), [user_id])
        row = cursor.fetchone()
    return None if row is None else _PROFILE.instance(row, 0, connection)


def profile_for_identity(*, user_id: str, email: str | None) -> UserProfile:
    """The profile for an authenticated identity, created on first sight; keeps login stats current."""
    profile = _profile_by_user_id(user_id)
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


def profile_update(*, profile: UserProfile, fields: dict[str, Any]) -> UserProfile:
    """Apply already-validated profile fields (display_name, avatar_url, bio, timezone, language, theme)."""
    allowed = PROFILE_FIELDS.intersection(fields)
    for name in allowed:
        setattr(profile, name, fields[name])
    if allowed:
        profile.save(update_fields=[*sorted(allowed), "updated_at"])
    return profile


def profile_update_preferences(*, profile: UserProfile, preferences: dict[str, bool]) -> UserProfile:
    """Merge validated notification preferences over the current ones (a partial update)."""
    unknown = set(preferences) - set(DEFAULT_NOTIFICATION_PREFERENCES)
    if unknown:
        raise ValidationFailed(
            "Unknown notification preferences: " + ", ".join(sorted(unknown)),
            errors={name: ["Unknown preference"] for name in sorted(unknown)},
        )
    with transaction.atomic():
        # Re-read under the transaction so two concurrent partial updates do not drop each other's keys.
        current = UserProfile.objects.select_for_update().get(pk=profile.pk)
        merged = {**DEFAULT_NOTIFICATION_PREFERENCES, **(current.notification_preferences or {}), **preferences}
        current.notification_preferences = merged
        current.save(update_fields=["notification_preferences", "updated_at"])
    profile.notification_preferences = merged
    profile.updated_at = current.updated_at
    return profile


def profile_set_defaults(*, profile: UserProfile, organization_id: UUID, project_id: UUID | None) -> UserProfile:
    """Store the default organization and project. The caller (organizations) has checked both belong."""
    profile.default_organization_id = organization_id
    profile.default_project_id = project_id
    profile.save(update_fields=["default_organization_id", "default_project_id", "updated_at"])
    return profile


def profiles_forget_organization(*, organization_id: UUID, profile_ids: list[UUID] | None = None) -> int:
    """Clear default organization/project pointers at an organization (deleted, or the person left it)."""
    query = UserProfile.objects.filter(default_organization_id=organization_id)
    if profile_ids is not None:
        query = query.filter(pk__in=profile_ids)
    return query.update(default_organization_id=None, default_project_id=None, updated_at=timezone.now())


def profiles_forget_project(*, project_id: UUID) -> int:
    """Clear default project pointers at a deleted project."""
    return UserProfile.objects.filter(default_project_id=project_id).update(
        default_project_id=None, updated_at=timezone.now()
    )
