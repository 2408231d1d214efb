"""Reads, always scoped by organization (channels, rules, deliveries) or by person (inbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import UserProfile
from notifications.models import Delivery, InboxItem, NotificationChannel, NotificationRule
from organizations.models import Membership


def start_of_day_utc(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def channels_for_organization(*, organization_id: UUID | str, now: datetime | None = None) -> QuerySet:
    """Channels with `sent_today`: deliveries sent since midnight UTC."""
    return NotificationChannel.objects.filter(organization_id=organization_id).annotate(
        sent_today=Count(
            "deliveries",
            filter=Q(deliveries__status=Delivery.Status.SENT, deliveries__sent_at__gte=start_of_day_utc(now)),
        )
    )


def channel_get(*, organization_id: UUID | str, channel_id: UUID | str) -> NotificationChannel | None:
    return channels_for_organization(organization_id=organization_id).filter(pk=channel_id).first()


def channel_organization_id(*, channel_id: UUID | str) -> UUID | None:
    """Only to find which organization's access to check; the channel itself is read scoped afterwards."""
    return NotificationChannel.objects.filter(pk=channel_id).values_list("organization_id", flat=True).first()


def rule_organization_id(*, rule_id: UUID | str) -> UUID | None:
    return NotificationRule.objects.filter(pk=rule_id).values_list("channel__organization_id", flat=True).first()


def rules_for_channel(*, channel: NotificationChannel) -> QuerySet:
    return NotificationRule.objects.filter(channel=channel)


def rule_get(*, organization_id: UUID | str, rule_id: UUID | str) -> NotificationRule | None:
    return (
        NotificationRule.objects.select_related("channel", "channel__organization")
        .filter(pk=rule_id, channel__organization_id=organization_id)
        .first()
    )


def deliveries_for_channel(*, channel: NotificationChannel, status: str | None = None) -> QuerySet:
    deliveries = Delivery.objects.filter(channel=channel, organization_id=channel.organization_id)
    return deliveries.filter(status=status) if status else deliveries


def inbox_for(*, profile: UserProfile, organization_id: UUID | str | None = None, unread: bool = False) -> QuerySet:
    """A person's inbox, only from organizations they are still an active member of."""
    current = Membership.objects.filter(profile=profile, status=Membership.Status.ACTIVE).values("organization_id")
    items = InboxItem.objects.filter(recipient=profile, organization_id__in=current)
    if organization_id is not None:
        items = items.filter(organization_id=organization_id)
    return items.filter(read_at__isnull=True) if unread else items
