"""Notification channels, their rules and delivery logs (admins), and each person's inbox (members)."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from argus.errors import NotFound, ValidationFailed
from notifications import selectors
from notifications.api.serializers import (
    ChannelCreateSerializer,
    ChannelListSerializer,
    ChannelSerializer,
    ChannelTestResultSerializer,
    ChannelUpdateSerializer,
    DeliveryQuerySerializer,
    DeliverySerializer,
    InboxItemSerializer,
    InboxQuerySerializer,
    MarkedReadSerializer,
    OrganizationQuerySerializer,
    RuleInputSerializer,
    RuleSerializer,
    UnreadCountSerializer,
)
from notifications.models import Delivery, NotificationChannel, NotificationRule
from notifications.services.channels import (
    channel_create,
    channel_delete,
    channel_update,
    rule_create,
    rule_delete,
    rule_update,
)
from notifications.services.deliveries import channel_send_test
from notifications.services.inbox import inbox_item_mark_read, inbox_mark_all_read
from organizations.access import Need, OrganizationScopedView, request_api_key
from organizations.api.common import errors
from organizations.roles import Role

TAGS = ["notifications"]
MANAGE = Need(Role.ADMIN, "webhooks")
# The inbox is a person's own: people only (a need without scopes refuses API keys).
OWN_INBOX = Need(Role.VIEWER)
ORG_PARAM = OpenApiParameter(
    "organization_id", UUID, description="Default: the API key's organization, else the caller's default one"
)


def _organization_id(request: Request, explicit: UUID | None) -> UUID:
    if explicit is not None:
        return explicit
    key = request_api_key(request)
    if key is not None:
        return key.organization_id
    if request.user.default_organization_id is not None:
        return request.user.default_organization_id
    message = "organization_id is required: the caller has no default organization"
    raise ValidationFailed(f"Validation error: {message}", errors={"organization_id": [message]})


class ChannelScopedView(OrganizationScopedView):
    def channel_for(self, channel_id: UUID) -> NotificationChannel:
        """The channel as the caller may act on it: 404 outside their organizations, 403 below admin."""
        organization_id = selectors.channel_organization_id(channel_id=channel_id)
        if organization_id is None:
            raise NotFound("Notification channel not found")
        try:
            self.access_to(organization_id)
        except NotFound as exc:
            raise NotFound("Notification channel not found") from exc
        channel = selectors.channel_get(organization_id=organization_id, channel_id=channel_id)
        if channel is None:
            raise NotFound("Notification channel not found")
        return channel


class ChannelsView(ChannelScopedView):
    access = {"GET": MANAGE, "POST": MANAGE}

    @extend_schema(
        operation_id="notification_channels_list",
        parameters=[ORG_PARAM],
        responses={200: ChannelListSerializer(many=True), **errors(401, 403, 404, 422)},
        description="The organization's channels; `sent_today` counts deliveries sent since midnight UTC.",
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = OrganizationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = self.access_to(_organization_id(request, query.validated_data.get("organization_id")))
        channels = selectors.channels_for_organization(organization_id=access.organization.pk)
        return Response(ChannelListSerializer(channels, many=True).data)

    @extend_schema(
        operation_id="notification_channels_create",
        parameters=[ORG_PARAM],
        request=ChannelCreateSerializer,
        responses={201: ChannelSerializer, **errors(401, 403, 404, 422)},
        description=(
            "Creates a channel and the `rules` given with it. Kinds and their `config`: `email` "
            "{recipients: [..]}; `slack` {webhook_url} (secret); `webhook` {url, secret (16+ chars), headers?} "
            "(secret and headers are secrets); `in_app` {user_ids?: member ids, empty = every member}. "
            "Secrets are write-only: read back masked as `********`, and sending the mask keeps them."
        ),
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = ChannelCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        query = OrganizationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        explicit = data.get("organization_id") or query.validated_data.get("organization_id")
        access = self.access_to(_organization_id(request, explicit))
        channel = channel_create(
            organization=access.organization,
            created_by=request.user,
            name=data["name"],
            channel_type=data["channel_type"],
            config=data["config"],
            enabled=data["enabled"],
            rate_limit_per_hour=data["rate_limit_per_hour"],
            rules=data["rules"],
        )
        channel = selectors.channel_get(organization_id=access.organization.pk, channel_id=channel.pk)
        return Response(ChannelSerializer(channel).data, status=201)


class ChannelDetailView(ChannelScopedView):
    access = {"GET": MANAGE, "PUT": MANAGE, "PATCH": MANAGE, "DELETE": MANAGE}

    @extend_schema(
        operation_id="notification_channels_get",
        responses={200: ChannelSerializer, **errors(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, channel_id: UUID) -> Response:
        return Response(ChannelSerializer(self.channel_for(channel_id)).data)

    def _update(self, request: Request, channel_id: UUID, *, partial: bool) -> Response:
        channel = self.channel_for(channel_id)
        serializer = ChannelUpdateSerializer(data=request.data, partial=partial, context={"channel": channel})
        serializer.is_valid(raise_exception=True)
        channel_update(channel=channel, **serializer.validated_data)
        channel = selectors.channel_get(organization_id=channel.organization_id, channel_id=channel.pk)
        return Response(ChannelSerializer(channel).data)

    @extend_schema(
        operation_id="notification_channels_update",
        request=ChannelUpdateSerializer,
        responses={200: ChannelSerializer, **errors(401, 403, 404, 422)},
        description=(
            "Replaces name and config. A new config clears `verified`; `enabled: true` clears `disabled_reason`."
        ),
        tags=TAGS,
    )
    def put(self, request: Request, channel_id: UUID) -> Response:
        return self._update(request, channel_id, partial=False)

    @extend_schema(
        operation_id="notification_channels_partial_update",
        request=ChannelUpdateSerializer,
        responses={200: ChannelSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def patch(self, request: Request, channel_id: UUID) -> Response:
        return self._update(request, channel_id, partial=True)

    @extend_schema(
        operation_id="notification_channels_delete",
        responses={204: None, **errors(401, 403, 404)},
        tags=TAGS,
    )
    def delete(self, request: Request, channel_id: UUID) -> Response:
        channel_delete(channel=self.channel_for(channel_id))
        return Response(status=204)


class ChannelTestView(ChannelScopedView):
    access = {"POST": MANAGE}

    @extend_schema(
        operation_id="notification_channels_test",
        request=None,
        responses={200: ChannelTestResultSerializer, **errors(401, 403, 404)},
        description=(
            "Sends a test message now and waits for the answer. Success marks the channel `verified`; "
            "a failure clears it and the delivery's `reason` says why (the channel stays enabled)."
        ),
        tags=TAGS,
    )
    def post(self, request: Request, channel_id: UUID) -> Response:
        channel = self.channel_for(channel_id)
        delivery = channel_send_test(channel=channel)
        ok = delivery.status == Delivery.Status.SENT
        return Response(
            ChannelTestResultSerializer({"success": ok, "verified": ok, "delivery": delivery}).data, status=200
        )


class ChannelRulesView(ChannelScopedView):
    access = {"GET": MANAGE, "POST": MANAGE}

    @extend_schema(
        operation_id="notification_rules_list",
        responses={200: RuleSerializer(many=True), **errors(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, channel_id: UUID) -> Response:
        channel = self.channel_for(channel_id)
        return Response(RuleSerializer(selectors.rules_for_channel(channel=channel), many=True).data)

    @extend_schema(
        operation_id="notification_rules_create",
        request=RuleInputSerializer,
        responses={201: RuleSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def post(self, request: Request, channel_id: UUID) -> Response:
        channel = self.channel_for(channel_id)
        serializer = RuleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = rule_create(channel=channel, **serializer.validated_data)
        return Response(RuleSerializer(rule).data, status=201)


class RuleDetailView(OrganizationScopedView):
    access = {"GET": MANAGE, "PUT": MANAGE, "PATCH": MANAGE, "DELETE": MANAGE}

    def rule_for(self, rule_id: UUID) -> NotificationRule:
        organization_id = selectors.rule_organization_id(rule_id=rule_id)
        if organization_id is None:
            raise NotFound("Notification rule not found")
        try:
            self.access_to(organization_id)
        except NotFound as exc:
            raise NotFound("Notification rule not found") from exc
        rule = selectors.rule_get(organization_id=organization_id, rule_id=rule_id)
        if rule is None:
            raise NotFound("Notification rule not found")
        return rule

    @extend_schema(
        operation_id="notification_rules_get", responses={200: RuleSerializer, **errors(401, 403, 404)}, tags=TAGS
    )
    def get(self, request: Request, rule_id: UUID) -> Response:
        return Response(RuleSerializer(self.rule_for(rule_id)).data)

    def _update(self, request: Request, rule_id: UUID, *, partial: bool) -> Response:
        rule = self.rule_for(rule_id)
        serializer = RuleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if not partial or k in request.data}
        return Response(RuleSerializer(rule_update(rule=rule, **fields)).data)

    @extend_schema(
        operation_id="notification_rules_update",
        request=RuleInputSerializer,
        responses={200: RuleSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def put(self, request: Request, rule_id: UUID) -> Response:
        return self._update(request, rule_id, partial=False)

    @extend_schema(
        operation_id="notification_rules_partial_update",
        request=RuleInputSerializer,
        responses={200: RuleSerializer, **errors(401, 403, 404, 422)},
        tags=TAGS,
    )
    def patch(self, request: Request, rule_id: UUID) -> Response:
        return self._update(request, rule_id, partial=True)

    @extend_schema(operation_id="notification_rules_delete", responses={204: None, **errors(401, 403, 404)}, tags=TAGS)
    def delete(self, request: Request, rule_id: UUID) -> Response:
        rule_delete(rule=self.rule_for(rule_id))
        return Response(status=204)


class ChannelDeliveriesView(ChannelScopedView):
    access = {"GET": MANAGE}

    @extend_schema(
        operation_id="notification_deliveries_list",
        parameters=[DeliveryQuerySerializer],
        responses={200: DeliverySerializer(many=True), **errors(401, 403, 404, 422)},
        description="The channel's delivery log, newest first, including suppressed deliveries and why.",
        tags=TAGS,
    )
    def get(self, request: Request, channel_id: UUID) -> Response:
        channel = self.channel_for(channel_id)
        query = DeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = query.validated_data
        deliveries = selectors.deliveries_for_channel(channel=channel, status=page.get("status"))
        window = deliveries[page["offset"] : page["offset"] + page["limit"]]
        return Response(DeliverySerializer(window, many=True).data)


class InboxView(OrganizationScopedView):
    access = {"GET": OWN_INBOX}

    @extend_schema(
        operation_id="notification_inbox_list",
        parameters=[InboxQuerySerializer],
        responses={200: InboxItemSerializer(many=True), **errors(401, 403, 422)},
        description="The caller's in-app notifications, newest first, from organizations they belong to.",
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = InboxQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = query.validated_data
        items = selectors.inbox_for(
            profile=request.user, organization_id=page.get("organization_id"), unread=page["unread"]
        )
        return Response(InboxItemSerializer(items[page["offset"] : page["offset"] + page["limit"]], many=True).data)


class InboxUnreadCountView(OrganizationScopedView):
    access = {"GET": OWN_INBOX}

    @extend_schema(
        operation_id="notification_inbox_unread_count",
        parameters=[OrganizationQuerySerializer],
        responses={200: UnreadCountSerializer, **errors(401, 403, 422)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = OrganizationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        count = selectors.inbox_for(
            profile=request.user, organization_id=query.validated_data.get("organization_id"), unread=True
        ).count()
        return Response({"unread": count})


class InboxItemReadView(OrganizationScopedView):
    access = {"POST": OWN_INBOX}

    @extend_schema(
        operation_id="notification_inbox_mark_read",
        request=None,
        responses={200: InboxItemSerializer, **errors(401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, item_id: UUID) -> Response:
        return Response(InboxItemSerializer(inbox_item_mark_read(profile=request.user, item_id=item_id)).data)


class InboxReadAllView(OrganizationScopedView):
    access = {"POST": OWN_INBOX}

    @extend_schema(
        operation_id="notification_inbox_mark_all_read",
        request=None,
        parameters=[OrganizationQuerySerializer],
        responses={200: MarkedReadSerializer, **errors(401, 403, 422)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        query = OrganizationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        marked = inbox_mark_all_read(profile=request.user, organization_id=query.validated_data.get("organization_id"))
        return Response({"success": True, "marked": marked})
