from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from argus import errors
from argus.views import jwks

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("organizations.api.urls")),
    path("", include("organizations.billing.api.urls")),
    path("", include("apikeys.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("testruns.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path(".well-known/jwks.json", jwks, name="jwks"),
    path("docs/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

if settings.ARGUS_BENCH_ROUTES:
    from argus.benchviews import BareView

    urlpatterns.append(path("bench/bare", BareView.as_view(), name="bench-bare"))


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return errors.json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return errors.json_server_error(request)
    return defaults.server_error(request)
