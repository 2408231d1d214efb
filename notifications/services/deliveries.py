"""Planning deliveries for events, and sending one delivery exactly once.

Planning writes a row per (event, channel) before anything is sent; the row's unique `dedupe_key`
makes planning the same event twice a no-op. Cooldowns and the hourly rate limit are decided here,
under a lock on the channel, and what they hold back is kept as a `suppressed` row with the reason.

Sending claims the row with one conditional UPDATE (pending/retrying -> sending), so of two task
runs for the same delivery only one sends. A claim left behind by a dead worker is taken over after
`CLAIM_LEASE`; only then can a receiver see a message twice, and it carries the delivery id
(`X-Argus-Delivery`) to drop it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import DEFAULT_NOTIFICATION_PREFERENCES
from notifications import messages
from notifications.crypto import SecretsUnreadable
from notifications.events import Event
from notifications.models import (
    PRIORITY_RANK,
    ChannelType,
    Delivery,
    EventType,
    NotificationChannel,
    NotificationRule,
)
from notifications.services.channels import channel_full_config
from notifications.transports import get_transport
from notifications.transports.base import PermanentError, TransientError
from organizations.models import Membership

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF_SECONDS = 3600
LIVE_STATUSES = (Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.RETRYING, Delivery.Status.SENT)


def rule_matches(rule: NotificationRule, event: Event) -> bool:
    if rule.event_type != event.event_type:
        return False
    if rule.project_ids and event.project_id not in rule.project_ids:
        return False
    if rule.tags and not event.tags.intersection(rule.tags):
        return False
    return not rule.branches or event.branch in rule.branches


def _enqueue(delivery_ids: list[str]) -> None:
    from notifications.tasks import send_delivery

    for delivery_id in delivery_ids:
        send_delivery.delay(delivery_id)


def enqueue_on_commit(delivery_ids: list[str]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda ids=tuple(delivery_ids): _enqueue(list(ids)))


def deliveries_plan_for_event(*, event: Event, now: datetime | None = None) -> list[Delivery]:
    """Rows for every channel with a matching rule; one per channel, by its highest-priority rule."""
    now = now or timezone.now()
    rules = (
        NotificationRule.objects.select_related("channel")
        .filter(
            channel__organization_id=event.organization_id,
            channel__enabled=True,
            enabled=True,
            event_type=event.event_type,
        )
        .order_by("created_at")
    )
    best: dict[str, NotificationRule] = {}
    for rule in rules:
        if not rule_matches(rule, event):
            continue
        current = best.get(str(rule.channel_id))
        if current is None or PRIORITY_RANK[rule.priority] > PRIORITY_RANK[current.priority]:
            best[str(rule.channel_id)] = rule
    planned = []
    for rule in best.values():
        delivery = _plan_channel_delivery(rule=rule, event=event, now=now)
        if delivery is not None:
            planned.append(delivery)
    return planned


@transaction.atomic
def _plan_channel_delivery(*, rule: NotificationRule, event: Event, now: datetime) -> Delivery | None:
    # The lock serialises planners of one channel, so two events cannot both take the last slot of the hour.
    channel = NotificationChannel.objects.select_for_update().get(pk=rule.channel_id)
    dedupe_key = f"{event.key}:channel:{channel.id}"
    if Delivery.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    status, reason = Delivery.Status.PENDING, ""
    recent = Delivery.objects.filter(channel=channel, status__in=LIVE_STATUSES)
    if (
        rule.cooldown_minutes
        and recent.filter(
            rule=rule, subject_key=event.subject_key, created_at__gt=now - timedelta(minutes=rule.cooldown_minutes)
        ).exists()
    ):
        status = Delivery.Status.SUPPRESSED
        reason = f"Cooldown: this rule notified about {event.subject_key} less than {rule.cooldown_minutes} minutes ago"
    elif recent.filter(created_at__gt=now - timedelta(hours=1)).count() >= channel.rate_limit_per_hour:
        status = Delivery.Status.SUPPRESSED
        reason = f"Rate limit: {channel.rate_limit_per_hour} deliveries per hour reached"
    delivery = Delivery.objects.create(
        organization_id=event.organization_id,
        channel=channel,
        rule=rule,
        transport=channel.channel_type,
        event_type=event.event_type,
        subject_key=event.subject_key,
        event_key=event.key,
        dedupe_key=dedupe_key,
        priority=rule.priority,
        payload=event.payload,
        status=status,
        reason=reason,
        created_at=now,
    )
    if status == Delivery.Status.PENDING:
        enqueue_on_commit([str(delivery.id)])
    else:
        logger.info("Delivery %s suppressed: %s", delivery.id, reason)
    return delivery


def _preferences(profile_prefs: dict | None) -> dict[str, bool]:
    return {**DEFAULT_NOTIFICATION_PREFERENCES, **(profile_prefs or {})}


@transaction.atomic
def deliveries_plan_personal(*, event: Event, run_status: str, now: datetime | None = None) -> list[Delivery]:
    """Email and in-app messages members asked for in their preferences, for one run-level event.

    A failing run is one `run.failed` message to whoever wants failures or completions; a passing run
    is one `run.completed` message to whoever wants completions. Cancelled runs tell nobody.
    """
    now = now or timezone.now()
    failing = event.event_type == EventType.RUN_FAILED
    if run_status == "cancelled" or (event.event_type == EventType.RUN_COMPLETED and run_status in ("failed", "error")):
        return []
    members = Membership.objects.select_related("profile").filter(
        organization_id=event.organization_id, status=Membership.Status.ACTIVE, profile__isnull=False
    )
    planned: list[Delivery] = []
    for membership in members:
        profile = membership.profile
        prefs = _preferences(profile.notification_preferences)
        for transport in (ChannelType.EMAIL, ChannelType.IN_APP):
            wants = prefs[f"{transport}_test_completions"] or (failing and prefs[f"{transport}_test_failures"])
            if not wants:
                continue
            delivery, created = Delivery.objects.get_or_create(
                dedupe_key=f"{event.key}:personal:{transport}:{profile.id}",
                defaults={
                    "organization_id": event.organization_id,
                    "recipient": profile,
                    "transport": transport,
                    "event_type": event.event_type,
                    "subject_key": event.subject_key,
                    "event_key": event.key,
                    "priority": "high" if failing else "normal",
                    "payload": event.payload,
                    "created_at": now,
                },
            )
            if created:
                planned.append(delivery)
    enqueue_on_commit([str(d.id) for d in planned])
    return planned


@dataclass(frozen=True)
class SendResult:
    status: str
    retry_in: int | None = None


def retry_delay(attempts: int) -> int:
    """Exponential backoff: base, 2x base, 4x base, ... capped at an hour."""
    return min(settings.ARGUS_NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _claim(delivery_id: str, now: datetime) -> bool:
    claimable = Q(status__in=(Delivery.Status.PENDING, Delivery.Status.RETRYING)) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE
    )
    return bool(
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _target_config(delivery: Delivery) -> dict:
    if delivery.channel is not None:
        return channel_full_config(delivery.channel)
    # Personal messages and digests go to one person.
    if delivery.transport == ChannelType.EMAIL:
        return {"recipients": [delivery.recipient.email]}
    return {"user_ids": [delivery.recipient.user_id]}


def _finish(delivery: Delivery, **fields: object) -> None:
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save(update_fields=list(fields))


def _attempt(delivery: Delivery) -> int | None:
    try:
        message = messages.render(delivery)
        return get_transport(delivery.transport).send(message=message, config=_target_config(delivery))
    except (TransientError, PermanentError, SecretsUnreadable):
        raise
    except Exception as exc:
        # A bug on our side, not the receiver's: keep the traceback, and let the attempt budget bound retries.
        logger.exception("Delivery %s: unexpected error while sending", delivery.id)
        raise TransientError(f"Internal error: {type(exc).__name__}") from exc


def delivery_send(
    *, delivery_id: str, now: datetime | None = None, max_attempts: int | None = None, disable_on_failure: bool = True
) -> SendResult:
    """Send one delivery if nobody else has; decide between done, retry later, and failed."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return SendResult(status="already_claimed")
    delivery = Delivery.objects.select_related("channel", "recipient").get(pk=delivery_id)
    channel = delivery.channel
    if channel is None and delivery.recipient is None:
        _finish(delivery, status=Delivery.Status.FAILED, reason="The recipient no longer exists")
        return SendResult(status=Delivery.Status.FAILED)
    if channel is not None and not channel.enabled and delivery.event_type != messages.CHANNEL_TEST_EVENT:
        _finish(
            delivery,
            status=Delivery.Status.FAILED,
            reason=f"Channel disabled: {channel.disabled_reason or 'by an admin'}",
        )
        return SendResult(status=Delivery.Status.FAILED)
    max_attempts = max_attempts or settings.ARGUS_NOTIFICATIONS_MAX_ATTEMPTS
    try:
        code = _attempt(delivery)
    except TransientError as exc:
        if delivery.attempts >= max_attempts:
            reason = f"Gave up after {delivery.attempts} attempts: {exc.reason}"
            _finish(delivery, status=Delivery.Status.FAILED, reason=reason[:500], response_code=exc.status_code)
            _note_channel_error(channel, reason)
            return SendResult(status=Delivery.Status.FAILED)
        delay = max(exc.retry_after or 0, retry_delay(delivery.attempts))
        _finish(
            delivery,
            status=Delivery.Status.RETRYING,
            reason=exc.reason[:500],
            response_code=exc.status_code,
            next_attempt_at=now + timedelta(seconds=delay),
        )
        logger.warning(
            "Delivery %s failed (attempt %s), retrying in %ss: %s", delivery.id, delivery.attempts, delay, exc.reason
        )
        return SendResult(status=Delivery.Status.RETRYING, retry_in=delay)
    except (PermanentError, SecretsUnreadable) as exc:
        reason = (exc.reason if isinstance(exc, PermanentError) else str(exc))[:500]
        code = exc.status_code if isinstance(exc, PermanentError) else None
        _finish(delivery, status=Delivery.Status.FAILED, reason=reason, response_code=code)
        logger.warning("Delivery %s failed permanently: %s", delivery.id, reason)
        if channel is not None and disable_on_failure:
            NotificationChannel.objects.filter(pk=channel.pk).update(
                enabled=False, disabled_reason=reason, last_error=reason, updated_at=now
            )
        return SendResult(status=Delivery.Status.FAILED)
    _finish(delivery, status=Delivery.Status.SENT, sent_at=now, response_code=code, reason="", next_attempt_at=None)
    if channel is not None and channel.last_error:
        NotificationChannel.objects.filter(pk=channel.pk).update(last_error="")
    return SendResult(status=Delivery.Status.SENT)


def _note_channel_error(channel: NotificationChannel | None, reason: str) -> None:
    if channel is not None:
        NotificationChannel.objects.filter(pk=channel.pk).update(last_error=reason[:500])


def channel_send_test(*, channel: NotificationChannel, now: datetime | None = None) -> Delivery:
    """Send a test message now, once, and mark the channel verified if it arrived.

    Inline on purpose: the admin is waiting for the answer. A failure is reported, not retried, and
    does not disable the channel (the admin is fixing it).
    """
    now = now or timezone.now()
    delivery = Delivery.objects.create(
        organization_id=channel.organization_id,
        channel=channel,
        transport=channel.channel_type,
        event_type=messages.CHANNEL_TEST_EVENT,
        subject_key="test",
        dedupe_key=f"test:{channel.id}:{uuid.uuid4()}",
        payload={"channel_name": channel.name},
        created_at=now,
    )
    result = delivery_send(delivery_id=str(delivery.id), now=now, max_attempts=1, disable_on_failure=False)
    channel.verified = result.status == Delivery.Status.SENT
    NotificationChannel.objects.filter(pk=channel.pk).update(verified=channel.verified)
    delivery.refresh_from_db()
    return delivery


def deliveries_resume_stalled(*, now: datetime | None = None) -> int:
    """Re-enqueue deliveries whose task was lost (a broker without durable ETAs, a dead worker)."""
    now = now or timezone.now()
    grace = timedelta(minutes=5)
    stalled = Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING, created_at__lt=now - grace)
        | Q(status=Delivery.Status.RETRYING, next_attempt_at__lt=now - grace)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    ).values_list("id", flat=True)[:500]
    ids = [str(i) for i in stalled]
    _enqueue(ids)
    return len(ids)
