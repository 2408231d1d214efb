from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _isolated_data(settings, tmp_path_factory):
    """Media and broker files of a test never land in the developer's data directory."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner(db):
    return factories.make_profile("owner@example.com")


@pytest.fixture
def org(owner):
    return factories.make_org(owner, name="Example Corp")


@pytest.fixture
def as_owner(owner) -> APIClient:
    client = APIClient()
    client.credentials(**factories.bearer(owner))
    return client


def client_for(profile) -> APIClient:
    client = APIClient()
    client.credentials(**factories.bearer(profile))
    return client
