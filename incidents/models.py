"""Branches, staff and the case with everything a teller records about it."""

from __future__ import annotations

import datetime
import uuid

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.rules.vocab import EARLIEST_DATE, LATEST_DATE
from incidents import search
from incidents.choices import (
    OPEN_STATUSES,
    ActionKind,
    ActionStatus,
    AttachmentKind,
    CaseStatus,
    Channel,
    CustomerType,
    DeadlineCounting,
    DeadlineKind,
    DeadlineState,
    EventKind,
    IdDocumentKind,
    ItemKind,
    ItemState,
    PoliceStatus,
    ReporterRelation,
    Role,
    TransactionChannel,
)
from incidents.querysets import CaseQuerySet, RestrictedQuerySet

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
    """The database's half of the one date range (incidents.validators.validate_date_in_range):
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


class Branch(models.Model):
    """A branch of the bank (店舗), identified by its three-digit code."""

    code = models.CharField(_("店番"), max_length=3, unique=True)
    name = models.CharField(_("支店名"), max_length=60)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    is_active = models.BooleanField(_("営業中"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("支店")
        verbose_name_plural = _("支店")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# Columns that change how a member of staff appears in the branch's pick lists.
STAFF_LIST_FIELDS = {"branch", "role", "is_active", "last_name", "first_name", "username"}


class User(AbstractUser):
    """A member of staff with one role and a home branch."""

    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.TELLER)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("所属店"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    language = models.CharField(
        _("表示言語"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        constraints = [
            models.CheckConstraint(
                name="branch_staff_have_a_branch",
                condition=~Q(role__in=["teller", "supervisor"]) | Q(branch__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Family name first, as Japanese staff lists read."""
        name = f"{self.last_name} {self.first_name}".strip()
        return name or self.username

    @property
    def is_branch_staff(self) -> bool:
        return self.role in (Role.TELLER, Role.SUPERVISOR)

    def has_perm(self, perm: str, obj=None) -> bool:
        """A superuser administers the system, but case work is granted by role alone.

        Permissions a role grants (incidents.roles.ROLE_PERMISSIONS) come only from the role, so
        a superuser administrator does not read customers' cases or the access log.
        """
        from incidents.roles import ROLE_PERMISSIONS, role_only_permissions

        if self.is_superuser and perm in role_only_permissions():
            return self.is_active and perm in ROLE_PERMISSIONS.get(self.role, ())
        return super().has_perm(perm, obj)

    def save(self, *args, **kwargs):
        """Save, and keep the member of staff in the group of their role (its permissions)."""
        update_fields = kwargs.get("update_fields")
        before = None
        if self.pk and (update_fields is None or "branch" in update_fields):
            before = type(self).objects.filter(pk=self.pk).values_list("branch_id", flat=True)
            before = before.first()
        super().save(*args, **kwargs)
        if update_fields is None or "role" in update_fields:
            from incidents.roles import role_group_assign

            role_group_assign(user=self)
        if update_fields is None or set(update_fields) & STAFF_LIST_FIELDS:
            from incidents.selectors_queue import branch_staff_forget

            branch_staff_forget(branch_ids={self.branch_id, before})


class CaseNumberCounter(models.Model):
    """The last case number handed out per branch and year (locked row, so numbers never repeat)."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_counter_per_branch_year")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.year}: {self.last}"


@history(
    model_name="CaseHistory",
    exclude=["search_text"],
    condition_exclude=[c for c in UNTRACKED_CASE_COLUMNS if c != "search_text"],
)
class Case(models.Model):
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

    # Police report (被害届).
    police_status = models.CharField(
        _("警察への届出"), max_length=10, choices=PoliceStatus.choices, blank=True
    )
    police_station = models.CharField(_("届出警察署"), max_length=60, blank=True)
    police_filed_on = models.DateField(_("届出日"), null=True, blank=True)
    police_receipt_number = models.CharField(_("受理番号"), max_length=40, blank=True)

    # Circumstances (DOMAIN §4.4), in the rules engine's codes.
    checklist = ArrayField(
        models.CharField(max_length=40), verbose_name=_("状況確認"), default=list, blank=True
    )
    online_banking_factors = ArrayField(
        models.CharField(max_length=40), verbose_name=_("IB利用状況"), default=list, blank=True
    )
    circumstances_note = models.TextField(_("状況（自由記述）"), blank=True)

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
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Normalized customer name, kana, numbers and accounts for the queue's search (incidents.search).
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
    def is_draft(self) -> bool:
        return self.status == CaseStatus.DRAFT

    @property
    def intake_step_title(self) -> str:
        """The title of the last intake step saved, as the teller saw it."""
        from incidents.intake import (
            ALL_STEPS,  # intake imports models; import here to avoid a cycle
        )

        titles = {step.slug: step.title for step in ALL_STEPS}
        return str(titles.get(self.intake_step, self.intake_step))

    @property
    def notified_on(self):
        """The notification day (通知日) in Japan time."""
        return timezone.localdate(self.notified_at)


@history(model_name="ReportedItemHistory")
class ReportedItem(models.Model):
    """One thing reported lost, stolen or copied: a card, a passbook, a seal, IB credentials…"""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("種類"), max_length=20, choices=ItemKind.choices)
    state = models.CharField(_("事故の内容"), max_length=20, choices=ItemState.choices)
    id_document_kind = models.CharField(
        _("書類の種類"), max_length=20, choices=IdDocumentKind.choices, blank=True
    )
    account_branch = models.CharField(_("口座店番"), max_length=3, blank=True)
    account_number = models.CharField(_("口座番号"), max_length=7, blank=True)
    occurred_on = models.DateField(
        _("発生日"), null=True, blank=True, help_text=_("不明の場合は空欄")
    )
    noticed_on = models.DateField(_("気付いた日"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("届出対象")
        verbose_name_plural = _("届出対象")
        ordering = ["position", "pk"]
        constraints = [date_in_range("occurred_on"), date_in_range("noticed_on")]
        indexes = [
            # The statistics' category of each transaction's item, from the index alone, in the
            # order of the period's transactions summed per case and item (a merge join).
            models.Index(fields=["case", "id"], name="item_statistics", include=["kind", "state"]),
        ]

    def __str__(self) -> str:
        return _("%(kind)s（%(state)s）") % {
            "kind": self.get_kind_display(),
            "state": self.get_state_display(),
        }

    @property
    def rules_kind(self) -> str | None:
        """The compensation rules' item kind, or None for items money cannot be taken with."""
        return RULES_KIND.get((self.kind, self.state))

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_branch, self.account_number)


RULES_KIND = {
    (ItemKind.CASH_CARD, ItemState.STOLEN): "stolen_card",
    (ItemKind.CASH_CARD, ItemState.LOST): "lost_card",
    (ItemKind.CASH_CARD, ItemState.COUNTERFEIT): "counterfeit_card",
    (ItemKind.PASSBOOK, ItemState.STOLEN): "stolen_passbook",
    (ItemKind.PASSBOOK, ItemState.LOST): "lost_passbook",
    (ItemKind.ONLINE_BANKING, ItemState.CREDENTIALS_STOLEN): "online_banking",
}


def mask_account(branch: str, number: str) -> str:
    """Show only the last three digits of an account number (lists and exports)."""
    if not number:
        return ""
    return f"{branch}-****{number[-3:]}"


@history(model_name="ProtectiveActionHistory")
class ProtectiveAction(models.Model):
    """A protective stop (即時措置) proposed for an item: done with a reference, or declined."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        ReportedItem, on_delete=models.CASCADE, related_name="actions", null=True, blank=True
    )
    kind = models.CharField(_("措置"), max_length=20, choices=ActionKind.choices)
    status = models.CharField(
        _("実施状況"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    performed_at = models.DateTimeField(_("実施日時"), null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実施者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(_("受付番号（勘定系）"), max_length=40, blank=True)
    decline_reason = models.CharField(_("見送りの理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("即時措置")
        verbose_name_plural = _("即時措置")
        ordering = ["item__position", "item_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "item", "kind"], name="one_action_per_item_kind"
            ),
            models.CheckConstraint(
                name="declined_action_has_reason",
                condition=~Q(status="declined") | ~Q(decline_reason=""),
            ),
            models.CheckConstraint(
                name="done_action_has_time",
                condition=~Q(status="done") | Q(performed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


# Derived from the payee and the ATM on every save: nothing a person entered, so not in the history.
TRANSACTION_KEY_COLUMNS = ["payee_key", "location_key"]


@history(model_name="UnauthorizedTransactionHistory", exclude=TRANSACTION_KEY_COLUMNS)
class UnauthorizedTransaction(models.Model):
    """One unauthorized withdrawal, transfer or purchase (被害取引)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transactions")
    item = models.ForeignKey(
        ReportedItem,
        verbose_name=_("使われた届出対象"),
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    occurred_at = models.DateTimeField(_("取引日時"))
    account_branch = models.CharField(_("口座店番"), max_length=3)
    account_number = models.CharField(_("口座番号"), max_length=7)
    channel = models.CharField(_("取引種類"), max_length=20, choices=TransactionChannel.choices)
    amount = models.BigIntegerField(_("金額（円）"))
    fee = models.BigIntegerField(_("手数料（円）"), default=0)
    interest = models.BigIntegerField(_("利息（円）"), default=0)
    location = models.CharField(_("ATM・店舗"), max_length=80, blank=True)
    payee_bank = models.CharField(_("振込先金融機関"), max_length=60, blank=True)
    payee_branch = models.CharField(_("振込先支店"), max_length=60, blank=True)
    payee_account_number = models.CharField(_("振込先口座番号"), max_length=7, blank=True)
    payee_account_name = models.CharField(_("振込先口座名義"), max_length=80, blank=True)
    recovered_amount = models.BigIntegerField(
        _("組戻し等による回収額（円）"),
        default=0,
        help_text=_("組戻し・返金などでお客さまの口座に戻った金額。"),
    )
    # Comparison keys (incidents.search): the same receiving account or ATM however it was typed.
    payee_key = models.CharField(max_length=160, blank=True, default="", editable=False)
    location_key = models.CharField(max_length=80, blank=True, default="", editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("被害取引")
        verbose_name_plural = _("被害取引")
        ordering = ["occurred_at", "pk"]
        constraints = [
            date_in_range("occurred_at", instant=True, required=True),
            models.CheckConstraint(
                name="transaction_amounts_whole_yen_non_negative",
                condition=Q(amount__gte=0, fee__gte=0, interest__gte=0)
                & Q(amount__lte=MAX_AMOUNT_YEN),
            ),
            models.CheckConstraint(
                name="transaction_recovery_within_amount",
                condition=Q(recovered_amount__gte=0, recovered_amount__lte=F("amount")),
            ),
        ]
        indexes = [
            # The statistics read a period's transactions by their date, from the index alone.
            models.Index(
                fields=["occurred_at"],
                name="transaction_occurred",
                include=["case", "item", "amount", "recovered_amount"],
            ),
            # Links between cases: the same receiving account, the same ATM within days.
            models.Index(
                fields=["payee_key", "case"],
                name="transaction_payee_key",
                condition=~Q(payee_key=""),
            ),
            models.Index(
                fields=["location_key", "occurred_at"],
                name="transaction_location_key",
                condition=~Q(location_key=""),
            ),
        ]

    def __str__(self) -> str:
        return _("%(channel)s %(amount)s円") % {
            "channel": self.get_channel_display(),
            "amount": f"{self.amount:,}",
        }

    def save(self, *args, **kwargs):
        """Save with the comparison keys of the payee and the ATM brought up to date."""
        self.payee_key = search.payee_account_key(
            self.payee_bank, self.payee_branch, self.payee_account_number
        )
        self.location_key = search.atm_location_key(self.location)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *TRANSACTION_KEY_COLUMNS}
        super().save(*args, **kwargs)

    @property
    def claimed(self) -> int:
        return self.amount + self.fee + self.interest

    @property
    def net_amount(self) -> int:
        """The amount still lost after recoveries (組戻し等)."""
        return self.amount - self.recovered_amount

    @property
    def masked_account(self) -> str:
        return mask_account(self.account_branch, self.account_number)


class TimelineEvent(models.Model):
    """An append-only record of who did what to a case, and when (the database refuses edits)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("日時"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実施者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("種類"), max_length=30)
    message = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("経過記録")
        verbose_name_plural = _("経過記録")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="timeline_case_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    @property
    def kind_label(self) -> str:
        try:
            return EventKind(self.kind).label
        except ValueError:
            return self.kind


class Deadline(models.Model):
    """Something owed on a case by a due time (DOMAIN §5), scanned by the periodic job.

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


class DeadlinePolicy(models.Model):
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


class BankClosure(models.Model):
    """A day the bank is closed beyond weekends, public holidays and 12/31–1/3 (added by an administrator)."""

    date = models.DateField(_("休業日"), unique=True)
    reason = models.CharField(_("理由"), max_length=100)

    class Meta:
        verbose_name = _("臨時休業日")
        verbose_name_plural = _("臨時休業日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"


class CaseAccess(models.Model):
    """One look at a case by a member of staff (閲覧記録); append-only, the database refuses edits."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        related_name="case_accesses",
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    view = models.CharField(_("画面"), max_length=30)
    path = models.CharField(_("URL"), max_length=200)

    class Meta:
        verbose_name = _("閲覧記録")
        verbose_name_plural = _("閲覧記録")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-at"], name="access_case_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
            models.Index(fields=["-at"], name="access_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.case_id}"


class IntakeAutosave(models.Model):
    """The raw form data of an intake step on screen, kept before an idle logout (it may not be
    valid yet); restored into the form when the teller opens the step again."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="autosaves", null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("入力者"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    step = models.CharField(_("手順"), max_length=20)
    data = models.JSONField(_("入力内容"), default=dict)
    saved_at = models.DateTimeField(_("保存日時"), default=timezone.now)

    class Meta:
        verbose_name = _("自動保存された入力内容")
        verbose_name_plural = _("自動保存された入力内容")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                condition=Q(case__isnull=False),
                name="one_autosave_per_case_step",
            ),
            # A new report not yet saved as a draft: one per member of staff.
            models.UniqueConstraint(
                fields=["user", "step"],
                condition=Q(case__isnull=True),
                name="one_new_report_autosave_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id or '-'}/{self.step} {self.saved_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A document a customer handed in (police report copy, identity document, signed claim
    form), checked by its content and stored outside the web roots under a random name."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("書類の種類"), max_length=30, choices=AttachmentKind.choices)
    original_name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(_("形式"), max_length=40)
    size = models.BigIntegerField(_("サイズ（バイト）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=64, unique=True, editable=False)
    note = models.CharField(_("備考"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("添付書類")
        verbose_name_plural = _("添付書類")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["case", "uploaded_at"], name="attachment_case_at")]
        constraints = [
            models.CheckConstraint(name="attachment_size_positive", condition=Q(size__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class AttachmentWithdrawal(models.Model):
    """A document attached by mistake (another customer's, the wrong file), taken off the case by
    a supervisor with the reason; the document and its record stay for the auditors, and this
    row, like them, can be neither edited nor removed."""

    attachment = models.OneToOneField(
        Attachment, on_delete=models.PROTECT, related_name="withdrawal"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取り下げた職員"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("取り下げ日時"), default=timezone.now)
    reason = models.CharField(_("取り下げの理由"), max_length=200)

    class Meta:
        verbose_name = _("添付書類の取り下げ")
        verbose_name_plural = _("添付書類の取り下げ")
        constraints = [
            models.CheckConstraint(
                name="attachment_withdrawal_has_reason", condition=~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attachment_id}: {self.reason}"


class AttachmentDownload(models.Model):
    """One download of an attachment (who, when, from where); append-only in the database."""

    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    class Meta:
        verbose_name = _("添付書類のダウンロード記録")
        verbose_name_plural = _("添付書類のダウンロード記録")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["attachment", "-at"], name="attachment_download_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.attachment_id}"


class CaseEdit(models.Model):
    """One write applied to a case through the guarded path (incidents.edits.case_edit).

    ``key`` is the one-time key of the form that was posted: a second post of the same form (a
    double click, the back button, a resent request) finds its row and changes nothing.
    ``version`` is the case's version the edit produced. Append-only in the database.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="edits")
    key = models.UUIDField(_("フォームキー"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("操作"), max_length=40)
    version = models.PositiveIntegerField(_("変更後の版"))
    digest = models.CharField(_("送信内容のダイジェスト"), max_length=64, blank=True)
    at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        verbose_name = _("事故への変更")
        verbose_name_plural = _("事故への変更")
        ordering = ["case", "version"]
        constraints = [
            # One form is applied at most once to a case (a bulk form once to each of its cases).
            models.UniqueConstraint(fields=["case", "key"], name="case_edit_once_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version} {self.action}"


class AccessRefusal(models.Model):
    """A request refused to a signed-in member of staff (拒否されたアクセス): every 403, and every
    404 on a URL that names a case (a case outside their scope answers as if it did not exist).
    Written by incidents.refusals.AccessRefusalMiddleware; append-only, the database refuses edits.
    """

    class Status(models.IntegerChoices):
        FORBIDDEN = 403, _("403 権限なし")
        NOT_FOUND = 404, _("404 該当なし・範囲外")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.PROTECT,
        related_name="access_refusals",
        db_index=False,  # led by the (user, -at) index below
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    method = models.CharField(_("メソッド"), max_length=10)
    path = models.CharField(_("URL"), max_length=200)
    view = models.CharField(_("画面"), max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(_("応答"), choices=Status.choices)
    # The case the URL names, kept even when no such case exists (someone trying ids): no
    # database constraint, and a case's removal leaves the record as it was.
    case = models.ForeignKey(
        Case,
        verbose_name=_("事故"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # led by the (case, -at) index below
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    class Meta:
        verbose_name = _("拒否されたアクセス")
        verbose_name_plural = _("拒否されたアクセス")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-at"], name="refusal_user_at"),
            models.Index(fields=["case", "-at"], name="refusal_case_at"),
            models.Index(fields=["-at"], name="refusal_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.status} {self.path}"
