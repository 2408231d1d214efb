"""Rate limits on HTTP requests: whom to count, in which category, and the headers of every response.

A DRF view declares its category, per view or per method (default "general"):

    class StartRunView(APIView):
        rate_limit_category = "test_execution"

    class APIKeysView(APIView):
        rate_limit_category = {"POST": "api_key_creation"}   # other methods: "general"

`RateLimitThrottle` (DEFAULT_THROTTLE_CLASSES) counts the request once authentication has said who
it is: per API key, else per user, else per client address. A request refused before the throttle
runs (401, 403 from a permission class, an unknown URL) is counted by `RateLimitMiddleware` after the
fact, per client address unless authentication succeeded; past the limit its answer becomes the 429.
Either way each /api/ request is counted exactly once and every response carries X-RateLimit-*.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from accounts.models import UserProfile
from apikeys.models import APIKey
from argus.errors import RateLimited, error_body
from argus.ratelimit.core import GENERAL, RateState, enabled, hit, rate_for

STATE_ATTR = "argus_rate_limit"
API_PATH_PREFIX = "/api/"


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with ARGUS_TRUSTED_PROXY_COUNT = N > 0 the address the outermost of the N
    trusted proxies saw (the N-th X-Forwarded-For entry from the right); entries further left are
    whatever the client chose to send and are never trusted."""
    trusted = int(getattr(settings, "ARGUS_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR") or "unknown"


def request_identity(request: HttpRequest | Request) -> str:
    """Whom a request counts against: its API key, else its user, else its client address.

    `type()` rather than isinstance: Django's AuthenticationMiddleware puts a lazy object in
    `request.user`, and isinstance on it would load a session user from the database.
    """
    auth = request.__dict__.get("auth") if isinstance(request, HttpRequest) else request.auth
    if issubclass(type(auth), APIKey):
        return f"key:{auth.pk}"
    user = request.__dict__.get("user") if isinstance(request, HttpRequest) else request.user
    if issubclass(type(user), UserProfile):
        return f"user:{user.pk}"
    django_request = request if isinstance(request, HttpRequest) else request._request
    return f"addr:{client_address(django_request)}"


def declared_category(view_class: Any, method: str | None) -> str:
    declared: str | Mapping[str, str] | None = getattr(view_class, "rate_limit_category", None)
    if declared is None:
        return GENERAL
    if isinstance(declared, str):
        return declared
    return declared.get((method or "GET").upper(), GENERAL)


def _resolved_view_class(request: HttpRequest) -> Any:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)


def record(request: HttpRequest, state: RateState) -> None:
    setattr(request, STATE_ATTR, state)


def enforce_rate_limit(request: HttpRequest | Request, category: str = GENERAL) -> RateState:
    """Count `request` in `category`; raise RateLimited (429) past the limit.

    The DRF throttle calls this; a view that is not a DRF view calls it itself once it knows who is
    calling. Recording the state on the request keeps the middleware from counting it again.
    """
    state = hit(category, request_identity(request))
    record(request if isinstance(request, HttpRequest) else request._request, state)
    if not state.allowed:
        raise RateLimited(
            f"Rate limit exceeded: {state.limit} requests per {rate_for(category).window} seconds "
            f"for '{category}'. Retry in {state.retry_after} seconds.",
            retry_after=state.retry_after,
        )
    return state


class RateLimitThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        if enabled():
            enforce_rate_limit(request, declared_category(type(view), request.method))
        return True


def rate_limited_response(state: RateState) -> JsonResponse:
    body = error_body(
        429,
        f"Rate limit exceeded for '{state.category}'. Retry in {state.retry_after} seconds.",
        code="rate_limited",
    )
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(state.retry_after)
    return response


class RateLimitMiddleware:
    """Counts the /api/ requests that never reached the throttle and sets X-RateLimit-* on every one."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        response = self.get_response(request)
        if not self._applies(request):
            return response
        state = getattr(request, STATE_ATTR, None) or self._count_refused(request)
        return self._finish(response, state)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)
        if not self._applies(request):
            return response
        state = getattr(request, STATE_ATTR, None)
        if state is None:
            state = await sync_to_async(self._count_refused, thread_sensitive=False)(request)
        return self._finish(response, state)

    @staticmethod
    def _applies(request: HttpRequest) -> bool:
        return request.path.startswith(API_PATH_PREFIX) and enabled()

    @staticmethod
    def _count_refused(request: HttpRequest) -> RateState:
        category = declared_category(_resolved_view_class(request), request.method)
        state = hit(category, request_identity(request))
        record(request, state)
        return state

    @staticmethod
    def _finish(response: HttpResponseBase, state: RateState) -> HttpResponseBase:
        if not state.allowed and response.status_code != 429:
            # Refused before the throttle (e.g. a 401) and over the limit: the limit is the answer.
            response = rate_limited_response(state)
        for name, value in state.headers().items():
            response[name] = value
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(state.retry_after)
        return response
