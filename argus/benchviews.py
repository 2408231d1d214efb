"""The floor for bench/api_bench.py: a DRF view doing no authentication, permission or throttling.

Routed only when ARGUS_BENCH_ROUTES is on, so the authenticated endpoints can be measured against
the cost of the framework alone in the same server.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    def get(self, request: Request) -> Response:
        return Response({"ok": True})
