"""Branches and the staff who work at them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.choices import (
    Role,
)
from incidents.models.roles import ROLE_PERMISSIONS, role_only_permissions


class Branch(DeskModel):
    """A branch of the bank (店舗), identified by its three-digit code."""

    code = models.CharField(_("店番"), max_length=3, unique=True)
    name = models.CharField(_("支店名"), max_length=60)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    is_active = models.BooleanField(_("営業中"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("支店")
        verbose_name_plural = _("支店")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# Columns that change how a member of staff appears in the branch's pick lists.
STAFF_LIST_FIELDS = {"branch", "role", "is_active", "last_name", "first_name", "username"}


class User(DeskModel, AbstractUser):
    """A member of staff with one role and a home branch."""

    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.TELLER)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("所属店"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    language = models.CharField(
        _("表示言語"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )

    # Not a column: django-otp's OTPMiddleware puts it on the request's user, saying whether this
    # session gave the one-time password (accounts.middleware.SecondFactorMiddleware reads it).
    is_verified: Callable[[], bool]

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        constraints = [
            models.CheckConstraint(
                name="branch_staff_have_a_branch",
                condition=~Q(role__in=["teller", "supervisor"]) | Q(branch__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Family name first, as Japanese staff lists read."""
        name = f"{self.last_name} {self.first_name}".strip()
        return name or self.username

    @property
    def is_branch_staff(self) -> bool:
        return self.role in (Role.TELLER, Role.SUPERVISOR)

    def has_perm(self, perm: str, obj=None) -> bool:
        """A superuser administers the system, but case work is granted by role alone.

        Permissions a role grants (incidents.models.roles.ROLE_PERMISSIONS) come only from the role, so
        a superuser administrator does not read customers' cases or the access log.
        """
        if self.is_superuser and perm in role_only_permissions():
            return self.is_active and perm in ROLE_PERMISSIONS.get(self.role, ())
        return super().has_perm(perm, obj)

    def save(self, *args, **kwargs):
        """Save, noting the home branch before the change: the role groups and the branches' pick
        lists follow the saved row (incidents.access.receivers, on post_save)."""
        update_fields = kwargs.get("update_fields")
        self._branch_before = None
        if self.pk and (update_fields is None or "branch" in update_fields):
            self._branch_before = (
                type(self).objects.filter(pk=self.pk).values_list("branch_id", flat=True).first()
            )
        super().save(*args, **kwargs)


class CaseNumberCounter(DeskModel):
    """The last case number handed out per branch and year (locked row, so numbers never repeat)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_counter_per_branch_year")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.year}: {self.last}"
