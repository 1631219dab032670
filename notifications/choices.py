"""Vocabularies of notices to staff (no knowledge of cases: callers say what a notice is about)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notice is for; the caller writes its title and body."""

    NEW_CASE = "new_case", _("新しい受付")
    HANDOFF = "handoff", _("時間外受付の引継ぎ")
    REMINDER = "reminder", _("期限前のお知らせ")
    OVERDUE = "overdue", _("期限超過")
    ESCALATION = "escalation", _("エスカレーション")
    DIGEST = "digest", _("本日の期限一覧")
    INFO = "info", _("お知らせ")


class EmailState(models.TextChoices):
    """Where the email copy of a notice stands; the sender claims it by compare-and-swap."""

    PENDING = "pending", _("送信待ち")
    SENDING = "sending", _("送信中")
    SENT = "sent", _("送信済")
    FAILED = "failed", _("送信失敗")
    NOT_SENT = "not_sent", _("送信しない")


# The email copy is still owed: the resend job looks at these.
EMAIL_OWED = (EmailState.PENDING, EmailState.SENDING)
