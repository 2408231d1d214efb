from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from argus.ratelimit import hit, parse_rate
from argus.ratelimit.core import Rate
from tests import factories

pytestmark = pytest.mark.urls("argus.tests.urls")

LIMITS = {"auth": "3/60", "api_key_creation": "2/3600", "test_execution": "3/3600", "general": "4/3600"}


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.ARGUS_RATE_LIMITS = LIMITS


def rate_headers(response) -> tuple[int, int, int]:
    return (
        int(response["X-RateLimit-Limit"]),
        int(response["X-RateLimit-Remaining"]),
        int(response["X-RateLimit-Reset"]),
    )


def test_parse_rate_reads_limit_and_window_and_refuses_nonsense():
    assert parse_rate("20/60") == Rate(limit=20, window=60)
    for bad in ("20", "20/0", "a/60", "-1/60", "1/2/3"):
        with pytest.raises(ImproperlyConfigured):
            parse_rate(bad)


def test_unknown_category_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="Unknown rate-limit category 'uploads'"):
        hit("uploads", "addr:1.2.3.4")


def test_counter_allows_exactly_the_limit_and_reports_the_window_end():
    states = [hit("general", "addr:10.0.0.1") for _ in range(6)]
    assert [s.allowed for s in states] == [True] * 4 + [False] * 2
    assert [s.remaining for s in states] == [3, 2, 1, 0, 0, 0]
    window_end = (int(time.time()) // 3600 + 1) * 3600
    assert {s.reset for s in states} == {window_end}
    assert 1 <= states[-1].retry_after <= 3600
    # Another identity has its own counter.
    assert hit("general", "addr:10.0.0.2").remaining == 3


def test_threads_hammering_one_counter_get_exactly_the_limit(settings):
    settings.ARGUS_RATE_LIMITS = {**LIMITS, "general": "50/3600"}
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(25):
            state = hit("general", "user:hammered")
            with lock:
                allowed.append(state.allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 200
    assert allowed.count(True) == 50


@pytest.mark.django_db
def test_headers_on_every_response_decrease_and_the_429_has_the_error_shape(owner):
    api = APIClient()
    api.credentials(**factories.bearer(owner))
    responses = [api.get("/api/v1/_t/whoami") for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert [rate_headers(r)[1] for r in responses] == [3, 2, 1, 0, 0]
    assert {rate_headers(r)[0] for r in responses} == {4}
    refused = responses[-1]
    body = refused.json()
    assert body["status_code"] == 429 and body["code"] == "rate_limited"
    assert "general" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert int(refused["Retry-After"]) == pytest.approx(rate_headers(refused)[2] - time.time(), abs=2)


@pytest.mark.django_db
def test_api_key_user_and_address_are_counted_separately(owner, org):
    key_a, raw_a = factories.make_api_key(org, owner)
    _key_b, raw_b = factories.make_api_key(org, owner)
    with_key_a = APIClient(headers={"X-API-Key": raw_a})
    assert with_key_a.get("/api/v1/_t/whoami").json() == {"identity": f"key:{key_a.pk}"}
    for _ in range(3):
        assert with_key_a.get("/api/v1/_t/whoami").status_code == 200
    assert with_key_a.get("/api/v1/_t/whoami").status_code == 429

    # Key B of the same creator, the creator's own JWT, and an anonymous caller are untouched.
    assert rate_headers(APIClient(headers={"X-API-Key": raw_b}).get("/api/v1/_t/whoami"))[1] == 3
    as_user = APIClient()
    as_user.credentials(**factories.bearer(owner))
    response = as_user.get("/api/v1/_t/whoami")
    assert response.json() == {"identity": f"user:{owner.pk}"}
    assert rate_headers(response)[1] == 3
    anonymous = APIClient().get("/api/v1/_t/whoami")
    assert anonymous.status_code == 401
    assert rate_headers(anonymous)[1] == 3


@pytest.mark.django_db
def test_unauthenticated_requests_count_per_address_and_turn_into_429(owner):
    bad_key = APIClient(headers={"X-API-Key": "argus_sk_" + "x" * 43}, REMOTE_ADDR="192.0.2.7")
    statuses = [bad_key.get("/api/v1/_t/whoami").status_code for _ in range(4)]
    assert statuses == [401] * 4
    refused = bad_key.get("/api/v1/_t/whoami")
    assert refused.status_code == 429
    assert refused.json()["status_code"] == 429
    assert "Retry-After" in refused
    assert rate_headers(refused)[1] == 0
    # No credentials at all from the same address: the same bucket.
    assert APIClient(REMOTE_ADDR="192.0.2.7").get("/api/v1/_t/whoami").status_code == 429
    # Another address, and a real user at the same address, still get through.
    assert APIClient(REMOTE_ADDR="192.0.2.8").get("/api/v1/_t/whoami").status_code == 401
    user = APIClient(REMOTE_ADDR="192.0.2.7")
    user.credentials(**factories.bearer(owner))
    assert user.get("/api/v1/_t/whoami").status_code == 200


@pytest.mark.django_db
def test_unknown_api_url_still_carries_the_headers():
    response = APIClient().get("/api/v1/_t/nothing-here")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404
    assert rate_headers(response)[:2] == (4, 3)


@pytest.mark.django_db
def test_views_declare_their_category_per_view_or_per_method(owner):
    api = APIClient()
    api.credentials(**factories.bearer(owner))
    created = [api.post("/api/v1/_t/keys", {}, format="json") for _ in range(3)]
    assert [r.status_code for r in created] == [201, 201, 429]
    assert rate_headers(created[0])[:2] == (2, 1)
    # Listing keys is "general": its counter is untouched by the creations.
    listed = api.get("/api/v1/_t/keys")
    assert listed.status_code == 200 and rate_headers(listed)[:2] == (4, 3)
    runs = [api.post("/api/v1/_t/run", {}, format="json") for _ in range(4)]
    assert [r.status_code for r in runs] == [202, 202, 202, 429]
    assert rate_headers(runs[0])[0] == 3


@pytest.mark.django_db
def test_switched_off_nothing_is_counted_or_announced(settings, owner):
    settings.ARGUS_RATE_LIMIT_ENABLED = False
    api = APIClient()
    api.credentials(**factories.bearer(owner))
    responses = [api.get("/api/v1/_t/whoami") for _ in range(6)]
    assert {r.status_code for r in responses} == {200}
    assert "X-RateLimit-Limit" not in responses[0]


@pytest.mark.django_db
def test_forwarded_for_is_trusted_only_as_far_as_the_configured_proxies(settings):
    spoofing = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.4"}
    for _ in range(4):
        APIClient(**spoofing).get("/api/v1/_t/whoami")
    # No trusted proxy: X-Forwarded-For is ignored, everything counted against 10.0.0.1.
    assert APIClient(REMOTE_ADDR="10.0.0.1").get("/api/v1/_t/whoami").status_code == 429

    settings.ARGUS_TRUSTED_PROXY_COUNT = 1
    # One proxy: the address it saw (the last entry) counts; the client-written entries do not.
    other_proxy_client = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.4"}
    assert rate_headers(APIClient(**other_proxy_client).get("/api/v1/_t/whoami"))[1] == 3
    fresh = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.5"}
    assert rate_headers(APIClient(**fresh).get("/api/v1/_t/whoami"))[1] == 3
    assert rate_headers(APIClient(**spoofing).get("/api/v1/_t/whoami"))[1] == 2


REFERENCE_CATEGORIES = {
    ("invitations-accept", "POST"): "auth",
    ("api-keys", "POST"): "api_key_creation",
    ("api-key-rotate", "POST"): "api_key_creation",
    ("test-run", "POST"): "test_execution",
    ("api-keys", "GET"): "general",
    ("users-me", "GET"): "general",
}


@pytest.mark.urls("argus.urls")
def test_endpoints_declare_the_reference_categories_and_only_known_ones():
    from django.urls import get_resolver

    from argus.ratelimit.http import declared_category

    views = _named_views(get_resolver().url_patterns)
    for (name, method), category in REFERENCE_CATEGORIES.items():
        assert declared_category(views[name], method) == category, (name, method)
    # Every declared category is one of the reference's (an unknown one is a 500 at request time).
    for name, view in views.items():
        declared = getattr(view, "rate_limit_category", None)
        values = [declared] if isinstance(declared, str) else list((declared or {}).values())
        assert set(values) <= set(LIMITS), name


def _named_views(patterns: list) -> dict:
    from django.urls import URLResolver

    views: dict = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            views.update(_named_views(pattern.url_patterns))
        else:
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if view is not None:
                views[pattern.name or repr(pattern)] = view
    return views
