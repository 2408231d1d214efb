"""api_key_authenticate reads with hand-written SQL: what it returns must be what the ORM returns."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import UserProfile
from apikeys.models import APIKey
from apikeys.services import api_key_authenticate, api_key_revoke
from tests import factories

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _assert_same(loaded, expected) -> None:
    assert type(loaded) is type(expected)
    for name, value in _values(expected).items():
        got = getattr(loaded, name)
        assert (got, type(got)) == (value, type(value)), name


def test_the_key_its_creator_and_organization_equal_the_orms(org, owner, django_assert_num_queries):
    owner.avatar_url = "https://example.com/a.png"
    owner.notification_preferences = {"email_test_failures": False}
    owner.default_organization_id = org.id
    owner.save()
    key, raw = factories.make_api_key(org, owner, scopes=["read", "tests"], expires_in_days=3)

    loaded = api_key_authenticate(raw_key=raw)

    expected = APIKey.objects.select_related("created_by", "organization").get(pk=key.pk)
    _assert_same(loaded, expected)  # counted: request_count 1 and last_used_at in both
    assert loaded.request_count == 1
    with django_assert_num_queries(0):
        _assert_same(loaded.created_by, expected.created_by)
        _assert_same(loaded.organization, expected.organization)
    assert loaded._state.db == "default"
    assert loaded._state.adding is False


def test_a_key_whose_creator_is_gone_has_no_creator(org, owner):
    creator = factories.make_profile()
    _key, raw = factories.make_api_key(org, creator)
    UserProfile.objects.filter(pk=creator.pk).delete()
    loaded = api_key_authenticate(raw_key=raw)
    assert loaded is not None
    assert loaded.created_by is None
    assert loaded.created_by_id is None


def test_inactive_and_unknown_keys_are_not_counted(org, owner):
    expired, expired_raw = factories.make_api_key(org, owner)
    APIKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, revoked_raw = factories.make_api_key(org, owner)
    api_key_revoke(key=revoked)
    for raw in (expired_raw, revoked_raw, "argus_sk_" + "B" * 43):
        assert api_key_authenticate(raw_key=raw) is None
    counts = APIKey.objects.filter(pk__in=[expired.pk, revoked.pk]).values_list("request_count", flat=True)
    assert list(counts) == [0, 0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_each_counted_once():
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database is not shared between threads")
    owner = factories.make_profile()
    org = factories.make_org(owner)
    key, raw = factories.make_api_key(org, owner)
    threads, per_thread = 8, 25
    start = threading.Barrier(threads)

    def hammer() -> None:
        from django.db import connections

        start.wait()
        try:
            for _ in range(per_thread):
                assert api_key_authenticate(raw_key=raw) is not None
        finally:
            connections.close_all()

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    key.refresh_from_db()
    assert key.request_count == threads * per_thread
