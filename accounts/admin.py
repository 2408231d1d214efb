from django.contrib import admin
from django.db import models

from accounts.models import UserProfile


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    # Django 6 makes https the default for scheme-less URLs; opt in now, as most apps are served over https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["email", "display_name", "user_id", "theme", "login_count", "last_active_at", "created_at"]
    list_filter = ["theme", "onboarding_completed", "language"]
    search_fields = ["email", "display_name", "user_id"]
    readonly_fields = ["id", "user_id", "last_login_at", "last_active_at", "login_count", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
