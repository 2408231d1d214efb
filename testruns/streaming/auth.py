"""Who is asking for a stream, and may they see this run.

A browser's EventSource cannot set headers, so besides `X-API-Key` and `Authorization: Bearer` a stream
accepts `?api_key=` and `?token=`. Every source goes through the REST API's own verification
(`APIKeyAuthentication.authenticate_key`, `JWTAuthentication.authenticate_token`) and access rules
(`organizations.access.organization_access`), so a credential means the same thing here as there.
These functions touch the database: call them through `sync_to_async`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from rest_framework.exceptions import AuthenticationFailed

from accounts.authentication import JWTAuthentication
from accounts.models import UserProfile
from apikeys.authentication import APIKeyAuthentication
from apikeys.models import APIKey
from argus.errors import Forbidden, NotAuthenticated, NotFound
from organizations.access import Access, Need, organization_access
from organizations.models import Organization
from organizations.roles import Role
from testruns.models import Run
from testruns.selectors import run_get, run_organization_id

# Reading a run's events is a read: any member, or a key with the `read` scope.
READ_RUN = Need(Role.VIEWER, "read")
# Watching the run one has just started (POST /stream/test): the start needed `tests` or `write`, and
# a key allowed to start a run is allowed to watch it without also holding `read`.
WATCH_STARTED_RUN = Need(Role.MEMBER, "read", "tests", "write")


@dataclass(frozen=True)
class Credentials:
    api_key: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class StreamCaller:
    """An authenticated caller. `user` and `auth` are the two attributes `organization_access` reads
    from a DRF request, with the same meaning (auth is the APIKey for key callers)."""

    user: UserProfile
    auth: Any

    @property
    def api_key(self) -> APIKey | None:
        return self.auth if isinstance(self.auth, APIKey) else None


def header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def query_params(scope: dict[str, Any]) -> dict[str, str]:
    """The first value of each query parameter."""
    parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def credentials_from_scope(scope: dict[str, Any]) -> Credentials:
    """Headers first (as the REST API reads them: API key, then Bearer), then the query parameters."""
    params = query_params(scope)
    raw_key = (header(scope, b"x-api-key") or "").strip()
    if raw_key:
        return Credentials(api_key=raw_key)
    authorization = (header(scope, b"authorization") or "").split()
    if authorization and authorization[0].lower() == "bearer":
        if len(authorization) != 2:
            raise NotAuthenticated("Invalid Authorization header: expected 'Bearer <token>'")
        return Credentials(token=authorization[1])
    if params.get("api_key", "").strip():
        return Credentials(api_key=params["api_key"].strip())
    if params.get("token", "").strip():
        return Credentials(token=params["token"].strip())
    return Credentials()


def authenticate(credentials: Credentials) -> StreamCaller:
    try:
        if credentials.api_key:
            user, auth = APIKeyAuthentication.authenticate_key(credentials.api_key)
        elif credentials.token:
            user, auth = JWTAuthentication.authenticate_token(credentials.token)
        else:
            raise NotAuthenticated(
                "Authentication credentials were not provided: send X-API-Key or Authorization: Bearer, "
                "or ?api_key= / ?token= where headers cannot be set"
            )
    except AuthenticationFailed as exc:
        raise NotAuthenticated(str(exc.detail)) from exc
    return StreamCaller(user=user, auth=auth)


def require_scopes(caller: StreamCaller, need: Need) -> None:
    """The scope rule of `organizations.access.DeclaredScopes`, for a caller outside DRF."""
    key = caller.api_key
    if key is not None and not any(scope in key.scopes for scope in need.scopes):
        wanted = " or ".join(f"'{s}'" for s in need.scopes)
        raise Forbidden(f"This API key lacks the {wanted} scope", code="insufficient_scope")


def organization_access_for(caller: StreamCaller, organization_id: UUID | str, *, need: Need) -> Access:
    return organization_access(caller, organization_id, need=need)  # type: ignore[arg-type]


def run_for_caller(caller: StreamCaller, run_id: UUID | str, *, need: Need = READ_RUN) -> tuple[Run, Organization]:
    """The run if the caller may read it; another organization's run is the same 404 as a missing one."""
    require_scopes(caller, need)
    organization_id = run_organization_id(run_id=run_id)
    if organization_id is None:
        raise NotFound("Run not found")
    try:
        access = organization_access_for(caller, organization_id, need=need)
    except NotFound:
        raise NotFound("Run not found") from None
    return run_get(organization=access.organization, run_id=run_id), access.organization
