"""Transfer fraud and elderly customers: freeze requests to receiving banks under the Remedy Act
(振り込め詐欺救済法) and the protection policy by date (docs/domain.md §9, §10)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.case import Case, date_in_range
from incidents.models.choices import FreezeAnswer
from incidents.models.querysets import RestrictedQuerySet


class FreezeRequest(DeskModel):
    """Our request to a receiving bank to freeze the account the customer's money went to."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="freeze_requests")
    payee_bank = models.CharField(_("振込先金融機関"), max_length=60)
    payee_branch = models.CharField(_("振込先支店"), max_length=60)
    payee_account_number = models.CharField(_("振込先口座番号"), max_length=7)
    payee_account_name = models.CharField(_("振込先口座名義"), max_length=80, blank=True)
    requested_at = models.DateTimeField(_("依頼日時"))
    contact_name = models.CharField(_("先方の担当者"), max_length=80)
    answer = models.CharField(
        _("先方の回答"), max_length=20, choices=FreezeAnswer.choices, default=FreezeAnswer.PENDING
    )
    answer_note = models.CharField(_("回答の内容"), max_length=200, blank=True)
    # The Deposit Insurance Corporation's public notices about the receiving account.
    notice_published_on = models.DateField(_("失権公告の日"), null=True, blank=True)
    distribution_opens_on = models.DateField(_("分配金の申請期間（開始）"), null=True, blank=True)
    distribution_closes_on = models.DateField(_("分配金の申請期間（終了）"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("振込先口座の凍結依頼")
        verbose_name_plural = _("振込先口座の凍結依頼")
        ordering = ["requested_at", "pk"]
        constraints = [
            date_in_range("requested_at", instant=True, required=True),
            date_in_range("notice_published_on"),
            date_in_range("distribution_opens_on"),
            date_in_range("distribution_closes_on"),
            models.CheckConstraint(
                name="freeze_distribution_period_ordered",
                condition=Q(distribution_opens_on__isnull=True)
                | Q(distribution_closes_on__isnull=True)
                | Q(distribution_closes_on__gte=F("distribution_opens_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee_bank} {self.payee_branch} {self.payee_account_number}"


# The defaults of docs/domain.md §10, used when no version is in force on the day.
ELDERLY_AGE_DEFAULT = 75
ELDERLY_ATM_LIMIT_DEFAULT = 200_000
ELDERLY_TRANSFER_LIMIT_DEFAULT = 500_000


class ProtectionPolicy(DeskModel):
    """The protection of elderly customers in force from ``valid_from`` (age, lowered limits)."""

    valid_from = models.DateField(_("適用開始日"), unique=True)
    elderly_age = models.PositiveSmallIntegerField(
        _("限度額引下げを提案する年齢"), default=ELDERLY_AGE_DEFAULT
    )
    atm_limit_yen = models.PositiveIntegerField(
        _("引下げ後のATM引出限度額（円／日）"), default=ELDERLY_ATM_LIMIT_DEFAULT
    )
    transfer_limit_yen = models.PositiveIntegerField(
        _("引下げ後の振込限度額（円／日）"), default=ELDERLY_TRANSFER_LIMIT_DEFAULT
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("高齢のお客さまの保護設定")
        verbose_name_plural = _("高齢のお客さまの保護設定")
        ordering = ["-valid_from"]
        constraints = [
            date_in_range("valid_from", required=True),
            models.CheckConstraint(
                name="protection_policy_age_sensible", condition=Q(elderly_age__lte=150)
            ),
        ]

    def __str__(self) -> str:
        return _("%(date)s から適用") % {"date": self.valid_from.strftime("%Y/%m/%d")}

    @classmethod
    def in_force(cls, day: datetime.date) -> ProtectionPolicy:
        """The version in force on ``day``; the defaults (unsaved) before the first one."""
        found = cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
        return found or cls(valid_from=day)
