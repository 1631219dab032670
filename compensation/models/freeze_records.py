"""What is kept about a freeze case besides its facts: the edits applied through the guarded path,
its timeline, and the reminders of its periods that the periodic scan sends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.choices import FreezeEventKind, FreezePeriod, ReminderStep
from compensation.models.remedy import FreezeCase
from incidents.models.base import DeskModel
from incidents.models.records import GuardedEdit


class FreezeEdit(GuardedEdit):
    """One write applied to a freeze case through the guarded path
    (compensation.services.freeze_guard); the same form posted again changes nothing."""

    freeze_case = models.ForeignKey(FreezeCase, on_delete=models.PROTECT, related_name="edits")

    class Meta:
        verbose_name = _("口座凍結への変更")
        verbose_name_plural = _("口座凍結への変更")
        ordering = ["freeze_case", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["freeze_case", "key"], name="freeze_edit_once_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freeze_case_id} v{self.version} {self.action}"


class FreezeEvent(DeskModel):
    """A line of a freeze case's timeline: what happened, by whom, when (append-only)."""

    freeze_case = models.ForeignKey(FreezeCase, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("日時"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実施者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("種類"), max_length=30, choices=FreezeEventKind.choices)
    message = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("口座凍結の経過")
        verbose_name_plural = _("口座凍結の経過")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["freeze_case", "at"], name="freeze_event_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class FreezeReminder(DeskModel):
    """A notice owed about one of a freeze case's periods: before it ends, and once it has ended.

    ``due_at`` is when the scan sends it and None once sent or cancelled; the scan reads only due
    rows through a partial index and claims them by compare-and-swap, so overlapping scans send
    each reminder once.
    """

    freeze_case = models.ForeignKey(FreezeCase, on_delete=models.CASCADE, related_name="reminders")
    period = models.CharField(_("期間"), max_length=12, choices=FreezePeriod.choices)
    step = models.CharField(_("お知らせ"), max_length=8, choices=ReminderStep.choices)
    period_ends_on = models.DateField(_("期間の末日"))
    due_at = models.DateTimeField(_("送信予定日時"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("口座凍結の期間のお知らせ")
        verbose_name_plural = _("口座凍結の期間のお知らせ")
        ordering = ["period_ends_on", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"], name="freeze_reminder_due", condition=Q(due_at__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["freeze_case", "period", "step"], name="one_freeze_reminder_per_step"
            ),
            models.CheckConstraint(
                # A reminder still owed has neither been sent nor cancelled, and the reverse.
                name="freeze_reminder_owed_or_done",
                condition=(
                    Q(due_at__isnull=False, sent_at__isnull=True, cancelled_at__isnull=True)
                    | Q(due_at__isnull=True, sent_at__isnull=False, cancelled_at__isnull=True)
                    | Q(due_at__isnull=True, sent_at__isnull=True, cancelled_at__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freeze_case_id} {self.period} {self.step}"
