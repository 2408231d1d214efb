"""Generic webhooks: a JSON POST signed so receivers can check where it came from and when.

Receivers verify `X-Argus-Signature: t=<unix seconds>,v1=<hex>` where the hex is
HMAC-SHA256(secret, f"{t}.{raw body}"); they should reject a `t` older than a few minutes (replay)
and compare in constant time. docs/notifications.md shows a receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from notifications.transports.base import (
    CleanConfig,
    ConfigError,
    Message,
    Transport,
    clean_http_url,
    kept_secret,
    post_with_guard,
)

SIGNATURE_HEADER = "X-Argus-Signature"
MIN_SECRET_LENGTH = 16
MAX_HEADERS = 20
# Headers Argus sets itself; a channel cannot override them.
RESERVED_HEADERS = frozenset({"host", "content-type", "content-length", "transfer-encoding", "connection"})


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance_seconds: int = 300, now: float | None = None) -> bool:
    """The receiver's side, used by Argus's own tests and quoted in the receiver documentation."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def webhook_body(message: Message) -> bytes:
    return json.dumps(
        {
            "id": message.delivery_id,
            "event": message.event_type,
            "priority": message.priority,
            "created_at": message.created_at,
            "organization_id": message.organization_id,
            "title": message.title,
            "url": message.url,
            "data": message.data,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


class WebhookTransport(Transport):
    kind = "webhook"
    secret_fields = ("secret", "headers")

    def clean_config(self, raw: dict[str, Any], *, existing_secrets: dict[str, Any]) -> CleanConfig:
        errors: dict[str, list[str]] = {}
        url = clean_http_url(raw.get("url"), "config.url", errors)
        secret = kept_secret(raw, "secret", existing_secrets)
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            errors["config.secret"] = [f"A signing secret of at least {MIN_SECRET_LENGTH} characters is required."]
        headers = self._clean_headers(raw, existing_secrets, errors)
        unknown = set(raw) - {"url", "secret", "headers"}
        if unknown:
            errors["config"] = [f"Unknown keys for a webhook channel: {', '.join(sorted(unknown))}."]
        if errors:
            raise ConfigError(errors)
        return CleanConfig(public={"url": url}, secrets={"secret": secret, "headers": headers})

    @staticmethod
    def _clean_headers(raw: dict[str, Any], existing: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
        headers = raw.get("headers")
        if headers is None:
            return {}
        if headers == "********":
            return dict(existing.get("headers") or {})
        if not isinstance(headers, dict) or len(headers) > MAX_HEADERS:
            errors["config.headers"] = [f"An object of at most {MAX_HEADERS} header names to string values."]
            return {}
        previous = existing.get("headers") or {}
        cleaned: dict[str, str] = {}
        for name, value in headers.items():
            lower = str(name).lower()
            if not str(name).isascii() or not str(name).replace("-", "").isalnum():
                errors["config.headers"] = [f"{name!r} is not a valid header name."]
            elif lower in RESERVED_HEADERS or lower.startswith("x-argus-"):
                errors["config.headers"] = [f"{name!r} is set by Argus and cannot be overridden."]
            elif value == "********" and name in previous:
                cleaned[name] = previous[name]
            elif not isinstance(value, str) or "\n" in value or "\r" in value or len(value) > 2000:
                errors["config.headers"] = [f"The value of {name!r} must be a one-line string."]
            else:
                cleaned[name] = value
        return cleaned

    def send(self, *, message: Message, config: dict[str, Any]) -> int | None:
        body = webhook_body(message)
        headers = {
            **(config.get("headers") or {}),
            "Content-Type": "application/json",
            "User-Agent": "Argus-Webhooks/1",
            "X-Argus-Event": message.event_type,
            "X-Argus-Delivery": message.delivery_id,
            SIGNATURE_HEADER: sign(config["secret"], body, int(time.time())),
        }
        return post_with_guard(config["url"], content=body, headers=headers)
