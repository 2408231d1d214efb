from __future__ import annotations

import hashlib
import secrets

from django.db.models import F
from django.utils import timezone

from apikeys.models import APIKey

KEY_PREFIX = "argus_sk_"
# What the list shows of a key: the fixed prefix and six characters of the secret.
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 6


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
