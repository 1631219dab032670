"""The sign-in log (ログイン記録)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import SecondFactor, SignInEventKind
from accounts.terminal import describe_terminal


class SignInEvent(models.Model):
    """One sign-in, failed attempt, lockout or sign-out; append-only, the database refuses edits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sign_in_events",
    )
    username = models.CharField(_("入力されたユーザー名"), max_length=150, blank=True)
    kind = models.CharField(_("種類"), max_length=30, choices=SignInEventKind.choices)
    at = models.DateTimeField(_("日時"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    user_agent = models.CharField(_("端末（ブラウザ）"), max_length=255, blank=True)
    second_factor = models.CharField(
        _("第二要素"), max_length=20, choices=SecondFactor.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実施者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ログイン記録")
        verbose_name_plural = _("ログイン記録")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "kind", "-at"], name="signin_user_kind_at"),
            models.Index(fields=["-at"], name="signin_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    @property
    def terminal(self) -> str:
        """The browser and system, as staff would name them."""
        return describe_terminal(self.user_agent)
