from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Each test counts from zero in its own locmem cache."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"t-{uuid.uuid4().hex}"}
    }
    settings.ARGUS_RATE_LIMIT_ENABLED = True
    yield
    caches["default"].clear()


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
