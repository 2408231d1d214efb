"""The notifications API: the reference's list/create shapes, masking, validation, roles, scopes, tenancy, inbox."""

from __future__ import annotations

import json

import pytest

from notifications.models import Delivery, InboxItem, NotificationChannel, NotificationRule
from notifications.services.channels import channel_secrets
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/channels"
SECRET = "whsec_0123456789abcdef"
EMAIL_BODY = {
    "name": "Email Alerts",
    "channel_type": "email",
    "config": {"recipients": ["team@example.com"]},
    "enabled": True,
    "rate_limit_per_hour": 100,
    "rules": [{"event_type": "test.failed", "priority": "high", "cooldown_minutes": 15}],
}


def create(client, body, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{URL}?{query}" if query else URL, body, format="json")


def test_create_as_the_reference_shows_with_its_rules(as_owner, org):
    response = create(as_owner, EMAIL_BODY, organization_id=org.id)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Email Alerts" and body["channel_type"] == "email"
    assert body["enabled"] is True and body["verified"] is False
    assert body["rate_limit_per_hour"] == 100 and body["sent_today"] == 0
    assert body["config"] == {"recipients": ["team@example.com"]}
    [rule] = body["rules"]
    assert (rule["event_type"], rule["priority"], rule["cooldown_minutes"]) == ("test.failed", "high", 15)
    assert NotificationRule.objects.get().channel_id == NotificationChannel.objects.get().id


def test_list_has_exactly_the_reference_fields(as_owner, org):
    create(as_owner, EMAIL_BODY, organization_id=org.id)
    response = as_owner.get(URL, {"organization_id": org.id})
    assert response.status_code == 200
    [item] = response.json()
    assert set(item) == {"id", "name", "channel_type", "enabled", "verified", "rate_limit_per_hour", "sent_today"}


def test_default_organization_is_used_without_organization_id(as_owner, org, owner):
    owner.default_organization_id = org.id
    owner.save()
    assert create(as_owner, EMAIL_BODY).status_code == 201
    assert len(as_owner.get(URL).json()) == 1


def test_without_any_organization_it_is_a_clear_422(as_owner, org):
    response = as_owner.get(URL)
    assert response.status_code == 422
    assert "organization_id" in response.json()["errors"]
    assert create(as_owner, EMAIL_BODY).status_code == 422
    assert create(as_owner, EMAIL_BODY, organization_id="not-a-uuid").status_code == 422
    assert not NotificationChannel.objects.exists()


def test_webhook_secrets_are_write_only_encrypted_and_kept_when_masked(as_owner, org, allow_private):
    body = {
        "name": "Hook",
        "channel_type": "webhook",
        "config": {
            "url": "https://hooks.example.com/argus",
            "secret": SECRET,
            "headers": {"Authorization": "Bearer header-token-42"},
        },
    }
    created = create(as_owner, body, organization_id=org.id).json()
    assert created["config"] == {
        "url": "https://hooks.example.com/argus",
        "secret": "********",
        "headers": {"Authorization": "********"},
    }
    channel = NotificationChannel.objects.get()
    assert SECRET not in channel.secrets_encrypted and "header-token-42" not in channel.secrets_encrypted
    assert SECRET not in str(channel.config)
    # Echo the masked config back with a new URL: the secrets stay.
    updated = as_owner.put(
        f"{URL}/{channel.id}",
        {"name": "Hook 2", "config": {**created["config"], "url": "https://hooks.example.com/v2"}},
        format="json",
    )
    assert updated.status_code == 200, updated.json()
    channel.refresh_from_db()
    assert channel_secrets(channel) == {"secret": SECRET, "headers": {"Authorization": "Bearer header-token-42"}}
    assert channel.config == {"url": "https://hooks.example.com/v2"}


@pytest.mark.parametrize(
    ("channel_type", "config", "field"),
    [
        ("email", {"recipients": []}, "config.recipients"),
        ("email", {"recipients": ["not-an-address"]}, "config.recipients"),
        ("email", {"recipients": ["a@example.com"], "cc": "x"}, "config"),
        ("webhook", {"url": "https://hooks.example.com", "secret": "short"}, "config.secret"),
        ("webhook", {"url": "ftp://hooks.example.com", "secret": SECRET}, "config.url"),
        ("webhook", {"url": "http://10.0.0.5/hook", "secret": SECRET}, "config.url"),
        ("webhook", {"url": "https://h.example.com", "secret": SECRET, "headers": {"Host": "x"}}, "config.headers"),
        ("slack", {}, "config.webhook_url"),
        ("in_app", {"user_ids": ["user_nobody"]}, "config.user_ids"),
    ],
)
def test_each_kinds_config_is_validated(as_owner, org, channel_type, config, field):
    response = create(as_owner, {"name": "x", "channel_type": channel_type, "config": config}, organization_id=org.id)
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["status_code"] == 422 and field in body["errors"]
    assert not NotificationChannel.objects.exists()


def test_a_bad_rule_in_the_create_body_writes_nothing(as_owner, org):
    body = {**EMAIL_BODY, "rules": [{"event_type": "test.failed"}, {"event_type": "run.exploded"}]}
    response = create(as_owner, body, organization_id=org.id)
    assert response.status_code == 422
    assert "rules.1.event_type" in response.json()["errors"]
    assert not NotificationChannel.objects.exists() and not NotificationRule.objects.exists()


def test_unknown_project_in_a_rule_is_refused(as_owner, org):
    other = factories.make_project(factories.make_org(factories.make_profile()))
    body = {**EMAIL_BODY, "rules": [{"event_type": "run.failed", "project_ids": [str(other.id)]}]}
    response = create(as_owner, body, organization_id=org.id)
    assert response.status_code == 422
    assert "rules.0.project_ids" in response.json()["errors"]
    assert not NotificationChannel.objects.exists()


def test_members_cannot_manage_channels_and_strangers_get_404(org, as_owner):
    channel_id = create(as_owner, EMAIL_BODY, organization_id=org.id).json()["id"]
    member = factories.make_profile()
    factories.add_member(org, member, "member")
    as_member = client_for(member)
    assert create(as_member, EMAIL_BODY, organization_id=org.id).status_code == 403
    assert as_member.get(f"{URL}/{channel_id}").status_code == 403
    stranger = client_for(factories.make_profile())
    for response in (stranger.get(f"{URL}/{channel_id}"), stranger.delete(f"{URL}/{channel_id}")):
        assert response.status_code == 404
        assert response.json() == {"detail": "Notification channel not found", "status_code": 404, "code": "not_found"}
    assert stranger.get(URL, {"organization_id": org.id}).status_code == 404
    assert NotificationChannel.objects.count() == 1


def test_api_keys_need_the_webhooks_scope(org, owner, api):
    _, with_scope = factories.make_api_key(org, owner, scopes=["webhooks"])
    _, without = factories.make_api_key(org, owner, scopes=["read", "write"])
    api.credentials(**factories.api_key_header(with_scope))
    assert create(api, EMAIL_BODY).status_code == 201  # the key's own organization
    api.credentials(**factories.api_key_header(without))
    response = api.get(URL)
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"


def test_rules_crud(as_owner, org):
    channel_id = create(as_owner, EMAIL_BODY, organization_id=org.id).json()["id"]
    project = factories.make_project(org)
    created = as_owner.post(
        f"{URL}/{channel_id}/rules",
        {"event_type": "run.failed", "priority": "urgent", "project_ids": [str(project.id)], "branches": ["main"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]
    assert len(as_owner.get(f"{URL}/{channel_id}/rules").json()) == 2
    patched = as_owner.patch(f"/api/v1/notifications/rules/{rule_id}", {"cooldown_minutes": 30}, format="json")
    assert patched.status_code == 200
    assert patched.json()["cooldown_minutes"] == 30 and patched.json()["priority"] == "urgent"
    assert patched.json()["branches"] == ["main"]
    bad = as_owner.patch(f"/api/v1/notifications/rules/{rule_id}", {"priority": "whenever"}, format="json")
    assert bad.status_code == 422
    assert as_owner.delete(f"/api/v1/notifications/rules/{rule_id}").status_code == 204
    assert as_owner.get(f"/api/v1/notifications/rules/{rule_id}").status_code == 404


def test_delete_and_reenable(as_owner, org):
    channel_id = create(as_owner, EMAIL_BODY, organization_id=org.id).json()["id"]
    NotificationChannel.objects.filter(pk=channel_id).update(enabled=False, disabled_reason="HTTP 410 gone")
    response = as_owner.patch(f"{URL}/{channel_id}", {"enabled": True}, format="json")
    assert response.json()["enabled"] is True and response.json()["disabled_reason"] == ""
    assert as_owner.patch(f"{URL}/{channel_id}", {"channel_type": "slack"}, format="json").status_code == 422
    assert as_owner.delete(f"{URL}/{channel_id}").status_code == 204
    assert not NotificationChannel.objects.exists()


def test_test_delivery_sets_verified_and_is_logged(as_owner, org, smtp_server):
    channel_id = create(as_owner, EMAIL_BODY, organization_id=org.id).json()["id"]
    response = as_owner.post(f"{URL}/{channel_id}/test")
    assert response.status_code == 200, response.json()
    assert response.json()["success"] is True and response.json()["verified"] is True
    assert smtp_server.messages[0].message["Subject"] == "[Argus] Test notification"
    assert as_owner.get(f"{URL}/{channel_id}").json()["verified"] is True
    log = as_owner.get(f"{URL}/{channel_id}/deliveries").json()
    assert [(d["event_type"], d["status"]) for d in log] == [("channel.test", "sent")]
    listed = as_owner.get(URL, {"organization_id": org.id}).json()
    assert listed[0]["sent_today"] == 1


def test_failed_test_delivery_reports_why_and_keeps_the_channel(as_owner, org, receiver, allow_private):
    receiver.respond("/hook", (404, {}, b"no_service"))
    body = {"name": "Slack", "channel_type": "slack", "config": {"webhook_url": receiver.url("/hook")}}
    channel_id = create(as_owner, body, organization_id=org.id).json()["id"]
    response = as_owner.post(f"{URL}/{channel_id}/test").json()
    assert response["success"] is False and response["verified"] is False
    assert response["delivery"]["reason"] == "HTTP 404 no_service"
    assert NotificationChannel.objects.get().enabled


def test_deliveries_log_filters_by_status(as_owner, org):
    channel_id = create(as_owner, EMAIL_BODY, organization_id=org.id).json()["id"]
    from django.utils import timezone

    for i, status in enumerate(["sent", "suppressed", "suppressed"]):
        Delivery.objects.create(
            organization=org,
            channel_id=channel_id,
            transport="email",
            event_type="test.failed",
            dedupe_key=f"k{i}",
            status=status,
            reason="Rate limit" if status == "suppressed" else "",
            created_at=timezone.now(),
        )
    suppressed = as_owner.get(f"{URL}/{channel_id}/deliveries", {"status": "suppressed"}).json()
    assert len(suppressed) == 2 and suppressed[0]["reason"] == "Rate limit"
    assert len(as_owner.get(f"{URL}/{channel_id}/deliveries", {"limit": 1}).json()) == 1


def test_inbox_list_count_read_and_read_all(org, owner, as_owner, api):
    other_org = factories.make_org(owner)
    items = [
        InboxItem.objects.create(
            organization=o, recipient=owner, event_type="run.failed", title=f"t{i}", dedupe_key=f"e{i}"
        )
        for i, o in enumerate([org, org, other_org])
    ]
    someone = factories.make_profile()
    factories.add_member(org, someone)
    InboxItem.objects.create(organization=org, recipient=someone, event_type="run.failed", title="x", dedupe_key="e9")

    assert as_owner.get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 3}
    assert as_owner.get("/api/v1/notifications/inbox/unread-count", {"organization_id": org.id}).json() == {"unread": 2}
    listed = as_owner.get("/api/v1/notifications/inbox").json()
    assert {i["title"] for i in listed} == {"t0", "t1", "t2"} and all(not i["read"] for i in listed)

    read = as_owner.post(f"/api/v1/notifications/inbox/{items[0].id}/read")
    assert read.status_code == 200 and read.json()["read"] is True
    foreign = InboxItem.objects.get(recipient=someone)
    assert as_owner.post(f"/api/v1/notifications/inbox/{foreign.id}/read").status_code == 404
    assert as_owner.get("/api/v1/notifications/inbox", {"unread": "true"}).json()[0]["title"] in {"t1", "t2"}
    assert as_owner.post("/api/v1/notifications/inbox/read-all").json() == {"success": True, "marked": 2}
    assert as_owner.get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 0}

    _, raw = factories.make_api_key(org, owner, scopes=["read", "webhooks"])
    api.credentials(**factories.api_key_header(raw))
    assert api.get("/api/v1/notifications/inbox").status_code == 403


def test_inbox_hides_organizations_the_person_left(org, owner, as_owner):
    member = factories.make_profile()
    membership = factories.add_member(org, member)
    InboxItem.objects.create(organization=org, recipient=member, event_type="run.failed", title="x", dedupe_key="e")
    assert client_for(member).get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 1}
    membership.delete()
    assert client_for(member).get("/api/v1/notifications/inbox/unread-count").json() == {"unread": 0}


def test_openapi_declares_the_notification_paths(api):
    schema = json.loads(api.get("/docs/openapi.json", {"format": "json"}).content)
    paths = schema["paths"]
    for path in [
        "/api/v1/notifications/channels",
        "/api/v1/notifications/channels/{channel_id}",
        "/api/v1/notifications/channels/{channel_id}/test",
        "/api/v1/notifications/channels/{channel_id}/rules",
        "/api/v1/notifications/channels/{channel_id}/deliveries",
        "/api/v1/notifications/rules/{rule_id}",
        "/api/v1/notifications/inbox",
        "/api/v1/notifications/inbox/unread-count",
        "/api/v1/notifications/inbox/{item_id}/read",
        "/api/v1/notifications/inbox/read-all",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/notifications/channels"]) >= {"get", "post"}
