"""Policy parameters, the supervisor's findings on a case, and the four-eyes compensation decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.choices import DecisionStatus, Fault, Outcome, TakenBy
from compensation.rules import Policy
from compensation.rules.vocab import EXCLUDED_TAKERS
from incidents.models import Case, ReportedItem, UnauthorizedTransaction, date_in_range
from incidents.models.base import DeskModel
from incidents.models.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_DAYS = 3650  # the engine's bound for window and unavoidable days
REMEDY_NOTICE_MIN_DAYS = 60  # 振り込め詐欺救済法: the notice runs at least 60 days
REMEDY_APPLICATION_MIN_DAYS = 30  # and the application period for distribution at least 30
RATE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def _rate_field(label: StrOrPromise, help_text: StrOrPromise) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=RATE_VALIDATORS, help_text=help_text
    )


class PolicyVersion(DeskModel):
    """The institution's compensation policy parameters, in force from ``valid_from``.

    A version used by an approved decision is never edited (the admin, the services and a database
    trigger refuse); a change is a new version with a later ``valid_from``.
    """

    valid_from = models.DateField(
        _("適用開始日"), unique=True, help_text=_("この日以降に通知を受けた事故に適用します。")
    )
    window_days = models.PositiveSmallIntegerField(
        _("補償対象期間（日）"),
        default=Policy().window_days,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        help_text=_("通知日の何日前の日以降のお取引を補償の対象とするか（法令上は30日）。"),
    )
    stolen_card_negligence_rate = _rate_field(
        _("盗難カード・過失の補償率（％）"), _("空欄は「個別に判断」。")
    )
    passbook_negligence_rate = _rate_field(
        _("盗難通帳・過失の補償率（％）"), _("空欄は「個別に判断」。")
    )
    online_banking_negligence_rate = _rate_field(
        _("インターネットバンキング・過失の補償率（％）"), _("空欄は「個別に判断」。")
    )
    online_banking_gross_negligence_rate = _rate_field(
        _("インターネットバンキング・重大な過失の補償率（％）"), _("空欄は「個別に判断」。")
    )
    n3_requires_bank_request = models.BooleanField(
        _("推測されやすい暗証番号の過失認定に当行からの変更依頼を要する"),
        default=False,
        help_text=_(
            "過失の例（N3）で、生年月日等の暗証番号を当行の再三の依頼後も使っていた場合に限るか。"
        ),
    )
    # The Remedy Act's periods (docs/domain.md §9.1): the law sets minimums, the bank may give more.
    remedy_notice_days = models.PositiveSmallIntegerField(
        _("救済法・消滅手続の公告期間（日）"),
        default=REMEDY_NOTICE_MIN_DAYS,
        validators=[MinValueValidator(REMEDY_NOTICE_MIN_DAYS), MaxValueValidator(MAX_DAYS)],
        help_text=_("口座凍結後の預金等に係る債権の消滅手続の公告期間（法令上60日以上）。"),
    )
    remedy_application_days = models.PositiveSmallIntegerField(
        _("救済法・分配金の申請期間（日）"),
        default=REMEDY_APPLICATION_MIN_DAYS,
        validators=[MinValueValidator(REMEDY_APPLICATION_MIN_DAYS), MaxValueValidator(MAX_DAYS)],
        help_text=_("被害回復分配金の支払申請の期間（法令上30日以上）。"),
    )
    note = models.TextField(_("改定の理由・根拠"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("補償基準パラメータ")
        verbose_name_plural = _("補償基準パラメータ")
        ordering = ["-valid_from"]
        constraints = [
            date_in_range("valid_from", required=True),
            models.CheckConstraint(
                name="policy_window_days_in_range",
                condition=Q(window_days__gte=1, window_days__lte=MAX_DAYS),
            ),
            models.CheckConstraint(
                name="policy_rates_are_percentages",
                condition=(
                    (
                        Q(stolen_card_negligence_rate__isnull=True)
                        | Q(stolen_card_negligence_rate__lte=100)
                    )
                    & (
                        Q(passbook_negligence_rate__isnull=True)
                        | Q(passbook_negligence_rate__lte=100)
                    )
                    & (
                        Q(online_banking_negligence_rate__isnull=True)
                        | Q(online_banking_negligence_rate__lte=100)
                    )
                    & (
                        Q(online_banking_gross_negligence_rate__isnull=True)
                        | Q(online_banking_gross_negligence_rate__lte=100)
                    )
                ),
            ),
            models.CheckConstraint(
                name="policy_remedy_periods_at_least_the_law",
                condition=Q(
                    remedy_notice_days__gte=REMEDY_NOTICE_MIN_DAYS,
                    remedy_notice_days__lte=MAX_DAYS,
                    remedy_application_days__gte=REMEDY_APPLICATION_MIN_DAYS,
                    remedy_application_days__lte=MAX_DAYS,
                ),
            ),
            models.CheckConstraint(
                # Gross negligence can never pay more than negligence (the engine refuses it too).
                name="policy_gross_not_above_negligence",
                condition=Q(online_banking_negligence_rate__isnull=True)
                | Q(online_banking_gross_negligence_rate__isnull=True)
                | Q(online_banking_gross_negligence_rate__lte=F("online_banking_negligence_rate")),
            ),
        ]

    def __str__(self) -> str:
        return _("%(date)s から適用") % {"date": self.valid_from.strftime("%Y/%m/%d")}


class CaseAssessment(DeskModel):
    """What the supervisor finds about a case beyond the teller's record (docs/domain.md §4.1)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    prompt_notice = models.BooleanField(
        _("被害に気づいた後、速やかに当行へ通知があった"), default=True
    )
    explanation = models.BooleanField(_("当行の調査に十分な説明があった"), default=True)
    other_theft_evidence = models.BooleanField(
        _("被害届に代わり、盗難を推測するに足る事実が示された"),
        default=False,
        help_text=_("警察への被害届が未提出でも、盗難の事実を確認できた場合。"),
    )
    bank_at_fault = models.BooleanField(
        _("当行に過失があった（善意かつ無過失ではない）"),
        default=False,
        help_text=_("例：窓口で所定の印鑑照合・本人確認を行わずに払い戻した。"),
    )
    taken_by = models.CharField(
        _("払戻しを行った者"), max_length=24, choices=TakenBy.choices, blank=True
    )
    false_explanation = models.BooleanField(
        _("重要な事項について偽りの説明があった"), default=False
    )
    war_or_riot = models.BooleanField(
        _("戦争・暴動等の社会秩序の混乱に乗じた盗難である"), default=False
    )
    unavoidable_days = models.PositiveSmallIntegerField(
        _("通知できなかったやむを得ない事情の日数"),
        default=0,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_("入院・海外赴任など、お客さまが証明された日数。補償対象期間に加えます。"),
    )
    note = models.TextField(_("審査メモ"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新日時"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("補償審査の事実認定")
        verbose_name_plural = _("補償審査の事実認定")
        constraints = [
            models.CheckConstraint(
                name="assessment_unavoidable_days_in_range",
                condition=Q(unavoidable_days__lte=MAX_DAYS),
            )
        ]
        indexes = [
            # The statistics leave out withdrawals by the spouse or relatives: few cases.
            models.Index(
                fields=["case"],
                name="assessment_excluded_taker",
                condition=Q(taken_by__in=sorted(EXCLUDED_TAKERS)),
            )
        ]

    def __str__(self) -> str:
        return str(self.case)


class ItemFault(DeskModel):
    """The supervisor's confirmed fault for one item, beside the checklist's suggestion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="item_faults")
    item = models.OneToOneField(ReportedItem, on_delete=models.CASCADE, related_name="fault")
    fault = models.CharField(_("認定した過失"), max_length=20, choices=Fault.choices)
    suggested_fault = models.CharField(
        _("チェックリストによる判定"),
        max_length=20,
        choices=Fault.choices,
        blank=True,
        help_text=_("認定時の判定。空欄は判定なし（インターネットバンキング）。"),
    )
    override_reason = models.TextField(_("判定と異なる認定の理由"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("認定者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("認定日時"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("過失の認定")
        verbose_name_plural = _("過失の認定")
        constraints = [
            models.CheckConstraint(
                # A fault other than the checklist's suggestion (or with none) needs a reason.
                name="fault_override_has_reason",
                condition=Q(suggested_fault=F("fault")) | ~Q(override_reason=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_fault_display()}"

    @property
    def is_override(self) -> bool:
        return self.fault != self.suggested_fault


class CaseByCaseRate(DeskModel):
    """The rate a supervisor set for a transaction the rules leave to be decided case by case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_by_case_rates")
    transaction = models.OneToOneField(
        UnauthorizedTransaction, on_delete=models.CASCADE, related_name="case_by_case_rate"
    )
    rate = models.PositiveSmallIntegerField(_("補償率（％）"), validators=RATE_VALIDATORS)
    reason = models.TextField(_("補償率の理由"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("設定者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("設定日時"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("個別判断の補償率")
        verbose_name_plural = _("個別判断の補償率")
        constraints = [
            models.CheckConstraint(
                name="case_by_case_rate_is_a_percentage", condition=Q(rate__lte=100)
            ),
            models.CheckConstraint(name="case_by_case_rate_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.transaction}: {self.rate}%"


class Decision(DeskModel):
    """One compensation decision of a case: prepared by one person, reviewed by another.

    Once approved (or returned) the row is immutable (a database trigger refuses UPDATE and DELETE);
    it keeps the facts snapshot in the contract's input JSON, the engine's output, the supervisor's
    case-by-case rates and the rule-set version, so ``assess_compensation`` reproduces it. A change
    after approval is a new decision that supersedes the old one; both are kept.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="compensation_decisions")
    number = models.PositiveSmallIntegerField(_("決定番号"))
    status = models.CharField(
        _("状態"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.SUBMITTED
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("変更前の決定"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起案者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("審査依頼日時"), default=timezone.now)
    preparer_note = models.TextField(_("審査依頼のコメント"), blank=True)
    # What the preparer submitted: the fingerprint of facts, rates and rules, and the findings'
    # version. An approval must approve exactly that (the service and the database check).
    submitted_fingerprint = models.CharField(
        _("審査依頼時の内容の指紋"), max_length=64, blank=True, default="", db_default=""
    )
    findings_version = models.PositiveIntegerField(
        _("審査依頼時の事実認定の版"), default=0, db_default=0
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("審査日時"), null=True, blank=True)
    review_comment = models.TextField(_("審査者のコメント"), blank=True)
    policy = models.ForeignKey(
        PolicyVersion,
        verbose_name=_("適用した補償基準"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    notified_on = models.DateField(_("通知日"), null=True, blank=True)
    facts = models.JSONField(_("事実（assess_compensation の入力）"), null=True, blank=True)
    result = models.JSONField(_("判定結果"), null=True, blank=True)
    rules_version = models.CharField(_("ルールのバージョン"), max_length=40, blank=True)
    outcome = models.CharField(_("結果"), max_length=10, choices=Outcome.choices, blank=True)
    claimed_total = models.BigIntegerField(_("被害額合計（円）"), null=True, blank=True)
    compensation_total = models.BigIntegerField(_("補償額合計（円）"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("補償決定")
        verbose_name_plural = _("補償決定")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="decision_number_per_case"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="submitted"),
                name="one_open_decision_per_case",
            ),
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=Q(status="approved"),
                name="a_decision_is_superseded_once",
            ),
            models.CheckConstraint(
                # Four eyes: whoever reviews a decision did not prepare it.
                name="decision_reviewer_is_not_preparer",
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("prepared_by")),
            ),
            models.CheckConstraint(
                name="approved_decision_is_complete",
                condition=~Q(status="approved")
                | (
                    Q(
                        reviewed_by__isnull=False,
                        reviewed_at__isnull=False,
                        policy__isnull=False,
                        notified_on__isnull=False,
                        facts__isnull=False,
                        result__isnull=False,
                        claimed_total__isnull=False,
                        compensation_total__isnull=False,
                        outcome__in=["full", "partial", "none"],
                    )
                    & ~Q(rules_version="")
                ),
            ),
            models.CheckConstraint(
                name="returned_decision_has_comment",
                condition=~Q(status="returned")
                | (Q(reviewed_by__isnull=False) & ~Q(review_comment="")),
            ),
        ]
        indexes = [
            # The statistics and the dashboard read the approved decision in force of a case.
            models.Index(
                fields=["case", "-number"],
                name="decision_approved_current",
                include=["outcome"],
                condition=Q(status="approved"),
            ),
            # Report-to-decision times and compensation per month: first approvals by date.
            models.Index(
                fields=["reviewed_at"],
                name="decision_approved_at",
                condition=Q(status="approved"),
            ),
        ]
        permissions = [
            ("view_statistics", _("被害統計（全銀協・金融庁様式）を見る")),
            ("view_dashboard", _("ダッシュボードを見る")),
        ]

    def __str__(self) -> str:
        return _("%(case)s 決定 #%(number)s") % {"case": self.case, "number": self.number}

    @property
    def is_approved(self) -> bool:
        return self.status == DecisionStatus.APPROVED


class DashboardFigure(DeskModel):
    """One figure of the dashboard snapshot: a materialized view, refreshed every few minutes.

    The figures over a year of cases (amounts per month, report-to-decision medians, open cases
    by status and kind) are aggregated by the database into this view (migration 0003) and read
    by the dashboard in one query; ``compensation.reports.dashboard.dashboard_refresh`` recomputes them
    (Celery beat, ``python manage.py refresh_dashboard``). ``branch`` is NULL for all branches,
    ``month`` NULL for figures not per month or over the whole year.
    """

    slot = models.TextField(primary_key=True)
    figure = models.TextField()
    branch = models.ForeignKey(
        "incidents.Branch",
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        related_name="+",
    )
    month = models.DateField(null=True)
    key = models.TextField()
    count = models.BigIntegerField()
    amount = models.BigIntegerField()
    days = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "compensation_dashboardfigure"
        verbose_name = _("ダッシュボードの集計値")
        verbose_name_plural = _("ダッシュボードの集計値")

    def __str__(self) -> str:
        return self.slot


# The receiving side of the Remedy Act, in its own module (registered with the app from here).
from compensation.models.freeze_records import (  # noqa: E402
    FreezeEdit,
    FreezeEvent,
    FreezeReminder,
)
from compensation.models.remedy import (  # noqa: E402
    DistributionDecision,
    FreezeCase,
    RemedyApplication,
    RemedyEvidence,
)
from compensation.models.statistics import StatisticsCase, StatisticsQuarter  # noqa: E402

__all__ = [
    "CaseAssessment",
    "CaseByCaseRate",
    "DashboardFigure",
    "Decision",
    "DistributionDecision",
    "FreezeCase",
    "FreezeEdit",
    "FreezeEvent",
    "FreezeReminder",
    "ItemFault",
    "PolicyVersion",
    "RemedyApplication",
    "RemedyEvidence",
    "StatisticsCase",
    "StatisticsQuarter",
]
