from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import caches


def wait_out_window_edge(window: int = 3600, margin: float = 10) -> None:
    """Counting tests expect one fixed window; do not start them just before it ends."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.1)


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Each test counts from zero in its own locmem cache, well inside one hour-long window."""
    wait_out_window_edge()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"t-{uuid.uuid4().hex}"}
    }
    settings.ARGUS_RATE_LIMIT_ENABLED = True
    counters = caches["default"]
    yield
    counters.clear()


@pytest.fixture
def redis_cache(settings):
    """The machine's Redis as the counter cache, under a key prefix of its own, removed afterwards."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    prefix = f"argus-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}}
    yield prefix
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def owner(db):
    from tests import factories

    return factories.make_profile("owner@example.com")


@pytest.fixture
def org(owner):
    from tests import factories

    return factories.make_org(owner, name="Example Corp")
