from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import StrictFieldsMixin
from organizations.models import Membership, Organization
from organizations.roles import Role

# A DNS name: labels of letters, digits and inner hyphens, with a dot-separated top-level label.
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.[a-z]{2,63}$")
INVITABLE_ROLES = [(role.value, role.label) for role in (Role.ADMIN, Role.MEMBER, Role.VIEWER)]
# Billing owns these: they change only through Stripe webhooks.
BILLING_FIELDS = ("plan", "stripe_customer_id", "stripe_subscription_id")


class SuccessSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class OrganizationSerializer(serializers.ModelSerializer):
    ai_budget_daily = serializers.SerializerMethodField()
    ai_budget_monthly = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "plan",
            "ai_budget_daily",
            "ai_budget_monthly",
            "settings",
            "features",
            "stripe_customer_id",
            "stripe_subscription_id",
            "logo_url",
            "domain",
            "sso_enabled",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    # Budgets are money kept as decimals; the API shows them as plain JSON numbers.
    @extend_schema_field(serializers.FloatField())
    def get_ai_budget_daily(self, organization: Organization) -> float:
        return float(organization.ai_budget_daily)

    @extend_schema_field(serializers.FloatField())
    def get_ai_budget_monthly(self, organization: Organization) -> float:
        return float(organization.ai_budget_monthly)


class OrganizationListItemSerializer(serializers.Serializer):
    """One organization in the caller's list; built from (organization, role) pairs."""

    id = serializers.UUIDField(source="organization.id")
    name = serializers.CharField(source="organization.name")
    slug = serializers.CharField(source="organization.slug")
    plan = serializers.CharField(source="organization.plan")
    logo_url = serializers.CharField(source="organization.logo_url", allow_null=True)
    member_count = serializers.IntegerField(source="organization.member_count")
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField(source="organization.created_at")


class UserOrganizationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="organization.id")
    name = serializers.CharField(source="organization.name")
    slug = serializers.CharField(source="organization.slug")
    role = serializers.ChoiceField(choices=Role.choices)
    plan = serializers.CharField(source="organization.plan")
    member_count = serializers.IntegerField(source="organization.member_count")
    is_default = serializers.BooleanField()


class OrganizationCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(min_length=2, max_length=100)


class OrganizationUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """A partial update: absent fields stay as they are. Read-only fields may be echoed back unchanged."""

    tolerated_fields = frozenset({"id", "slug", "member_count", "created_at", "updated_at", *BILLING_FIELDS})

    name = serializers.CharField(min_length=2, max_length=100, required=False)
    logo_url = serializers.URLField(max_length=500, required=False, allow_null=True, allow_blank=True)
    domain = serializers.CharField(max_length=253, required=False, allow_null=True, allow_blank=True)
    ai_budget_daily = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, coerce_to_string=False
    )
    ai_budget_monthly = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, coerce_to_string=False
    )
    settings = serializers.DictField(required=False)
    features = serializers.DictField(required=False)
    sso_enabled = serializers.BooleanField(required=False)

    def validate_logo_url(self, value: str | None) -> str | None:
        return value or None

    def validate_domain(self, value: str | None) -> str | None:
        if not value:
            return None
        domain = value.strip().lower().rstrip(".")
        if not HOSTNAME.match(domain):
            raise serializers.ValidationError(f"'{value}' is not a domain name (for example 'example.com').")
        return domain

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        organization: Organization = self.context["organization"]
        initial = self.initial_data if isinstance(self.initial_data, dict) else {}
        changed = [f for f in BILLING_FIELDS if f in initial and initial[f] != getattr(organization, f)]
        if changed:
            raise serializers.ValidationError(
                {f: ["Read-only: the plan and Stripe ids change only through billing."] for f in changed}
            )
        return attrs


class TransferSerializer(StrictFieldsMixin, serializers.Serializer):
    new_owner_user_id = serializers.CharField(max_length=255)


class TransferResponseSerializer(SuccessSerializer):
    new_owner_id = serializers.CharField()
    previous_owner_role = serializers.ChoiceField(choices=Role.choices)


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "role", "status", "invited_at", "accepted_at", "created_at"]
        read_only_fields = fields


class InviteSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=INVITABLE_ROLES, default=Role.MEMBER)


class RoleSerializer(StrictFieldsMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=INVITABLE_ROLES)


class InvitationAcceptSerializer(StrictFieldsMixin, serializers.Serializer):
    token = serializers.CharField(max_length=200)


class InvitationAcceptResponseSerializer(SuccessSerializer):
    organization_id = serializers.UUIDField()
    member = MemberSerializer()


class InvitationResendResponseSerializer(SuccessSerializer):
    expires_at = serializers.DateTimeField()
