import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argus.settings")
django.setup(set_prefix=False)  # what get_asgi_application() does before building its handler

from django.conf import settings  # noqa: E402

from argus.asgi_handler import ReusedThreadASGIHandler  # noqa: E402

# Django's own handler, except that requests reuse threads (and so database connections).
django_asgi_app = ReusedThreadASGIHandler(threads=settings.ARGUS_ASGI_THREADS)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (Django must be set up first)
from django.urls import re_path  # noqa: E402

from testruns.streaming.routing import stream_urlpatterns  # noqa: E402

# Streams are long-lived responses served by their own ASGI apps; everything else is Django.
application = ProtocolTypeRouter(
    {"http": URLRouter([*stream_urlpatterns(django_app=django_asgi_app), re_path(r"", django_asgi_app)])}
)
