"""Small DRF views for the rate-limit tests, behind the project's real authentication classes."""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from argus.ratelimit.http import request_identity


class WhoAmIView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"identity": request_identity(request)})


class KeysView(APIView):
    rate_limit_category = {"POST": "api_key_creation"}

    def get(self, request: Request) -> Response:
        return Response([])

    def post(self, request: Request) -> Response:
        return Response({"created": True}, status=201)


class RunView(APIView):
    rate_limit_category = "test_execution"

    def post(self, request: Request) -> Response:
        return Response({"status": "pending"}, status=202)


urlpatterns = [
    path("api/v1/_t/whoami", WhoAmIView.as_view()),
    path("api/v1/_t/keys", KeysView.as_view()),
    path("api/v1/_t/run", RunView.as_view()),
    path("", include("argus.urls")),
]

handler404 = "argus.urls.handler404"
