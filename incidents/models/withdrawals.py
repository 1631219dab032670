"""A request to withdraw a report whose stops are in force, confirmed by a supervisor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.case import Case
from incidents.models.choices import WithdrawalState
from incidents.models.items import ProtectiveAction
from incidents.models.querysets import RestrictedQuerySet


class WithdrawalRequest(DeskModel):
    """A teller's request to withdraw a draft with stops in force, naming the stops to lift;
    a supervisor of the branch other than the requester confirms or rejects it (four eyes)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="withdrawal_requests")
    reason = models.CharField(_("取下げの理由"), max_length=400)
    stops = models.ManyToManyField(
        ProtectiveAction, verbose_name=_("解除する措置"), related_name="withdrawal_requests"
    )
    state = models.CharField(
        _("状態"),
        max_length=10,
        choices=WithdrawalState.choices,
        default=WithdrawalState.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申請日時"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    decision_comment = models.CharField(_("役席のコメント"), max_length=400, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("取下げ申請")
        verbose_name_plural = _("取下げ申請")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per case: a second one waits for the first to be decided.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state="pending"),
                name="one_pending_withdrawal_per_case",
            ),
            # Four eyes, kept by the database too: the requester never decides their request.
            models.CheckConstraint(
                name="withdrawal_decided_by_another",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_state_display()}"
