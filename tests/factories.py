"""Small factories shared by every app's tests. They write rows directly, without the services under test."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from accounts.jwt import mint_local_token
from accounts.models import UserProfile
from apikeys.models import APIKey
from apikeys.services import DISPLAY_PREFIX_LENGTH, generate_raw_key, hash_key
from organizations.models import Membership, Organization
from organizations.roles import Role
from projects.models import Project, TestDefinition

_counter = itertools.count(1)


def make_profile(email: str | None = None, **fields) -> UserProfile:
    n = next(_counter)
    email = email or f"user{n}@example.com"
    return UserProfile.objects.create(user_id=fields.pop("user_id", f"user_test{n}"), email=email, **fields)


def make_org(owner: UserProfile | None = None, name: str | None = None, **fields) -> Organization:
    n = next(_counter)
    name = name or f"Org {n}"
    org = Organization.objects.create(name=name, slug=f"{slugify(name)}-{n}", **fields)
    if owner is not None:
        add_member(org, owner, Role.OWNER)
    return org


def add_member(org: Organization, profile: UserProfile, role: str = Role.MEMBER) -> Membership:
    return Membership.objects.create(
        organization=org,
        profile=profile,
        user_id=profile.user_id,
        email=profile.email,
        role=role,
        status=Membership.Status.ACTIVE,
        accepted_at=timezone.now(),
    )


def make_api_key(
    org: Organization, creator: UserProfile, scopes: list[str] | None = None, expires_in_days: int | None = None
) -> tuple[APIKey, str]:
    raw = generate_raw_key()
    key = APIKey.objects.create(
        organization=org,
        created_by=creator,
        name=f"key {next(_counter)}",
        key_prefix=raw[:DISPLAY_PREFIX_LENGTH],
        key_hash=hash_key(raw),
        scopes=scopes if scopes is not None else ["read", "write"],
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return key, raw


def make_project(org: Organization, name: str | None = None, app_url: str = "http://127.0.0.1:9/", **fields) -> Project:
    return Project.objects.create(organization=org, name=name or f"Project {next(_counter)}", app_url=app_url, **fields)


def make_test(project: Project, steps: list, name: str | None = None, **fields) -> TestDefinition:
    return TestDefinition.objects.create(project=project, name=name or f"Test {next(_counter)}", steps=steps, **fields)


def bearer(profile: UserProfile) -> dict[str, str]:
    """Headers for APIClient(**headers): a real token from the local issuer for this profile."""
    return {"HTTP_AUTHORIZATION": f"Bearer {mint_local_token(email=profile.email, user_id=profile.user_id)}"}


def api_key_header(raw: str) -> dict[str, str]:
    return {"HTTP_X_API_KEY": raw}
