"""Operators read billing records in the admin; they are written only by Stripe webhooks and AI calls."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from organizations.billing.models import AIUsage, BudgetAlert, StripeEvent, StripeSubscription


class ReadOnlyAdmin(admin.ModelAdmin):
    """A ledger edited by hand would no longer match what was charged or what Stripe sent."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(AIUsage)
class AIUsageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "organization",
        "provider",
        "model",
        "input_tokens",
        "output_tokens",
        "cost",
        "purpose",
    ]
    list_filter = ["provider", "model", "purpose"]
    search_fields = ["organization__name", "organization__slug", "model"]
    date_hierarchy = "created_at"
    list_select_related = ["organization"]


@admin.register(BudgetAlert)
class BudgetAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "period", "period_start", "spent", "budget"]
    list_filter = ["period"]
    search_fields = ["organization__name", "organization__slug"]
    list_select_related = ["organization"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "event_id", "type", "organization", "outcome", "livemode"]
    list_filter = ["type", "livemode"]
    search_fields = ["event_id", "organization__name", "organization__slug"]
    list_select_related = ["organization"]


@admin.register(StripeSubscription)
class StripeSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["subscription_id", "organization", "status", "plan", "price_id", "updated_at"]
    list_filter = ["status", "plan"]
    search_fields = ["subscription_id", "customer_id", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
