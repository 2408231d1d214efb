from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apikeys.models import APIKey
from apikeys.services import api_key_revoke


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key_prefix",
        "organization",
        "created_by",
        "request_count",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at", "created_at"]
    search_fields = ["name", "key_prefix", "organization__name", "created_by__email"]
    list_select_related = ["organization", "created_by"]
    # Keys are created through the API (the raw key is shown once there); here they are only inspected and revoked.
    readonly_fields = [
        "id",
        "organization",
        "created_by",
        "key_prefix",
        "key_hash",
        "scopes",
        "last_used_at",
        "request_count",
        "expires_at",
        "revoked_at",
        "rotated_from",
        "created_at",
    ]
    fields = [*readonly_fields[:1], "name", *readonly_fields[1:]]
    actions = ["revoke_keys"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[APIKey]) -> None:
        for key in queryset:
            api_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)
