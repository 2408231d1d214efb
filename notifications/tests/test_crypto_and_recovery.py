"""Secrets at rest (derived key, rotation, a wrong key) and deliveries whose task was lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.crypto import SecretsUnreadable, decrypt_secrets, encrypt_secrets
from notifications.models import Delivery, NotificationChannel
from notifications.services.channels import channel_create
from notifications.services.deliveries import CLAIM_LEASE, deliveries_resume_stalled, delivery_send


def test_secrets_round_trip_and_are_not_readable_without_the_key(settings):
    settings.ARGUS_ENCRYPTION_KEY = "key-one"
    token = encrypt_secrets({"secret": "whsec_abc"})
    assert "whsec_abc" not in token
    assert decrypt_secrets(token) == {"secret": "whsec_abc"}
    settings.ARGUS_ENCRYPTION_KEY = "key-two"
    with pytest.raises(SecretsUnreadable):
        decrypt_secrets(token)
    # Rotation: the old key listed as previous still decrypts; new secrets use the new key.
    settings.ARGUS_ENCRYPTION_KEYS_PREVIOUS = ["key-one"]
    assert decrypt_secrets(token) == {"secret": "whsec_abc"}


def test_without_a_dedicated_key_the_secret_key_is_used(settings):
    settings.ARGUS_ENCRYPTION_KEY = ""
    settings.ARGUS_ENCRYPTION_KEYS_PREVIOUS = []
    token = encrypt_secrets({"a": 1})
    settings.SECRET_KEY = "something-else"
    with pytest.raises(SecretsUnreadable):
        decrypt_secrets(token)


@pytest.mark.django_db
def test_undecryptable_secrets_fail_the_delivery_and_disable_the_channel(settings, org, allow_private, receiver):
    channel = channel_create(
        organization=org,
        created_by=None,
        name="hook",
        channel_type="webhook",
        config={"url": receiver.url(), "secret": "whsec_0123456789abcdef"},
    )
    delivery = Delivery.objects.create(
        organization=org,
        channel=channel,
        transport="webhook",
        event_type="channel.test",
        dedupe_key="k",
        payload={"channel_name": "hook"},
        created_at=timezone.now(),
    )
    settings.ARGUS_ENCRYPTION_KEY = "not-the-key-it-was-encrypted-with"
    assert delivery_send(delivery_id=str(delivery.id)).status == "failed"
    channel.refresh_from_db()
    assert not channel.enabled and "cannot be decrypted" in channel.disabled_reason
    assert receiver.requests == []


@pytest.mark.django_db
def test_stalled_deliveries_are_enqueued_again(org, monkeypatch):
    channel = channel_create(
        organization=org, created_by=None, name="mail", channel_type="email", config={"recipients": ["a@example.com"]}
    )
    now = timezone.now()
    rows = {
        "lost": dict(status="pending", created_at=now - timedelta(minutes=10)),
        "fresh": dict(status="pending", created_at=now),
        "retry_overdue": dict(
            status="retrying", created_at=now - timedelta(hours=1), next_attempt_at=now - timedelta(minutes=6)
        ),
        "retry_waiting": dict(
            status="retrying", created_at=now - timedelta(hours=1), next_attempt_at=now + timedelta(minutes=6)
        ),
        "dead_worker": dict(
            status="sending", created_at=now - timedelta(hours=1), claimed_at=now - CLAIM_LEASE - timedelta(seconds=1)
        ),
        "busy_worker": dict(
            status="sending", created_at=now - timedelta(hours=1), claimed_at=now - timedelta(minutes=1)
        ),
        "done": dict(status="sent", created_at=now - timedelta(hours=1)),
    }
    ids = {
        name: str(
            Delivery.objects.create(
                organization=org, channel=channel, transport="email", event_type="run.failed", dedupe_key=name, **fields
            ).id
        )
        for name, fields in rows.items()
    }
    enqueued: list[str] = []
    monkeypatch.setattr("notifications.services.deliveries._enqueue", enqueued.extend)
    assert deliveries_resume_stalled(now=now) == 3
    assert sorted(enqueued) == sorted([ids["lost"], ids["retry_overdue"], ids["dead_worker"]])


@pytest.mark.django_db
def test_a_claim_is_taken_over_only_after_its_lease(org, allow_private, receiver):
    channel = channel_create(
        organization=org,
        created_by=None,
        name="hook",
        channel_type="webhook",
        config={"url": receiver.url(), "secret": "whsec_0123456789abcdef"},
    )
    now = timezone.now()
    delivery = Delivery.objects.create(
        organization=org,
        channel=channel,
        transport="webhook",
        event_type="channel.test",
        dedupe_key="k",
        payload={"channel_name": "hook"},
        status="sending",
        claimed_at=now,
        created_at=now,
    )
    assert delivery_send(delivery_id=str(delivery.id), now=now + timedelta(minutes=1)).status == "already_claimed"
    assert receiver.requests == []
    assert delivery_send(delivery_id=str(delivery.id), now=now + CLAIM_LEASE + timedelta(seconds=1)).status == "sent"
    assert len(receiver.requests) == 1
    assert NotificationChannel.objects.get().enabled
