"""Reactions to changes in organizations, which sit below apikeys and so cannot call it directly."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apikeys.services import api_keys_revoke_created_by
from organizations.models import Membership


@receiver(post_delete, sender=Membership, dispatch_uid="apikeys.revoke_keys_of_departed_member")
def revoke_keys_of_departed_member(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    if instance.profile_id is not None and instance.status == Membership.Status.ACTIVE:
        api_keys_revoke_created_by(organization_id=instance.organization_id, profile_id=instance.profile_id)
