"""Create (or bring up to date) the demo user, organization, project and tests. Safe to run repeatedly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.jwt import mint_local_token, verify_token
from accounts.models import UserProfile
from organizations.models import Membership, Organization
from organizations.roles import Role
from projects import test_definitions
from projects.models import Project
from testruns.engine.testing import DEMO_TESTS

DEMO_ORG_SLUG = "argus-demo"
DEMO_PROJECT_NAME = "Demo Shop"


class Command(BaseCommand):
    help = "Create the demo user, organization, project (the demo app) and its tests; idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", nargs="?", default="demo@argus.local", help="The demo user's email")
        parser.add_argument("--app-url", default=None, help="The demo app's URL (default: ARGUS_DEMO_APP_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        email: str = options["email"].strip()
        if "@" not in email:
            raise CommandError("EMAIL must be an email address")
        app_url = options["app_url"] or settings.ARGUS_DEMO_APP_URL
        if settings.ARGUS_JWT["JWKS_URL"]:
            raise CommandError("ARGUS_JWT_JWKS_URL is set: sign in through that issuer and create projects in the API")
        # The user id a token for this email carries, so the printed token signs in as the seeded user.
        user_id = verify_token(mint_local_token(email=email, ttl_seconds=60)).user_id
        with transaction.atomic():
            project, created_tests = seed_demo(email=email, user_id=user_id, app_url=app_url)
        self.stdout.write(
            f"Demo ready: organization '{project.organization.name}' ({project.organization_id}), project "
            f"'{project.name}' ({project.id}) at {project.app_url}, {project.tests.count()} tests "
            f"({created_tests} new).\n\n"
            f"Get a token:\n  python manage.py argus_token {email}\n\n"
            "Start a run of every active test:\n"
            '  curl -s -X POST http://127.0.0.1:8000/api/v1/test/run -H "Authorization: Bearer $TOKEN" \\\n'
            f'       -H "Content-Type: application/json" -d \'{{"project_id": "{project.id}"}}\'\n\n'
            "Follow it:\n"
            '  curl -s http://127.0.0.1:8000/api/v1/test/status/RUN_ID -H "Authorization: Bearer $TOKEN"\n'
            '  curl -N http://127.0.0.1:8000/api/v1/stream/runs/RUN_ID -H "Authorization: Bearer $TOKEN"\n'
        )


def seed_demo(*, email: str, user_id: str, app_url: str) -> tuple[Project, int]:
    profile, _ = UserProfile.objects.get_or_create(
        user_id=user_id, defaults={"email": email, "display_name": email.split("@")[0][:100]}
    )
    organization, _ = Organization.objects.get_or_create(slug=DEMO_ORG_SLUG, defaults={"name": "Argus Demo"})
    Membership.objects.update_or_create(
        organization=organization,
        user_id=user_id,
        defaults={
            "profile": profile,
            "email": email,
            "role": Role.OWNER,
            "status": Membership.Status.ACTIVE,
            "accepted_at": timezone.now(),
        },
    )
    if profile.default_organization_id is None:
        profile.default_organization_id = organization.id
    project, _ = Project.objects.update_or_create(
        organization=organization,
        name=DEMO_PROJECT_NAME,
        defaults={"app_url": app_url, "description": "The demo web app that ships with Argus", "created_by": profile},
    )
    if profile.default_project_id is None:
        profile.default_project_id = project.id
    profile.save(update_fields=["default_organization_id", "default_project_id"])
    created = 0
    for spec in DEMO_TESTS:
        existing = project.tests.filter(name=spec["name"]).first()
        if existing is None:
            test_definitions.test_definition_create(
                project=project, name=spec["name"], steps=spec["steps"], tags=spec["tags"], created_by=profile
            )
            created += 1
        else:
            test_definitions.test_definition_update(test=existing, steps=spec["steps"], tags=spec["tags"])
    return project, created
