from django.contrib import admin
from django.db import models

from projects.models import Project, TestDefinition


class TestDefinitionInline(admin.TabularInline):
    model = TestDefinition
    extra = 0
    fields = ["name", "priority", "is_active", "updated_at"]
    readonly_fields = ["updated_at"]
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    # Django 6 makes https the default for scheme-less URLs; opt in now, as most apps are served over https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "organization", "app_url", "created_at", "updated_at"]
    search_fields = ["name", "app_url", "organization__name", "organization__slug"]
    list_filter = ["created_at"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "created_by"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [TestDefinitionInline]


@admin.register(TestDefinition)
class TestDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "priority", "is_active", "updated_at"]
    list_filter = ["priority", "is_active"]
    search_fields = ["name", "project__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "created_by"]
    readonly_fields = ["id", "created_at", "updated_at"]
