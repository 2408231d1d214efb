import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argus.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (Django must be set up first)
from django.urls import re_path  # noqa: E402

from testruns.streaming.routing import stream_urlpatterns  # noqa: E402

# Streams are long-lived responses served by their own ASGI apps; everything else is Django.
application = ProtocolTypeRouter(
    {"http": URLRouter([*stream_urlpatterns(django_app=django_asgi_app), re_path(r"", django_asgi_app)])}
)
