"""Writes for channels and rules. Config is validated by the channel kind's transport; secrets are
split off and encrypted before anything is saved."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import UserProfile
from argus.errors import ValidationFailed
from notifications.crypto import decrypt_secrets, encrypt_secrets
from notifications.models import ChannelType, NotificationChannel, NotificationRule
from notifications.transports import get_transport
from notifications.transports.base import MASK, ConfigError
from organizations.models import Membership, Organization
from projects.models import Project

_UNSET: Any = object()


def channel_secrets(channel: NotificationChannel) -> dict[str, Any]:
    return decrypt_secrets(channel.secrets_encrypted)


def channel_masked_config(channel: NotificationChannel) -> dict[str, Any]:
    """The config as an admin may read it: every secret replaced by a mask."""
    shown = dict(channel.config)
    for name, value in channel_secrets(channel).items():
        if isinstance(value, dict):
            shown[name] = {key: MASK for key in value}
        elif value:
            shown[name] = MASK
    return shown


def channel_full_config(channel: NotificationChannel) -> dict[str, Any]:
    return {**channel.config, **channel_secrets(channel)}


def _clean_config(
    *, organization: Organization, channel_type: str, raw: Any, existing_secrets: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    if not isinstance(raw, dict):
        raise ValidationFailed("Validation error: config: must be an object", errors={"config": ["Must be an object."]})
    try:
        clean = get_transport(channel_type).clean_config(raw, existing_secrets=existing_secrets)
    except ConfigError as exc:
        raise ValidationFailed(f"Invalid config: {exc}", errors=exc.errors) from None
    if channel_type == ChannelType.IN_APP and clean.public["user_ids"]:
        members = set(
            Membership.objects.filter(
                organization=organization, status=Membership.Status.ACTIVE, user_id__in=clean.public["user_ids"]
            ).values_list("user_id", flat=True)
        )
        strangers = [u for u in clean.public["user_ids"] if u not in members]
        if strangers:
            message = f"Not members of this organization: {', '.join(strangers)}"
            raise ValidationFailed(f"Invalid config: {message}", errors={"config.user_ids": [message]})
    return clean.public, encrypt_secrets({k: v for k, v in clean.secrets.items() if v})


def _clean_project_ids(organization: Organization, project_ids: list[str]) -> list[str]:
    wanted = [str(p) for p in project_ids]
    found = {
        str(p) for p in Project.objects.filter(organization=organization, id__in=wanted).values_list("id", flat=True)
    }
    missing = [p for p in wanted if p not in found]
    if missing:
        message = f"Unknown projects in this organization: {', '.join(missing)}"
        raise ValidationFailed(f"Validation error: project_ids: {message}", errors={"project_ids": [message]})
    return list(dict.fromkeys(wanted))


@transaction.atomic
def channel_create(
    *,
    organization: Organization,
    created_by: UserProfile | None,
    name: str,
    channel_type: str,
    config: dict[str, Any],
    enabled: bool = True,
    rate_limit_per_hour: int = 60,
    rules: list[dict[str, Any]] | None = None,
) -> NotificationChannel:
    public, secrets_token = _clean_config(
        organization=organization, channel_type=channel_type, raw=config, existing_secrets={}
    )
    channel = NotificationChannel.objects.create(
        organization=organization,
        name=name,
        channel_type=channel_type,
        config=public,
        secrets_encrypted=secrets_token,
        enabled=enabled,
        rate_limit_per_hour=rate_limit_per_hour,
        created_by=created_by,
    )
    for index, rule in enumerate(rules or []):
        try:
            rule_create(channel=channel, **rule)
        except ValidationFailed as exc:
            errors = {f"rules.{index}.{k}": v for k, v in (exc.errors or {}).items()}
            raise ValidationFailed(f"Invalid rule {index}: {exc.detail}", errors=errors) from None
    return channel


@transaction.atomic
def channel_update(
    *,
    channel: NotificationChannel,
    name: str = _UNSET,
    config: dict[str, Any] = _UNSET,
    enabled: bool = _UNSET,
    rate_limit_per_hour: int = _UNSET,
) -> NotificationChannel:
    if name is not _UNSET:
        channel.name = name
    if rate_limit_per_hour is not _UNSET:
        channel.rate_limit_per_hour = rate_limit_per_hour
    if config is not _UNSET:
        channel.config, channel.secrets_encrypted = _clean_config(
            organization=channel.organization,
            channel_type=channel.channel_type,
            raw=config,
            existing_secrets=channel_secrets(channel),
        )
        # A new destination has not proven itself yet.
        channel.verified = False
    if enabled is not _UNSET:
        channel.enabled = enabled
        if enabled:
            channel.disabled_reason = ""
    channel.save()
    return channel


def channel_delete(*, channel: NotificationChannel) -> None:
    channel.delete()


def rule_create(
    *,
    channel: NotificationChannel,
    event_type: str,
    priority: str = "normal",
    cooldown_minutes: int = 0,
    project_ids: list[str] | None = None,
    tags: list[str] | None = None,
    branches: list[str] | None = None,
    enabled: bool = True,
) -> NotificationRule:
    return NotificationRule.objects.create(
        channel=channel,
        event_type=event_type,
        priority=priority,
        cooldown_minutes=cooldown_minutes,
        project_ids=_clean_project_ids(channel.organization, project_ids or []),
        tags=list(dict.fromkeys(tags or [])),
        branches=list(dict.fromkeys(branches or [])),
        enabled=enabled,
    )


def rule_update(*, rule: NotificationRule, **fields: Any) -> NotificationRule:
    allowed = {"event_type", "priority", "cooldown_minutes", "project_ids", "tags", "branches", "enabled"}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"rule_update() got an unexpected field {name!r}")
        if name == "project_ids":
            value = _clean_project_ids(rule.channel.organization, value)
        elif name in ("tags", "branches"):
            value = list(dict.fromkeys(value))
        setattr(rule, name, value)
    rule.save()
    return rule


def rule_delete(*, rule: NotificationRule) -> None:
    rule.delete()
