"""Writes to a person's inbox (reading state only; items are created by the in-app transport)."""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone

from accounts.models import UserProfile
from argus.errors import NotFound
from notifications.models import InboxItem
from notifications.selectors import inbox_for


def inbox_item_mark_read(*, profile: UserProfile, item_id: UUID | str) -> InboxItem:
    item = inbox_for(profile=profile).filter(pk=item_id).first()
    if item is None:
        raise NotFound("Notification not found")
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    return item


def inbox_mark_all_read(*, profile: UserProfile, organization_id: UUID | str | None = None) -> int:
    return inbox_for(profile=profile, organization_id=organization_id, unread=True).update(read_at=timezone.now())
