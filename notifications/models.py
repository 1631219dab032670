"""Notices to staff: shown under the bell in the header and copied by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.choices import EmailState, NotificationKind


class Notification(models.Model):
    """One notice to one member of staff, with the state of its email copy.

    The row is written in the transaction of the event that caused it; the email goes out after
    commit. ``email_due_at`` is when the next send attempt is due: the resend job picks up rows
    whose email is still owed past that time (the broker was down, a worker died). The states of
    the email copy are described on ``EmailState``.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("宛先"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("種類"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"), blank=True)
    url = models.CharField(_("リンク"), max_length=300, blank=True)
    link_label = models.CharField(_("リンクの表示"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)
    # Makes a notice that must exist once (a reminder, a day's digest) safe to create twice.
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)

    email_state = models.CharField(
        _("メール"), max_length=12, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("送信試行回数"), default=0)
    email_due_at = models.DateTimeField(_("次の送信予定"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("送信開始日時"), null=True, blank=True)
    # Set, and committed, just before the message is handed to the mail server.
    email_handed_at = models.DateTimeField(_("メールサーバーへの引渡し日時"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    email_error = models.CharField(_("送信エラー"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(
                fields=["email_due_at"],
                name="notification_email_owed",
                condition=Q(email_state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
