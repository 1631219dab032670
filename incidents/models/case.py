"""The case (届出) and the rules every stored case keeps: history, dates in range."""

from __future__ import annotations

import datetime
import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.rules.vocab import EARLIEST_DATE, LATEST_DATE
from incidents.models.base import DeskModel
from incidents.models.choices import (
    DUPLICATE_STATUSES,
    OPEN_STATUSES,
    CaseStatus,
    Channel,
    CustomerType,
    FraudApproach,
    PoliceStatus,
    ReporterRelation,
)
from incidents.models.people import Branch
from incidents.models.querysets import CaseQuerySet

MAX_AMOUNT_YEN = 10_000_000_000  # ten billion yen: above any single unauthorized withdrawal
# The project's one date range (the rules engine's), as instants: Japan time has no daylight
# saving, so its midnights are fixed UTC times.
JST = datetime.timezone(datetime.timedelta(hours=9))
EARLIEST_INSTANT = datetime.datetime.combine(EARLIEST_DATE, datetime.time(), JST).astimezone(
    datetime.UTC
)
END_INSTANT = datetime.datetime.combine(
    LATEST_DATE + datetime.timedelta(days=1), datetime.time(), JST
).astimezone(datetime.UTC)


def date_in_range(field: str, *, instant: bool = False, required: bool = False):
    """The database's half of the one date range (incidents.cases.validators.validate_date_in_range):
    no stored date can fall outside it, so no page can fail on reading one."""
    if instant:
        within = Q(**{f"{field}__gte": EARLIEST_INSTANT, f"{field}__lt": END_INSTANT})
    else:
        within = Q(**{f"{field}__gte": EARLIEST_DATE, f"{field}__lte": LATEST_DATE})
    condition = within if required else Q(**{f"{field}__isnull": True}) | within
    return models.CheckConstraint(name=f"%(class)s_{field}_in_range", condition=condition)


# Columns that change on every save without changing what was recorded: no history row for them.
UNTRACKED_CASE_COLUMNS = ["updated_at", "version", "search_text", "intake_step"]


def history(*, model_name: str, exclude: list[str] | None = None, condition_exclude=()):
    """Record every insert, change and delete of case data in an append-only history table.

    The user comes from ``pghistory.context`` (set per request by the history middleware). The
    tables are made append-only by a database trigger (migration 0005), not by pgtrigger's
    ``Protect``, which the application could switch off with ``pgtrigger.ignore``.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(
            condition=pghistory.AnyChange(exclude=[*condition_exclude, *(exclude or [])])
        ),
        pghistory.DeleteEvent(),
        exclude=exclude,
        obj_field=pghistory.ObjForeignKey(related_name="history", related_query_name="history"),
        model_name=model_name,
        context_field=pghistory.ContextJSONField(),
        append_only=False,
    )


@history(
    model_name="CaseHistory",
    exclude=["search_text"],
    condition_exclude=[c for c in UNTRACKED_CASE_COLUMNS if c != "search_text"],
)
class Case(DeskModel):
    """One report (届出) by or for one customer, possibly covering several items."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("担当店"), on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField(_("受付番号"), max_length=20, unique=True, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("受付年"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("年内連番"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    intake_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intake_step = models.CharField(_("入力済みの手順"), max_length=20, blank=True)
    after_hours = models.BooleanField(_("時間外受付"), default=False)

    # Reporter and channel.
    channel = models.CharField(
        _("受付方法"), max_length=10, choices=Channel.choices, default=Channel.COUNTER
    )
    reporter_relation = models.CharField(
        _("届出人"), max_length=10, choices=ReporterRelation.choices, default=ReporterRelation.SELF
    )
    reporter_name = models.CharField(_("届出人氏名"), max_length=80, blank=True)
    reporter_phone = models.CharField(_("届出人連絡先"), max_length=20, blank=True)
    notified_at = models.DateTimeField(_("通知日時"), default=timezone.now)

    # The customer as reported.
    customer_number = models.CharField(_("顧客番号"), max_length=10, blank=True, db_index=True)
    customer_type = models.CharField(
        _("個人・法人"),
        max_length=12,
        choices=CustomerType.choices,
        default=CustomerType.INDIVIDUAL,
    )
    customer_name = models.CharField(_("氏名（漢字）"), max_length=80, blank=True)
    customer_name_kana = models.CharField(_("氏名（カナ）"), max_length=80, blank=True)
    customer_birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    customer_phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    # The postal address, for the decision letter's address block (〒123-4567).
    customer_postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    customer_address = models.CharField(_("住所"), max_length=200, blank=True)

    # Police report (被害届).
    police_status = models.CharField(
        _("警察への届出"), max_length=10, choices=PoliceStatus.choices, blank=True
    )
    police_station = models.CharField(_("届出警察署"), max_length=60, blank=True)
    police_filed_on = models.DateField(_("届出日"), null=True, blank=True)
    police_receipt_number = models.CharField(_("受理番号"), max_length=40, blank=True)

    # Circumstances (docs/domain.md §4.4), in the rules engine's codes.
    checklist = ArrayField(
        models.CharField(max_length=40), verbose_name=_("状況確認"), default=list, blank=True
    )
    online_banking_factors = ArrayField(
        models.CharField(max_length=40), verbose_name=_("IB利用状況"), default=list, blank=True
    )
    circumstances_note = models.TextField(_("状況（自由記述）"), blank=True)

    # Transfer fraud (振り込め詐欺等, docs/domain.md §9) and the warning signs a teller listens for
    # (docs/domain.md §10): a "yes" opens the transfer-fraud path and flags the case.
    fraud_approach = models.CharField(
        _("詐欺の手口"), max_length=20, choices=FraudApproach.choices, blank=True
    )
    fraud_approach_note = models.CharField(_("手口の詳細"), max_length=200, blank=True)
    sign_atm_call = models.BooleanField(_("電話でATMの操作を指示された"), default=False)
    sign_home_visit = models.BooleanField(
        _("自宅に来た者にカードを渡した・すり替えられた"), default=False
    )
    sign_pin_asked = models.BooleanField(
        _("警察官・銀行員を名乗る者に暗証番号を聞かれた"), default=False
    )
    supervisor_flagged = models.BooleanField(_("役席の確認が必要"), default=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受付者"),
        on_delete=models.PROTECT,
        related_name="created_cases",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当者"),
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        null=True,
        blank=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受付完了者"),
        on_delete=models.PROTECT,
        related_name="submitted_cases",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("受付完了日時"), null=True, blank=True)
    # A duplicate report merged into another case points at the case that now carries it.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("統合先"),
        on_delete=models.PROTECT,
        related_name="merged_cases",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Normalized customer name, kana, numbers and accounts for the queue's search (incidents.models.search).
    search_text = models.TextField(default="", blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("事故受付")
        verbose_name_plural = _("事故受付")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "year", "sequence"], name="case_number_unique_per_branch_year"
            ),
            models.CheckConstraint(
                name="case_number_outside_draft",
                condition=Q(status__in=["draft", "withdrawn"]) | Q(number__isnull=False),
            ),
            models.CheckConstraint(
                name="case_merged_has_survivor",
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
            ),
            date_in_range("notified_at", instant=True, required=True),
            date_in_range("customer_birth_date"),
            date_in_range("police_filed_on"),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "-created_at"], name="case_branch_status"),
            models.Index(fields=["created_by", "status"], name="case_creator_status"),
            # The queue's first pages: open cases newest first, per branch and across branches.
            models.Index(
                fields=["branch", "-notified_at", "-id"],
                name="case_open_branch_notified",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["-notified_at", "-id"],
                name="case_open_notified",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["branch", "-notified_at", "-id"], name="case_branch_notified"),
            models.Index(fields=["-notified_at", "-id"], name="case_notified"),
            models.Index(
                fields=["assigned_to", "-notified_at", "-id"],
                name="case_open_assignee",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The case page asks whether another report of the branch may be of the same
            # customer (a merge to offer): by number or by kana, among the reports still open to
            # a merge; index probes, not a scan of the branch's open cases.
            models.Index(
                fields=["branch", "customer_number"],
                name="case_duplicate_number",
                condition=Q(status__in=DUPLICATE_STATUSES),
            ),
            models.Index(
                fields=["branch", "customer_name_kana"],
                name="case_duplicate_kana",
                condition=Q(status__in=DUPLICATE_STATUSES),
            ),
            # Substring search (LIKE '%…%' and regular expressions) on names, kana and numbers.
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="case_search_trgm"),
            # The statistics join a period's cases by id for what they count by, from the index.
            models.Index(
                fields=["id"],
                name="case_statistics",
                include=["status", "customer_type", "customer_number", "branch"],
            ),
        ]
        permissions = [
            ("take_report", _("届出を受け付ける")),
            ("view_queue", _("事故一覧（キュー）を見る")),
            ("assign_case", _("担当者を割り当てる")),
            ("pickup_case", _("時間外受付を引き継ぐ")),
            ("take_after_hours_call", _("時間外の電話を受け付ける")),
            ("perform_stop", _("緊急停止を実施する")),
            ("view_access_log", _("閲覧記録を検索する")),
            ("view_case_links", _("振込先口座・ATMの関連を見る")),
        ]

    def __str__(self) -> str:
        return self.number or _("下書き #%(pk)s") % {"pk": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("incidents:case_detail", kwargs={"pk": self.pk})

    @property
    def is_merged(self) -> bool:
        return self.status == CaseStatus.MERGED

    @property
    def is_draft(self) -> bool:
        return self.status == CaseStatus.DRAFT

    def resume_step(self) -> str:
        """The intake step a draft is resumed at: the one whose typing was kept unsaved (the
        newest autosave: it comes back there), else the last step saved."""
        if hasattr(self, "kept_step"):  # read with the draft (home_selectors)
            kept = self.kept_step
        else:
            kept = self.autosaves.order_by("-saved_at").values_list("step", flat=True).first()
        return kept or self.intake_step or "customer"

    @property
    def notified_on(self):
        """The notification day (通知日) in Japan time."""
        return timezone.localdate(self.notified_at)
