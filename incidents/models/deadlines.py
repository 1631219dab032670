"""Deadlines on the business calendar, their policies and the bank's closures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.case import Case, date_in_range
from incidents.models.choices import (
    DeadlineCounting,
    DeadlineKind,
    DeadlineState,
)
from incidents.models.people import Branch
from incidents.models.querysets import RestrictedQuerySet


class Deadline(DeskModel):
    """Something owed on a case by a due time (docs/domain.md §5), scanned by the periodic job.

    ``next_action_at`` is when the scan must next look at the deadline (the reminder, the due time,
    the escalation, the re-escalation), and None once nothing is left to do; the scan reads only
    rows whose next action is due, through a partial index, so its cost follows what is due, not
    how many deadlines exist. Its updates are compare-and-swap on ``state``/``escalation_level``
    so overlapping scans act once.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("種類"), max_length=30, choices=DeadlineKind.choices)
    due_at = models.DateTimeField(_("期限"))
    state = models.CharField(
        _("状態"), max_length=12, choices=DeadlineState.choices, default=DeadlineState.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("担当店"), on_delete=models.PROTECT, related_name="deadlines"
    )
    reminded_at = models.DateTimeField(_("リマインド日時"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("エスカレーション段階"), default=0)
    escalated_at = models.DateTimeField(_("エスカレーション日時"), null=True, blank=True)
    next_action_at = models.DateTimeField(_("次の確認日時"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完了・取消日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="deadline_open_due",
                condition=Q(state__in=["open", "overdue", "escalated"]),
            ),
            models.Index(
                fields=["next_action_at"],
                name="deadline_next_action",
                condition=Q(next_action_at__isnull=False),
            ),
            models.Index(fields=["case", "kind"], name="deadline_case_kind"),
            models.Index(fields=["branch", "state", "due_at"], name="deadline_branch_state_due"),
        ]
        constraints = [
            # One deadline still owed per case and kind: an overdue one is not opened twice.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(state__in=["open", "overdue", "escalated"]),
                name="one_open_deadline_per_case_kind",
            ),
            models.CheckConstraint(
                name="closed_deadline_needs_no_action",
                condition=Q(state__in=["open", "overdue", "escalated"])
                | Q(next_action_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_unmet(self) -> bool:
        return self.state in (DeadlineState.OPEN, DeadlineState.OVERDUE, DeadlineState.ESCALATED)

    @property
    def is_late(self) -> bool:
        return self.state in (DeadlineState.OVERDUE, DeadlineState.ESCALATED)


class DeadlinePolicy(DeskModel):
    """How long one kind of deadline runs, and when its owner and the supervisors are told."""

    kind = models.CharField(_("種類"), max_length=30, choices=DeadlineKind.choices, unique=True)
    is_active = models.BooleanField(
        _("期限を管理する"),
        default=True,
        help_text=_("外すと、この種類の期限は新たに設定されません。"),
    )
    counting = models.CharField(_("数え方"), max_length=20, choices=DeadlineCounting.choices)
    days = models.PositiveSmallIntegerField(
        _("日数"), default=0, help_text=_("「次の営業日」の場合は使いません。")
    )
    due_time = models.TimeField(_("期限の時刻"))
    remind_before = models.DurationField(
        _("事前のお知らせ"),
        help_text=_(
            "期限のこの時間前に担当者へお知らせします（0で送りません）。例：1 00:00:00 は1日前"
        ),
    )
    escalate_after = models.DurationField(
        _("エスカレーションまでの猶予"),
        help_text=_("期限を過ぎてからこの時間後に役席（時間外は監視センター）へ通知します。"),
    )
    re_escalate_after = models.DurationField(
        _("再エスカレーションまでの時間"),
        help_text=_(
            "エスカレーション後も未対応のとき、この時間後に本部コンプライアンスへ通知します。"
        ),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("期限の設定")
        verbose_name_plural = _("期限の設定")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                name="deadline_policy_counts_days",
                condition=Q(counting="next_opening") | Q(days__gte=1),
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.counting != DeadlineCounting.NEXT_OPENING and not self.days:
            raise ValidationError({"days": _("日数を1以上で入力してください。")})
        for name in ("remind_before", "escalate_after", "re_escalate_after"):
            value = getattr(self, name)
            if value is not None and value.total_seconds() < 0:
                raise ValidationError({name: _("0以上の時間を入力してください。")})


class BankClosure(DeskModel):
    """A day the bank is closed beyond weekends, public holidays and 12/31–1/3 (added by an administrator)."""

    date = models.DateField(_("休業日"), unique=True)
    reason = models.CharField(_("理由"), max_length=100)

    class Meta:
        verbose_name = _("臨時休業日")
        verbose_name_plural = _("臨時休業日")
        ordering = ["date"]
        constraints = [date_in_range("date", required=True)]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"
