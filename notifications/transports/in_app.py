"""In-app notifications: an item in each recipient's inbox.

Recipients are the channel's `user_ids` (members of the organization), or every active member when
the list is empty. Items are keyed by event, so running the transport twice, or two in-app channels and a
person's own preference carrying the same event, add one item.
"""

from __future__ import annotations

from typing import Any

from notifications.transports.base import CleanConfig, ConfigError, Message, Transport
from organizations.models import Membership


class InAppTransport(Transport):
    kind = "in_app"

    def clean_config(self, raw: dict[str, Any], *, existing_secrets: dict[str, Any]) -> CleanConfig:
        user_ids = raw.get("user_ids", [])
        if not isinstance(user_ids, list) or not all(isinstance(u, str) and u for u in user_ids):
            raise ConfigError({"config.user_ids": ["A list of member user ids (empty: every member)."]})
        unknown = set(raw) - {"user_ids"}
        if unknown:
            raise ConfigError({"config": [f"Unknown keys for an in-app channel: {', '.join(sorted(unknown))}."]})
        return CleanConfig(public={"user_ids": list(dict.fromkeys(user_ids))}, secrets={})

    def send(self, *, message: Message, config: dict[str, Any]) -> int | None:
        from notifications.models import InboxItem

        members = Membership.objects.filter(
            organization_id=message.organization_id, status=Membership.Status.ACTIVE, profile__isnull=False
        )
        if config.get("user_ids"):
            members = members.filter(user_id__in=config["user_ids"])
        for profile_id in members.values_list("profile_id", flat=True):
            InboxItem.objects.get_or_create(
                recipient_id=profile_id,
                dedupe_key=message.event_key or f"delivery:{message.delivery_id}",
                defaults={
                    "organization_id": message.organization_id,
                    "delivery_id": message.delivery_id,
                    "event_type": message.event_type,
                    "priority": message.priority,
                    "title": message.title[:300],
                    "body": message.text,
                    "url": message.url or "",
                    "data": message.data,
                },
            )
        return None
