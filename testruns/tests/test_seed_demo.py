from io import StringIO

import pytest
from django.core.management import call_command

from accounts.jwt import mint_local_token
from projects.models import Project
from testruns.engine.testing import DEMO_TESTS


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_its_token_reaches_the_project(api, settings):
    settings.ARGUS_DEMO_APP_URL = "http://127.0.0.1:8001/"
    out = StringIO()
    call_command("seed_demo", "demo@argus.local", stdout=out)
    call_command("seed_demo", "demo@argus.local", stdout=StringIO())
    project = Project.objects.get()
    assert project.app_url == "http://127.0.0.1:8001/"
    assert sorted(project.tests.values_list("name", flat=True)) == sorted(t["name"] for t in DEMO_TESTS)
    assert "argus_token demo@argus.local" in out.getvalue() and str(project.id) in out.getvalue()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {mint_local_token(email='demo@argus.local')}")
    response = api.get(f"/api/v1/projects/{project.id}/tests")
    assert response.status_code == 200
    assert len(response.json()) == len(DEMO_TESTS)
