"""The outbox: endpoints, the events written with the case change, and their deliveries."""

from __future__ import annotations

import secrets
import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from webhooks.choices import DeliveryState, EventType


def new_secret() -> str:
    """A fresh signing secret (256 bits, hex)."""
    return secrets.token_hex(32)


class WebhookEndpoint(DeskModel):
    """A receiver of another system: where events are posted and the secret they are signed with."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(
        _("送信先URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    secret = models.CharField(
        _("署名用シークレット"),
        max_length=128,
        default=new_secret,
        help_text=_("受信側はこの値で署名（HMAC-SHA256）を検証します。"),
    )
    event_types = ArrayField(
        models.CharField(max_length=40, choices=EventType.choices),
        verbose_name=_("送信するイベント"),
        default=list,
        blank=True,
    )
    active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("Webhook送信先")
        verbose_name_plural = _("Webhook送信先")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class WebhookEvent(DeskModel):
    """One event of a case, written in the transaction of the change it tells (ids and states only)."""

    event_id = models.UUIDField(_("イベントID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "incidents.Case", verbose_name=_("事故"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("種類"), max_length=40, choices=EventType.choices)
    # The case's events in the order they were written (a per-case counter, locked while written).
    sequence = models.PositiveBigIntegerField(_("事故内の順番"))
    payload = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("発生日時"), default=timezone.now)

    class Meta:
        verbose_name = _("Webhookイベント")
        verbose_name_plural = _("Webhookイベント")
        ordering = ["case_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="webhook_event_case_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.case_id}/{self.sequence}"


class WebhookCaseCounter(DeskModel):
    """The last event sequence given to a case; its row lock keeps a case's events in order."""

    case = models.OneToOneField(
        "incidents.Case", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("Webhookイベントの採番")
        verbose_name_plural = _("Webhookイベントの採番")

    def __str__(self) -> str:
        return f"#{self.case_id}: {self.last}"


class WebhookDelivery(DeskModel):
    """One event owed to one endpoint: claimed by compare-and-swap, retried until delivered."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("送信先"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        WebhookEvent,
        verbose_name=_("イベント"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    # The event's case and sequence, copied so that "is an earlier one still owed?" is one index.
    case_id = models.BigIntegerField(_("事故ID"))
    sequence = models.PositiveBigIntegerField(_("事故内の順番"))
    state = models.CharField(
        _("状態"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    next_attempt_at = models.DateTimeField(_("次回送信予定"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("処理開始"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("直近の応答コード"), null=True, blank=True)
    last_error = models.TextField(_("直近のエラー"), blank=True)
    delivered_at = models.DateTimeField(_("送信完了日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    class Meta:
        verbose_name = _("Webhook送信記録")
        verbose_name_plural = _("Webhook送信記録")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=Q(state=DeliveryState.DELIVERED) | Q(next_attempt_at__isnull=False),
                name="webhook_delivery_owed_has_due",
            ),
        ]
        indexes = [
            # The sweep's scan: what is owed, by due time (delivered rows leave the index).
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=~Q(state=DeliveryState.DELIVERED),
            ),
            # In order per case per endpoint: the earlier deliveries still owed.
            models.Index(
                fields=["endpoint", "case_id", "sequence"],
                name="webhook_delivery_owed_order",
                condition=~Q(state=DeliveryState.DELIVERED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"
