"""Session-wide test hooks for every package."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(scope="session", autouse=True)
def _asgi_threads_release_their_connections(django_db_setup):
    """The ASGI handler keeps request threads, and their database connections, between requests: close
    them before the test database is dropped (PostgreSQL refuses to drop a database still in use)."""
    yield
    asgi = sys.modules.get("argus.asgi")
    if asgi is not None:
        asgi.django_asgi_app.close()
