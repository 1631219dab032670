"""The outbox of stop requests to the core banking system (docs/core-banking-protocol.md): the
stops of a case, a victim's freeze request to an account at our own bank, and the freeze of a
receiving account (口座凍結) all leave through it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.choices import OPEN_CORE_REQUEST_STATES, CoreOwner, CoreRequestState
from incidents.models.items import ProtectiveAction
from incidents.models.remedy import FreezeRequest

_OPEN = Q(state__in=[state.value for state in OPEN_CORE_REQUEST_STATES])


class CoreRequest(DeskModel):
    """One stop request owed to the core, under an idempotency key: written with its owner's
    change (a stop, a freeze request, a freeze case: exactly one), sent after commit, retried and
    asked until the core confirms or refuses it; the answer goes to the owner."""

    key = models.UUIDField(_("冪等キー"), default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(
        ProtectiveAction,
        verbose_name=_("即時措置"),
        on_delete=models.CASCADE,
        related_name="core_requests",
        null=True,
        blank=True,
    )
    freeze_request = models.ForeignKey(
        FreezeRequest,
        verbose_name=_("振込先口座の凍結依頼"),
        on_delete=models.CASCADE,
        related_name="core_requests",
        null=True,
        blank=True,
    )
    # By name: the freeze case lives in compensation, above the case desk (never imported here).
    freeze_case = models.ForeignKey(
        "compensation.FreezeCase",
        verbose_name=_("口座凍結"),
        on_delete=models.PROTECT,
        related_name="core_requests",
        null=True,
        blank=True,
    )
    state = models.CharField(
        _("状態"),
        max_length=10,
        choices=CoreRequestState.choices,
        default=CoreRequestState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("送信回数"), default=0)
    # When the sweep next sends (or asks about) the request; NULL once the core has answered.
    next_attempt_at = models.DateTimeField(_("次回送信"), null=True, blank=True)
    # When the stop counts as unconfirmed (requested + MAMORI_STOP_CONFIRM_MINUTES).
    confirm_by = models.DateTimeField(_("確認期限"))
    escalated_at = models.DateTimeField(_("未確認の通知日時"), null=True, blank=True)
    last_error = models.CharField(_("最後のエラー"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    # The core's reference once it confirmed (its owner records it too).
    reference = models.CharField(_("照会番号"), max_length=40, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("勘定系への停止依頼")
        verbose_name_plural = _("勘定系への停止依頼")
        indexes = [
            # The sweep's selections: what is due, and what waited too long; each follows only
            # the open requests, not the table.
            models.Index(fields=["next_attempt_at"], name="core_request_due", condition=_OPEN),
            models.Index(
                fields=["confirm_by"],
                name="core_request_unconfirmed",
                condition=_OPEN & Q(escalated_at__isnull=True),
            ),
        ]
        constraints = [
            # One request in flight per stop: a double-clicked retry cannot send a second one.
            models.UniqueConstraint(
                fields=["action"], condition=_OPEN, name="one_open_core_request_per_action"
            ),
            models.UniqueConstraint(
                fields=["freeze_request"],
                condition=_OPEN,
                name="one_open_core_request_per_freeze_request",
            ),
            models.UniqueConstraint(
                fields=["freeze_case"],
                condition=_OPEN,
                name="one_open_core_request_per_freeze_case",
            ),
            # Exactly one owner: the answer goes to one place.
            models.CheckConstraint(
                name="core_request_has_one_owner",
                condition=(
                    Q(action__isnull=False, freeze_request__isnull=True, freeze_case__isnull=True)
                    | Q(action__isnull=True, freeze_request__isnull=False, freeze_case__isnull=True)
                    | Q(action__isnull=True, freeze_request__isnull=True, freeze_case__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"

    @property
    def owner(self) -> CoreOwner:
        """Which owner column is set."""
        if self.action_id is not None:
            return CoreOwner.ACTION
        if self.freeze_request_id is not None:
            return CoreOwner.FREEZE_REQUEST
        return CoreOwner.FREEZE_CASE
