"""Stream routes, matched before Django in `argus/asgi.py`; every other path falls through to Django."""

from __future__ import annotations

from typing import Any

from django.urls import re_path
from django.urls.resolvers import URLPattern

from testruns.streaming.consumers import RunStreamConsumer, StartStreamConsumer

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def stream_urlpatterns(*, django_app: Any) -> list[URLPattern]:
    return [
        re_path(rf"^api/v1/stream/runs/(?P<run_id>{UUID_PATTERN})$", RunStreamConsumer()),
        re_path(r"^api/v1/stream/test$", StartStreamConsumer(django_app=django_app)),
    ]
