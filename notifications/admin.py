from django.contrib import admin

from notifications.models import Delivery, InboxItem, NotificationChannel, NotificationRule


class RuleInline(admin.TabularInline):
    model = NotificationRule
    extra = 0


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "channel_type", "organization", "enabled", "verified", "rate_limit_per_hour"]
    list_filter = ["channel_type", "enabled", "verified"]
    search_fields = ["name", "organization__name"]
    # Secrets stay encrypted and out of the form; operators see that they exist, never their value.
    exclude = ["secrets_encrypted"]
    readonly_fields = ["disabled_reason", "last_error", "created_at", "updated_at"]
    inlines = [RuleInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "transport", "channel", "recipient", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "transport", "event_type"]
    search_fields = ["dedupe_key", "reason"]
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "organization", "read_at", "created_at"]
    search_fields = ["title", "recipient__email"]
