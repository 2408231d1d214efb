# The shared fixtures live in tests/conftest.py, which pytest only applies below tests/.
from __future__ import annotations

import copy
import uuid

import pytest
from django.core.cache import caches
from django.db.backends.signals import connection_created

from testruns.models import Run
from tests import factories
from tests.conftest import _isolated_data  # noqa: F401


@pytest.fixture
def owner(db):
    return factories.make_profile("owner@example.com")


@pytest.fixture
def org(owner):
    return factories.make_org(owner, name="Example Corp")


@pytest.fixture
def project(org):
    return factories.make_project(org)


@pytest.fixture
def run(org, project):
    return Run.objects.create(organization=org, project=project, app_url=project.app_url, status=Run.Status.RUNNING)


@pytest.fixture
def owner_token(owner) -> str:
    return factories.bearer(owner)["HTTP_AUTHORIZATION"].split()[1]


@pytest.fixture
def fast_streams(settings):
    """Short poll and heartbeat so tests about timing take milliseconds, not seconds."""
    settings.ARGUS_STREAM_POLL_SECONDS = 0.02
    settings.ARGUS_STREAM_HEARTBEAT_SECONDS = 15.0
    return settings


@pytest.fixture(autouse=True)
def _lock_free_sqlite_reads():
    """The test database is SQLite's shared-cache in-memory mode, where a reader hits "table is locked"
    while another thread writes. Production uses a file in WAL mode, where readers never wait for a
    writer; `read_uncommitted` gives the streams' reader connections the same behaviour here."""

    def relax(sender, connection, **kwargs):
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(relax)
    yield
    connection_created.disconnect(relax)


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Rate counters and stream slots live in the cache: each test starts from none in its own."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"s-{uuid.uuid4().hex}"}
    }
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings):
    """A new channel layer per test: each test runs its own event loop, and a Redis layer's receiver is
    bound to the loop that first used it (one loop per Daphne process in production)."""
    settings.CHANNEL_LAYERS = copy.deepcopy(settings.CHANNEL_LAYERS)
    yield
