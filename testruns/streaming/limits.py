"""The limits a stream is subject to, through `argus.ratelimit` like every other API request.

A stream request is counted once in the API's rate limits (its X-RateLimit-* headers go on the
response, as `RateLimitMiddleware` does for Django views), and an open stream holds one of its
organization's concurrent-stream slots (`argus.ratelimit.stream_slot`) from before its first byte
until it ends, whichever way it ends.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest

from argus.ratelimit import GENERAL, stream_slot
from argus.ratelimit.core import enabled
from argus.ratelimit.http import STATE_ATTR, enforce_rate_limit
from organizations.billing.limits import plan_limit
from organizations.models import Organization
from testruns.streaming.auth import StreamCaller


class RequestCounter:
    """Counts one stream request in a rate-limit category, per key, else user, else client address."""

    def __init__(self, scope: dict[str, Any]) -> None:
        # A real Django request over the same scope, so identity and client address (trusted proxies
        # included) are worked out by the same code as for every other endpoint.
        self._request = ASGIRequest(scope, io.BytesIO())
        self._counted = False
        self.headers: list[tuple[bytes, bytes]] = []

    def count(self, caller: StreamCaller | None, category: str = GENERAL) -> None:
        """Raises RateLimited (429) past the limit. Call it from a thread (it may reach Redis)."""
        if self._counted or not enabled():
            return
        self._counted = True
        if caller is not None:
            self._request.user = caller.user
            self._request.auth = caller.auth
        try:
            enforce_rate_limit(self._request, category)
        finally:
            state = getattr(self._request, STATE_ATTR, None)
            if state is not None:
                self.headers = [(name.lower().encode(), value.encode()) for name, value in state.headers().items()]


def stream_limit(organization: Organization) -> int:
    """The plan's concurrent-stream number; ARGUS_STREAM_CONCURRENCY when the plan sets none."""
    return plan_limit(organization=organization, limit="streams") or int(settings.ARGUS_STREAM_CONCURRENCY)


def hold_stream_slot(organization: Organization) -> stream_slot:
    """An async context manager holding one slot (heartbeating it) until exit; entering raises
    RateLimited (429, Retry-After) when the organization's streams are all open."""
    return stream_slot(organization.id, limit=stream_limit(organization))
