"""Encryption at rest for channel secrets (webhook secrets and headers, Slack webhook URLs).

The Fernet key is derived with HKDF from ARGUS_ENCRYPTION_KEY, or from SECRET_KEY when no dedicated
key is set, so a fresh install needs no extra configuration. Keys in ARGUS_ENCRYPTION_KEYS_PREVIOUS
still decrypt, which lets an operator rotate the key without losing stored channels.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_HKDF_INFO = b"argus.notifications.channel-secrets.v1"


class SecretsUnreadable(Exception):
    """Stored secrets cannot be decrypted with any configured key."""


def _derive(material: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


@lru_cache(maxsize=4)
def _fernet(primary: str, previous: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(primary), *(_derive(k) for k in previous)])


def _current() -> MultiFernet:
    primary = settings.ARGUS_ENCRYPTION_KEY or settings.SECRET_KEY
    return _fernet(primary, tuple(settings.ARGUS_ENCRYPTION_KEYS_PREVIOUS))


def encrypt_secrets(values: dict[str, Any]) -> str:
    if not values:
        return ""
    return _current().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_current().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretsUnreadable("channel secrets cannot be decrypted with the configured keys") from exc
