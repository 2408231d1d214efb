"""End to end: a failing run from the execution engine notifies through channels set up with the API.

Real Chromium runs a test that fails against the demo app on 127.0.0.1; the outcome goes through
notifications' Celery tasks (eager) to a real SMTP server, a webhook receiver that checks the
signature, and the member's inbox, read back through the API.
"""

from __future__ import annotations

import pytest

from notifications.tests.conftest import (  # noqa: F401 (fixtures)
    _receivers,
    _smtp_controller,
    allow_private,
    eager_celery,
    receiver,
    smtp_server,
)
from notifications.transports.webhook import verify
from testruns.engine.testing import DemoAppServer
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("allow_private", "eager_celery")]
SECRET = "whsec_e2e_0123456789abcdef"
CHANNELS = "/api/v1/notifications/channels"


@pytest.fixture(scope="module")
def demo_app():
    with DemoAppServer() as server:
        yield server


def test_a_failing_run_sends_one_email_one_webhook_and_one_in_app_notification(
    org,
    as_owner,
    demo_app,
    smtp_server,  # noqa: F811 (a fixture imported above)
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # Only the channels speak: the owner turns personal notifications off through the API.
    off = {
        k: False
        for k in (
            "email_test_failures",
            "email_test_completions",
            "in_app_test_failures",
            "in_app_test_completions",
            "email_weekly_digest",
        )
    }
    assert as_owner.put("/api/v1/users/me/preferences", off, format="json").status_code == 200
    for body in [
        {
            "name": "QA email",
            "channel_type": "email",
            "config": {"recipients": ["qa@example.com"]},
            "rules": [{"event_type": "run.failed", "priority": "high"}],
        },
        {
            "name": "CI hook",
            "channel_type": "webhook",
            "config": {"url": receiver.url("/argus"), "secret": SECRET},
            "rules": [{"event_type": "run.failed"}],
        },
        {"name": "Team inbox", "channel_type": "in_app", "config": {}, "rules": [{"event_type": "run.failed"}]},
    ]:
        response = as_owner.post(f"{CHANNELS}?organization_id={org.id}", body, format="json")
        assert response.status_code == 201, response.json()

    project = factories.make_project(org, name="Demo shop", app_url=demo_app.url)
    factories.make_test(project, ["Open /login.html", "Expect to see Welcome, Bob"], name="Bob is welcome")
    with django_capture_on_commit_callbacks(execute=True):
        started = as_owner.post(
            "/api/v1/test/run", {"project_id": str(project.id), "options": {"step_timeout_ms": 1500}}, format="json"
        )
    assert started.status_code == 202, started.json()
    run_id = started.json()["run_id"]
    assert as_owner.get(f"/api/v1/runs/{run_id}").json()["status"] == "failed"

    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["qa@example.com"]
    assert mail.message["Subject"] == "[Argus] Run failed in Demo shop: 1 of 1 tests did not pass"
    assert "Bob is welcome" in mail.part("text/plain")

    [hook] = receiver.requests
    assert verify(SECRET, hook.body, hook.headers["x-argus-signature"])
    payload = hook.json()
    assert payload["event"] == "run.failed" and payload["data"]["run"]["run_id"] == run_id
    assert payload["data"]["failed_tests"][0]["name"] == "Bob is welcome"

    inbox = as_owner.get("/api/v1/notifications/inbox").json()
    assert [(item["event_type"], item["url"].endswith(run_id)) for item in inbox] == [("run.failed", True)]
    assert as_owner.get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 1}
