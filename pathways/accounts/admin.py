"""Administrators manage users, services, patches and areas here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pathways.accounts.models import Area, Patch, Service, User


@admin.register(User)
class PathwaysUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "service", "patch", "is_active")
    list_filter = ("role", "service", "patch", "is_active")
    # Roles live in Pathways (core/access.py), not in Django groups or permissions.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Pathways", {"fields": ("role", "service", "patch", "organisation")}),
        # Bound at the first single sign-on; emptied to let the person bind a new account.
        ("Single sign-on", {"fields": ("oidc_subject",)}),
        (
            "Status",
            {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")},
        ),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Pathways", {"fields": ("role", "service", "patch", "organisation")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()


class AreaInline(admin.StackedInline):  # stacked: every field has its own label
    model = Area
    extra = 0


@admin.register(Patch)
class PatchAdmin(admin.ModelAdmin):
    list_display = ("name", "service", "retired_at")
    inlines = [AreaInline]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "capacity")
    prepopulated_fields = {"slug": ("name",)}
