from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from accounts.api.serializers import StrictFieldsMixin

PAID_PLANS = list(settings.STRIPE_PRICE_IDS)


class CheckoutRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    plan = serializers.ChoiceField(choices=PAID_PLANS)
    success_url = serializers.URLField(required=False, max_length=2000)
    cancel_url = serializers.URLField(required=False, max_length=2000)


class CheckoutResponseSerializer(serializers.Serializer):
    checkout_url = serializers.URLField()
    session_id = serializers.CharField()


class PortalRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    return_url = serializers.URLField(required=False, max_length=2000)


class PortalResponseSerializer(serializers.Serializer):
    portal_url = serializers.URLField()


class LimitUsageSerializer(serializers.Serializer):
    limit = serializers.IntegerField(allow_null=True, help_text="null: unlimited on this plan")
    used = serializers.IntegerField(allow_null=True, help_text="null: not counted on this server")


class PlanLimitsSerializer(serializers.Serializer):
    projects = LimitUsageSerializer()
    members = LimitUsageSerializer()
    runs_per_month = LimitUsageSerializer()
    concurrent_runs = LimitUsageSerializer()
    streams = LimitUsageSerializer()


class BillingOverviewSerializer(serializers.Serializer):
    organization_id = serializers.UUIDField()
    plan = serializers.CharField()
    stripe_customer_id = serializers.CharField(allow_null=True)
    stripe_subscription_id = serializers.CharField(allow_null=True)
    subscription_status = serializers.CharField(allow_null=True)
    limits = PlanLimitsSerializer()


class WebhookResponseSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    event_id = serializers.CharField()
    type = serializers.CharField()
    outcome = serializers.CharField()
    duplicate = serializers.BooleanField()


class AIUsageQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)


class BudgetStatusSerializer(serializers.Serializer):
    period = serializers.CharField()
    period_start = serializers.DateField()
    resets_at = serializers.DateTimeField()
    spent = serializers.FloatField()
    budget = serializers.FloatField()
    remaining = serializers.FloatField()
    exceeded = serializers.BooleanField()


class ModelUsageSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    calls = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost = serializers.FloatField()


class DayUsageSerializer(serializers.Serializer):
    day = serializers.DateField()
    calls = serializers.IntegerField()
    cost = serializers.FloatField()


class AIUsageEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    provider = serializers.CharField()
    model = serializers.CharField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost = serializers.FloatField()
    purpose = serializers.CharField()
    created_at = serializers.DateTimeField()


class AIUsageSummarySerializer(serializers.Serializer):
    organization_id = serializers.UUIDField()
    days = serializers.IntegerField()
    today = BudgetStatusSerializer()
    this_month = BudgetStatusSerializer()
    total_cost = serializers.FloatField(help_text="Spent over the last `days` days")
    by_model = ModelUsageSerializer(many=True)
    by_day = DayUsageSerializer(many=True)
    recent = AIUsageEntrySerializer(many=True)
