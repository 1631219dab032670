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
    """Where the email copy of a notice stands; the sender claims it by compare-and-swap.

    pending → sending (claimed, connecting: nothing has reached the mail server yet) → handing
    (committed just before the message is handed over) → sent (the server accepted it; recorded
    before the connection is closed). A worker that dies in ``sending`` leaves an email that is
    owed again; one that dies in ``handing`` leaves an email the server may have accepted, which
    becomes ``unconfirmed`` and waits for a person to resend it or mark it delivered.
    """

    PENDING = "pending", _("送信待ち")
    SENDING = "sending", _("送信準備中")
    HANDING = "handing", _("引渡し中")
    SENT = "sent", _("送信済")
    UNCONFIRMED = "unconfirmed", _("送信未確認")
    FAILED = "failed", _("送信失敗")
    NOT_SENT = "not_sent", _("送信しない")


# The email copy is still owed: the resend job looks at these. (Not HANDING: the mail server may
# have it; a stale hand-over becomes UNCONFIRMED, never owed again by itself.)
EMAIL_OWED = (EmailState.PENDING, EmailState.SENDING)
