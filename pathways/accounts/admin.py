"""Administrators manage users, services, patches and areas here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest

from pathways.accounts.models import ACCESS_FIELDS, Area, Patch, Service, User, own_account_problems
from pathways.core.audit import audit
from pathways.core.models import AuditKind


def _refuse_own_access_changes(form: forms.ModelForm, actor: Any) -> None:
    """The form's errors when ``actor`` changes their own role, service or patch (the rule
    is ``own_account_problems``; ``User.save`` applies it again on every path)."""
    if form.instance._state.adding:
        return
    after = dict(form.instance.access())
    for field in ACCESS_FIELDS:
        name = field.removesuffix("_id")
        if name in form.cleaned_data:
            value = form.cleaned_data[name]
            after[field] = value.pk if isinstance(value, models.Model) else value
    before = form.instance.access()
    for name, message in own_account_problems(actor, form.instance.pk, before, after).items():
        form.add_error(name, message)
    if "oversees" in form.cleaned_data and actor.pk == form.instance.pk:
        asked = {service.pk for service in form.cleaned_data["oversees"]}
        if asked != set(form.instance.oversees.values_list("pk", flat=True)):
            form.add_error(
                "oversees",
                "You cannot change the services you oversee: ask another administrator",
            )


@admin.register(User)
class PathwaysUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "service", "patch", "is_active")
    list_filter = ("role", "service", "patch", "is_active")
    # Roles live in Pathways (core/access.py), not in Django groups or permissions.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Pathways", {"fields": ("role", "service", "patch", "organisation", "oversees")}),
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

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Tick boxes, one labelled box per service (Django's filter widget fails axe).
        if db_field.name == "oversees":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        actor = request.user

        def clean(form: forms.ModelForm) -> dict[str, Any] | None:
            cleaned = base.clean(form)
            _refuse_own_access_changes(form, actor)
            return cleaned

        return type(base.__name__, (base,), {"clean": clean})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Audited with the administrator as the actor; refused on their own account.
        obj.save(changed_by=request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The services a commissioner oversees are part of their access: a change is
        # audited (ids before and after), with the administrator as the actor.
        user = form.instance
        before = sorted(user.oversees.values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        after = sorted(user.oversees.values_list("pk", flat=True))
        if before != after:
            audit(
                actor=request.user,
                kind=AuditKind.CHANGE,
                action="user.oversight_changed",
                obj=user,
                subject_id=None,
                summary="Services overseen changed",
                detail={"before": before, "after": after},
            )


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
