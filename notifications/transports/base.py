"""The one interface every channel kind implements, and the errors that decide what happens next.

A transport turns a rendered `Message` into a delivery over its medium. It raises `TransientError`
when trying again later may work (timeouts, 5xx, 429, a busy mail server) and `PermanentError` when
it will not (a 4xx, a refused address): the delivery is retried with backoff for the first, and the
channel is disabled with the reason shown for the second.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import httpx

from notifications import net


class TransportError(Exception):
    def __init__(self, reason: str, *, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


class TransientError(TransportError):
    def __init__(self, reason: str, *, status_code: int | None = None, retry_after: int | None = None) -> None:
        super().__init__(reason, status_code=status_code)
        self.retry_after = retry_after


class PermanentError(TransportError):
    pass


class ConfigError(Exception):
    """A channel's config is invalid: field -> messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {v[0]}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Message:
    """What is said, independent of the medium."""

    delivery_id: str
    organization_id: str
    event_type: str
    priority: str
    title: str
    text: str
    url: str | None = None
    html: str | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    event_key: str = ""


@dataclass(frozen=True)
class CleanConfig:
    public: dict[str, Any]
    secrets: dict[str, Any]


class Transport(ABC):
    kind: str
    # Keys of `config` that are secrets: write-only, encrypted at rest, masked when read.
    secret_fields: tuple[str, ...] = ()

    @abstractmethod
    def clean_config(self, raw: dict[str, Any], *, existing_secrets: dict[str, Any]) -> CleanConfig:
        """Validate a channel's config; a secret sent back masked (or left out) keeps its stored value."""

    @abstractmethod
    def send(self, *, message: Message, config: dict[str, Any]) -> int | None:
        """Deliver; return the remote status code where there is one."""


MASK = "********"


def kept_secret(raw: dict[str, Any], name: str, existing: dict[str, Any]) -> Any:
    value = raw.get(name)
    if value is None or value == MASK:
        return existing.get(name)
    return value


def post_with_guard(url: str, *, content: bytes, headers: dict[str, str]) -> int:
    """POST and classify the answer: 2xx is success, 429/5xx/network are transient, the rest permanent."""
    try:
        response = net.guarded_post(url, content=content, headers=headers)
    except net.AddressRefused as exc:
        raise PermanentError(f"Refused destination: {exc}") from exc
    except httpx.TransportError as exc:
        raise TransientError(f"Connection failed: {type(exc).__name__}: {exc}") from exc
    code = response.status_code
    if 200 <= code < 300:
        return code
    snippet = response.text[:200].strip()
    if code == 429 or code >= 500:
        retry_after = response.headers.get("retry-after", "")
        raise TransientError(
            f"HTTP {code} {snippet}".strip(),
            status_code=code,
            retry_after=int(retry_after) if retry_after.isdigit() else None,
        )
    if 300 <= code < 400:
        raise PermanentError(f"HTTP {code}: redirected to {response.headers.get('location', '?')}", status_code=code)
    raise PermanentError(f"HTTP {code} {snippet}".strip(), status_code=code)


def clean_http_url(raw: Any, field_name: str, errors: dict[str, list[str]]) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        errors[field_name] = ["This field is required."]
        return None
    url = raw.strip()
    if len(url) > 2000:
        errors[field_name] = ["Ensure this URL has at most 2000 characters."]
        return None
    try:
        net.check_url(url)
    except net.AddressRefused as exc:
        errors[field_name] = [f"Refused destination: {exc}"]
        return None
    except ValueError as exc:
        errors[field_name] = [f"Enter a valid URL: it {exc}."]
        return None
    return url
