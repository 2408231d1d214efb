from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import UserProfile
from apikeys.models import APIKey, Scope
from argus.errors import BadRequest
from organizations.models import Organization

KEY_PREFIX = "argus_sk_"
# What the list shows of a key: the fixed prefix and six characters of the secret.
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 6
SCOPE_ORDER = [scope.value for scope in Scope]


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def generate_raw_key() -> str:
    # 32 random bytes in the URL-safe base64 alphabet (43 characters).
    return KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_authenticate(*, raw_key: str) -> APIKey | None:
    """The active key for `raw_key`, with its usage counted atomically; None when unknown or inactive."""
    if not raw_key.startswith(KEY_PREFIX):
        return None
    key = APIKey.objects.select_related("created_by", "organization").filter(key_hash=hash_key(raw_key)).first()
    if key is None or not key.is_active:
        return None
    now = timezone.now()
    APIKey.objects.filter(pk=key.pk).update(request_count=F("request_count") + 1, last_used_at=now)
    key.request_count += 1
    key.last_used_at = now
    return key


def api_key_create(
    *,
    organization: Organization,
    created_by: UserProfile,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    rotated_from: APIKey | None = None,
) -> tuple[APIKey, str]:
    """A new key; returns the row and the raw key, which is never stored and shown only now."""
    raw = generate_raw_key()
    key = APIKey.objects.create(
        organization=organization,
        created_by=created_by,
        name=name,
        key_prefix=raw[:DISPLAY_PREFIX_LENGTH],
        key_hash=hash_key(raw),
        # Stored in the canonical order so lists read the same however the client ordered them.
        scopes=[scope for scope in SCOPE_ORDER if scope in scopes],
        expires_at=expires_at,
        rotated_from=rotated_from,
    )
    return key, raw


def api_key_rotate(*, key: APIKey, rotated_by: UserProfile, grace_period_minutes: int = 0) -> tuple[APIKey, str]:
    """Replace `key` with a new one of the same scopes and expiry; the old one stops working.

    With a grace period the old key keeps working that many minutes, so deployments can switch over.
    """
    now = timezone.now()
    with transaction.atomic():
        key = APIKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is not None:
            raise BadRequest("This API key has already been revoked or rotated", code="key_revoked")
        if key.expires_at is not None and key.expires_at <= now:
            raise BadRequest("This API key has expired; create a new key instead", code="key_expired")
        name = f"{key.name} (rotated)"[: APIKey._meta.get_field("name").max_length]
        new_key, raw = api_key_create(
            organization=key.organization,
            created_by=rotated_by,
            name=name,
            scopes=list(key.scopes),
            expires_at=key.expires_at,
            rotated_from=key,
        )
        key.revoked_at = now + timedelta(minutes=grace_period_minutes)
        key.save(update_fields=["revoked_at"])
    return new_key, raw


def api_key_revoke(*, key: APIKey) -> APIKey:
    """Stop the key now (also cutting short a rotation's grace period). Revoking twice changes nothing."""
    now = timezone.now()
    APIKey.objects.filter(pk=key.pk).filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now)).update(revoked_at=now)
    key.refresh_from_db(fields=["revoked_at"])
    return key


def api_keys_revoke_created_by(*, organization_id: UUID, profile_id: UUID) -> int:
    """Revoke the keys a person created in an organization they no longer belong to.

    A key acts as its creator; left working, it would keep a removed person's access. Rotating a key
    first (by someone staying) hands it over, as the new key is created by the one who rotates.
    """
    now = timezone.now()
    return (
        APIKey.objects.filter(organization_id=organization_id, created_by_id=profile_id)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=now))
        .update(revoked_at=now)
    )
