"""Users, their roles, the commissioned services and the patches that staff them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from pathways.core.audit import ROLE_CHANGED, AuditKind, audit
from pathways.core.roles import Role

# What decides what a user may see and do: every change of these is audited, with who made
# it (``User.save``), and nobody changes their own (``own_account_problems``).
ACCESS_FIELDS = ("role", "service_id", "patch_id", "is_active")
# The fields a user may not change on their own account: their role and their scope.
OWN_ACCOUNT_FIXED = {
    "role": "You cannot change your own role: ask another administrator",
    "service_id": "You cannot change your own service: ask another administrator",
    "patch_id": "You cannot change your own patch: ask another administrator",
}


def own_account_problems(
    actor: Any, user_pk: int | None, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, str]:
    """What is wrong with ``actor`` changing the access of account ``user_pk`` from
    ``before`` to ``after`` (values of ACCESS_FIELDS): nobody changes their own role,
    service or patch, so an administrator cannot give themselves a case role. Field name
    (without ``_id``) to message; empty when the change may be made."""
    if actor is None or user_pk is None or actor.pk != user_pk:
        return {}
    return {
        field.removesuffix("_id"): message
        for field, message in OWN_ACCOUNT_FIXED.items()
        if before.get(field) != after.get(field)
    }


class Service(models.Model):
    """A commissioned employment support service. One deployment can hold several."""

    name = models.CharField(max_length=120, help_text="The service's name as commissioned.")
    slug = models.SlugField(unique=True, help_text="A short unique name used in commands.")
    capacity = models.PositiveIntegerField(
        default=30, help_text="The most participants the service supports at any one time."
    )

    def __str__(self) -> str:
        return self.name


class Patch(models.Model):
    """A geographic patch of a service; each patch has its support workers."""

    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        related_name="patches",
        db_index=False,  # served by patch_unique_name (service, name)
        help_text="The service.",
    )
    name = models.CharField(max_length=80, help_text="The patch's name, e.g. North.")
    retired_at = models.DateField(
        null=True, blank=True, help_text="From this date the patch takes no new referrals."
    )

    class Meta:
        verbose_name_plural = "patches"
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="patch_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.service})"


class Area(models.Model):
    """A local authority area; the area a person lives in decides their patch."""

    patch = models.ForeignKey(
        Patch,
        on_delete=models.PROTECT,
        related_name="areas",
        db_index=False,  # served by area_unique_name (patch, name)
        help_text="The patch it is in.",
    )
    name = models.CharField(max_length=80, help_text="The local authority area's name.")
    retired_at = models.DateField(
        null=True, blank=True, help_text="From this date the area is no longer offered."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["patch", "name"], name="area_unique_name")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. What they may see follows from the role (core/access.py)."""

    role = models.CharField(
        max_length=16, choices=Role.choices, help_text="What the user does in the service."
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="The service the user works in or refers to (empty for administrators).",
    )
    patch = models.ForeignKey(
        Patch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
        help_text="For support workers: the patch whose caseload they work.",
    )
    organisation = models.CharField(
        max_length=120,
        blank=True,
        help_text="For referrers: the team they refer from (e.g. Probation, Stoke).",
    )
    oversees = models.ManyToManyField(
        Service,
        blank=True,
        related_name="overseers",
        help_text="For commissioners: the other services whose figures they oversee beside "
        "their own (a region, or a national view); the outcomes dashboard offers each and "
        "their total.",
    )
    deactivated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the account was made inactive: its retention is counted from then.",
    )
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the account's name and contact details were removed at the end of "
        "its retention (the account stays, so records it made still point at it).",
    )
    oidc_subject = models.CharField(
        max_length=255,
        blank=True,
        default="",
        verbose_name="single sign-on subject",
        help_text='The single sign-on provider\'s id for this person (its "sub"), bound at '
        "their first sign-in through it; empty it to let them bind a new provider account.",
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_subject"],
                condition=~models.Q(oidc_subject=""),
                name="user_unique_oidc_subject",
            )
        ]

    def access(self) -> dict[str, Any]:
        """The values of ACCESS_FIELDS: ids, never names."""
        return {field: getattr(self, field) for field in ACCESS_FIELDS}

    def save(self, *args: Any, changed_by: Any = None, **kwargs: Any) -> None:
        """Save; a change of role, service, patch or active flag is refused when
        ``changed_by`` makes it to their own account, and is audited (``user.role_changed``,
        before and after, naming who made it: ``changed_by``, or nobody for the system).
        A new account is audited when someone (the admin) made it."""
        # When the account was made inactive; cleared if it is made active again.
        if self.is_active:
            self.deactivated_at = None
        elif self.deactivated_at is None:
            self.deactivated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "is_active" in update_fields:
            kwargs["update_fields"] = {*update_fields, "deactivated_at"}
        named = {field.removesuffix("_id") for field in update_fields or ()}
        if update_fields is not None and not named & {f.removesuffix("_id") for f in ACCESS_FIELDS}:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            before = (
                None
                if self._state.adding
                # Locked, so two changes at once each record the right "before".
                else User.objects.select_for_update()
                .filter(pk=self.pk)
                .values(*ACCESS_FIELDS)
                .first()
            )
            after = self.access()
            if before is not None:
                problems = own_account_problems(changed_by, self.pk, before, after)
                if problems:
                    raise ValidationError(problems)
            super().save(*args, **kwargs)
            if before != after and (before is not None or changed_by is not None):
                audit(
                    actor=changed_by,
                    kind=AuditKind.CHANGE,
                    action=ROLE_CHANGED,
                    obj=self,
                    subject_id=None,
                    summary="Account's access changed" if before else "Account made",
                    detail={"before": before, "after": after},
                )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.role == Role.WORKER and self.patch_id is None:
            errors["patch"] = "A support worker needs a patch."
        if self.patch is not None and self.patch.service_id != self.service_id:
            errors["patch"] = "The patch must belong to the user's service."
        if self.role not in (Role.ADMIN, "") and self.service_id is None:
            errors["service"] = "Every role but administrator works in a service."
        if errors:
            raise ValidationError(errors)
