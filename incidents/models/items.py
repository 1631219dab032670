"""What a case is about: the items reported, the stops, the unauthorized transactions."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import search
from incidents.models.base import DeskModel
from incidents.models.case import MAX_AMOUNT_YEN, Case, date_in_range, history
from incidents.models.choices import (
    ActionKind,
    ActionStatus,
    IdDocumentKind,
    ItemKind,
    ItemState,
    TransactionChannel,
)
from incidents.models.querysets import RestrictedQuerySet


@history(model_name="ReportedItemHistory")
class ReportedItem(DeskModel):
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


RULES_KIND: dict[tuple[str, str], str] = {
    (ItemKind.CASH_CARD, ItemState.STOLEN): "stolen_card",
    (ItemKind.CASH_CARD, ItemState.LOST): "lost_card",
    (ItemKind.CASH_CARD, ItemState.COUNTERFEIT): "counterfeit_card",
    (ItemKind.PASSBOOK, ItemState.STOLEN): "stolen_passbook",
    (ItemKind.PASSBOOK, ItemState.LOST): "lost_passbook",
    (ItemKind.ONLINE_BANKING, ItemState.CREDENTIALS_STOLEN): "online_banking",
    # Judged by the rules too, so that the customer is told why the Act does not cover it.
    (ItemKind.TRANSFER_FRAUD, ItemState.DECEIVED): "customer_transfer",
}


def mask_account(branch: str, number: str) -> str:
    """Show only the last three digits of an account number (lists and exports)."""
    if not number:
        return ""
    return f"{branch}-****{number[-3:]}"


@history(model_name="ProtectiveActionHistory")
class ProtectiveAction(DeskModel):
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
    # The new limit a lowering proposes (ATM cash a day, docs/domain.md §10); None for other stops.
    limit_yen = models.BigIntegerField(_("引下げ後の限度額（円）"), null=True, blank=True)
    # When the stop was last sent to the core (REQUESTED until the core confirms it).
    requested_at = models.DateTimeField(_("依頼日時"), null=True, blank=True)
    # The core's refusal of the last request: its code and its words.
    failure_code = models.CharField(_("勘定系の理由コード"), max_length=40, blank=True)
    failure_reason = models.CharField(_("勘定系の理由"), max_length=200, blank=True)

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
            models.CheckConstraint(
                name="requested_action_has_time",
                condition=~Q(status="requested") | Q(requested_at__isnull=False),
            ),
            models.CheckConstraint(
                name="failed_action_has_reason",
                condition=~Q(status="failed") | ~Q(failure_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"

    @property
    def unconfirmed(self) -> bool:
        """Requested and still not confirmed by the core after MAMORI_STOP_CONFIRM_MINUTES."""
        if self.status != ActionStatus.REQUESTED or self.requested_at is None:
            return False
        waited = timezone.now() - self.requested_at
        return waited >= timedelta(minutes=settings.MAMORI_STOP_CONFIRM_MINUTES)

    @property
    def limit_text(self) -> str:
        """The proposed limit with thousands separators ("200,000"); empty for other stops."""
        return f"{self.limit_yen:,}" if self.limit_yen is not None else ""


# Derived from the payee and the ATM on every save: nothing a person entered, so not in the history.
TRANSACTION_KEY_COLUMNS = ["payee_key", "location_key"]


@history(model_name="UnauthorizedTransactionHistory", exclude=TRANSACTION_KEY_COLUMNS)
class UnauthorizedTransaction(DeskModel):
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
    # Comparison keys (incidents.models.search): the same receiving account or ATM however it was typed.
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
            # ... and, between the period's first and last case, in case and item order, so they
            # merge with the cases and items without a sort (compensation/reports/statistics.py).
            models.Index(
                fields=["case", "item"],
                name="transaction_statistics",
                include=["occurred_at", "amount", "recovered_amount"],
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
