"""Fixed-window request counters in the shared cache, one round trip per request.

A window is `window` seconds aligned to the epoch, so every server process derives the same counter
key (`rl:<category>:<identity>:<window start>`) without coordinating. With Redis (django-redis) the
increment and its expiry go in one MULTI/EXEC pipeline; with any other cache an `incr`, falling back
to `add` for the first hit of a window. Both are atomic, so under any concurrency exactly `limit`
requests of a window are allowed.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

AUTH = "auth"
API_KEY_CREATION = "api_key_creation"
TEST_EXECUTION = "test_execution"
GENERAL = "general"


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


@dataclass(frozen=True)
class RateState:
    """One request's standing in its window; what the X-RateLimit-* headers report."""

    category: str
    limit: int
    remaining: int
    reset: int  # epoch seconds at which the window ends
    allowed: bool

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset - time.time()))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def enabled() -> bool:
    return bool(getattr(settings, "ARGUS_RATE_LIMIT_ENABLED", True))


def parse_rate(value: str) -> Rate:
    """`"limit/window_seconds"`, e.g. `"20/60"`."""
    try:
        limit_text, window_text = value.split("/")
        rate = Rate(limit=int(limit_text), window=int(window_text))
    except ValueError as exc:
        raise ImproperlyConfigured(f"A rate limit must look like '100/3600' (limit/seconds), not {value!r}") from exc
    if rate.limit < 0 or rate.window <= 0:
        raise ImproperlyConfigured(f"A rate limit needs limit >= 0 and window > 0, not {value!r}")
    return rate


@lru_cache(maxsize=16)
def _parsed(items: tuple[tuple[str, str], ...]) -> dict[str, Rate]:
    return {category: parse_rate(value) for category, value in items}


def rates() -> dict[str, Rate]:
    # Keyed by the setting's current value, so overriding it (tests, reloads) takes effect at once.
    return _parsed(tuple(sorted(settings.ARGUS_RATE_LIMITS.items())))


def rate_for(category: str) -> Rate:
    try:
        return rates()[category]
    except KeyError:
        known = ", ".join(sorted(rates()))
        raise ImproperlyConfigured(f"Unknown rate-limit category {category!r}; ARGUS_RATE_LIMITS has {known}") from None


def counter_cache() -> BaseCache:
    return caches[getattr(settings, "ARGUS_RATE_LIMIT_CACHE", "default")]


def redis_client(cache: BaseCache) -> Any | None:
    """The raw redis-py client behind a django-redis cache; None for any other backend."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def _increment(cache: BaseCache, key: str, ttl: int) -> int:
    redis = redis_client(cache)
    if redis is not None:
        full_key = cache.make_key(key)
        pipe = redis.pipeline(transaction=True)
        pipe.incr(full_key)
        pipe.expire(full_key, ttl)
        count, _ = pipe.execute()
        return int(count)
    try:
        return cache.incr(key)
    except ValueError:
        # First hit of the window. `add` is atomic: if another process created the key meanwhile, count on it.
        if cache.add(key, 1, ttl):
            return 1
        return cache.incr(key)


def hit(category: str, identity: str) -> RateState:
    """Count one request of `identity` in `category` and say whether it is within the limit."""
    rate = rate_for(category)
    now = time.time()
    window_start = int(now // rate.window) * rate.window
    reset = window_start + rate.window
    cache = counter_cache()
    key = f"rl:{category}:{identity}:{window_start}"
    try:
        # The counter outlives its window by a little so a slow request at the boundary still finds it.
        count = _increment(cache, key, rate.window + 5)
    except Exception:
        # The cache is down: serve the API unlimited rather than not at all, and say so in the log.
        _log_cache_failure()
        count = 0
    return RateState(
        category=category,
        limit=rate.limit,
        remaining=max(0, rate.limit - count),
        reset=reset,
        allowed=count <= rate.limit,
    )


_last_failure_log = 0.0


def _log_cache_failure() -> None:
    global _last_failure_log
    now = time.monotonic()
    if now - _last_failure_log >= 60:  # once a minute, not once a request
        _last_failure_log = now
        logger.exception("Rate-limit counters are unavailable; requests are not being limited")
