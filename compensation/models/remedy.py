"""The receiving side of the Remedy Act (振り込め詐欺救済法): freeze cases, the victims'
applications and the four-eyes distribution decision (docs/domain.md §9.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.choices import ApplicationStatus, DecisionStatus, FreezeStatus
from incidents.models import Branch, date_in_range
from incidents.models.base import DeskModel

OPEN_FREEZE_STATUSES = (
    FreezeStatus.REQUESTED,
    FreezeStatus.REFUSED,
    FreezeStatus.FROZEN,
    FreezeStatus.NOTICE,
    FreezeStatus.APPLICATIONS,
)


class FreezeCase(DeskModel):
    """An account at our bank that received fraud money, frozen and taken through the Remedy Act.

    Opened by a supervisor from a freeze candidate (a receiving account in two or more cases); the
    stop goes through the core-banking interface; the notice and application periods are dates on
    the business calendar whose lengths come from the policy version in force.
    """

    payee_key = models.CharField(_("照合キー"), max_length=200)
    bank = models.CharField(_("金融機関"), max_length=60)
    account_branch = models.CharField(_("支店"), max_length=60)
    account_number = models.CharField(_("口座番号"), max_length=20)
    account_name = models.CharField(_("口座名義"), max_length=100)
    branch = models.ForeignKey(
        Branch, verbose_name=_("担当店"), on_delete=models.PROTECT, related_name="freeze_cases"
    )
    status = models.CharField(
        _("状態"), max_length=14, choices=FreezeStatus.choices, default=FreezeStatus.FROZEN
    )
    balance = models.BigIntegerField(_("凍結時の残高（円）"))
    stop_reference = models.CharField(_("凍結の照会番号"), max_length=40)
    # Empty until the core confirms the freeze (the case is 凍結依頼中 meanwhile).
    frozen_at = models.DateTimeField(_("凍結日時"), null=True, blank=True)
    # Why the core refused the freeze (凍結できず), shown with a retry and the manual record.
    stop_failure = models.CharField(_("凍結できなかった理由"), max_length=200, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起票者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("経緯"), blank=True)
    notice_requested_on = models.DateField(_("公告の求めの日"), null=True, blank=True)
    notice_reference = models.CharField(_("預金保険機構の受付番号"), max_length=40, blank=True)
    notice_starts_on = models.DateField(_("公告日"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公告期間の満了日"), null=True, blank=True)
    application_opens_on = models.DateField(_("分配金の申請期間の初日"), null=True, blank=True)
    application_ends_on = models.DateField(_("分配金の申請期間の末日"), null=True, blank=True)
    # Every form carries the version it was rendered from: a stale or repeated post changes nothing.
    version = models.PositiveIntegerField(_("版"), default=1)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    class Meta:
        verbose_name = _("口座凍結")
        verbose_name_plural = _("口座凍結")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One freeze case at a time per receiving account: a double post opens nothing twice.
            models.UniqueConstraint(
                fields=["payee_key"],
                condition=~Q(status="decided"),
                name="one_open_freeze_per_account",
            ),
            models.CheckConstraint(name="freeze_balance_not_negative", condition=Q(balance__gte=0)),
            date_in_range("notice_requested_on"),
            date_in_range("notice_starts_on"),
            date_in_range("notice_ends_on"),
            date_in_range("application_opens_on"),
            date_in_range("application_ends_on"),
            models.CheckConstraint(
                # The Act's minimums: a notice of 60 days or more, applications for 30 or more.
                name="freeze_periods_at_least_the_minimum",
                condition=(
                    Q(notice_starts_on__isnull=True)
                    | Q(notice_ends_on__gte=F("notice_starts_on") + 60)
                )
                & (
                    Q(application_opens_on__isnull=True)
                    | Q(
                        application_opens_on__gt=F("notice_ends_on"),
                        application_ends_on__gte=F("application_opens_on") + 30,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.account_branch} {self.account_number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FREEZE_STATUSES


class RemedyApplication(DeskModel):
    """A victim's application for distribution from a frozen account, and its decision."""

    freeze_case = models.ForeignKey(
        FreezeCase, on_delete=models.PROTECT, related_name="applications"
    )
    applicant_name = models.CharField(_("申請者の氏名"), max_length=100)
    applicant_contact = models.CharField(_("連絡先"), max_length=100, blank=True)
    received_on = models.DateField(_("受付日"))
    claimed_amount = models.BigIntegerField(_("被害額（申請額・円）"))
    status = models.CharField(
        _("決定"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    decision_reason = models.TextField(_("決定の理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("決定者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受付者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("分配金の申請")
        verbose_name_plural = _("分配金の申請")
        ordering = ["freeze_case", "pk"]
        constraints = [
            date_in_range("received_on", required=True),
            models.CheckConstraint(
                name="application_claims_a_loss", condition=Q(claimed_amount__gte=1)
            ),
            models.CheckConstraint(
                name="decided_application_has_reason",
                condition=Q(status="pending")
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(decision_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_name} {self.claimed_amount:,}"


class DistributionDecision(DeskModel):
    """The distribution of a frozen balance, computed by the rules and approved under four eyes.

    Once approved or returned the row is final (a database trigger refuses UPDATE and DELETE); it
    keeps the rules' input and output, so ``remedy_distribution`` reproduces it.
    """

    freeze_case = models.ForeignKey(
        FreezeCase, on_delete=models.PROTECT, related_name="distribution_decisions"
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.SUBMITTED
    )
    balance = models.BigIntegerField(_("分配の対象となる残高（円）"))
    facts = models.JSONField(_("入力（remedy_distribution の入力）"))
    result = models.JSONField(_("分配の結果"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起案者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("審査依頼日時"), default=timezone.now)
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

    class Meta:
        verbose_name = _("分配の決定")
        verbose_name_plural = _("分配の決定")
        ordering = ["freeze_case", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["freeze_case"],
                condition=Q(status__in=["submitted", "approved"]),
                name="one_live_distribution_per_freeze",
            ),
            models.CheckConstraint(
                # Four eyes: whoever reviews a distribution did not prepare it.
                name="distribution_reviewer_is_not_preparer",
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("prepared_by")),
            ),
            models.CheckConstraint(
                name="reviewed_distribution_is_complete",
                condition=Q(status="submitted")
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="returned_distribution_has_comment",
                condition=~Q(status="returned") | ~Q(review_comment=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freeze_case} {self.get_status_display()}"


class RemedyEvidence(DeskModel):
    """A document supporting an application (a transfer slip, the police report's receipt),
    checked and stored by the attachments feature's storage (incidents/attachments/storage.py):
    PDF, JPEG or PNG by content, outside the web roots, under a random name. Never edited or
    removed (a database trigger)."""

    application = models.ForeignKey(
        RemedyApplication, on_delete=models.PROTECT, related_name="evidence"
    )
    original_name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(_("形式"), max_length=40)
    size = models.BigIntegerField(_("サイズ（バイト）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("申請の証拠書類")
        verbose_name_plural = _("申請の証拠書類")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(name="remedy_evidence_size_positive", condition=Q(size__gt=0)),
        ]

    def __str__(self) -> str:
        return self.original_name
