from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from argus.errors import ArgusError
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from organizations.services import member_remove


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    extra = 0
    fields = ["email", "user_id", "role", "status", "accepted_at"]
    readonly_fields = ["email", "user_id", "status", "accepted_at"]
    show_change_link = True
    can_delete = False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    # Django 6 makes https the default for scheme-less URLs; opt in now, as most apps are served over https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "plan", "sso_enabled", "stripe_customer_id", "created_at"]
    list_filter = ["plan", "sso_enabled"]
    search_fields = ["name", "slug", "domain", "stripe_customer_id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [MembershipInline]
    date_hierarchy = "created_at"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "status", "invited_at", "accepted_at"]
    list_filter = ["role", "status"]
    search_fields = ["email", "user_id", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "profile", "user_id", "invited_by", "invited_at", "accepted_at", "created_at"]
    raw_id_fields = ["organization"]
    actions = ["remove_members"]

    @admin.action(description="Remove selected members (as the API does; never the owner)")
    def remove_members(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        removed = 0
        for membership in queryset:
            try:
                # An operator stands above admins, so only the owner rule applies.
                member_remove(membership=membership, actor_role=Role.OWNER, actor_membership_id=None)
            except ArgusError as exc:
                self.message_user(request, f"{membership.email}: {exc.detail}", messages.ERROR)
            else:
                removed += 1
        if removed:
            self.message_user(request, f"Removed {removed} member(s).", messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "expires_at", "accepted_at", "revoked_at", "created_at"]
    list_filter = ["accepted_at", "revoked_at"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization"]
    # Invitations change only through the API's flows; the token itself is never stored.
    readonly_fields = [
        "id",
        "organization",
        "membership",
        "email",
        "token_hash",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
