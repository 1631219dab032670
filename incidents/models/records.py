"""The case's records: timeline, guarded edits, looks and refusals, autosaved input."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.case import Case
from incidents.models.choices import (
    EventKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TimelineEvent(DeskModel):
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
    def kind_label(self) -> StrOrPromise:
        try:
            return EventKind(self.kind).label
        except ValueError:
            return self.kind


class CaseAccess(DeskModel):
    """One look at a case by a member of staff (閲覧記録); append-only, the database refuses edits.

    A record kept beside the cases (a freeze case of the Remedy Act) is logged here too, with no
    case and ``record`` saying which one (in the bank's language), so one log answers who read what.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="accesses", null=True, blank=True
    )
    record = models.CharField(_("記録"), max_length=60, blank=True)
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
            models.Index(
                fields=["record", "-at"], name="access_record_at", condition=~Q(record="")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="access_names_a_case_or_a_record",
                condition=Q(case__isnull=False) | ~Q(record=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} → {self.case_id or self.record}"


class IntakeAutosave(DeskModel):
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


class GuardedEdit(DeskModel):
    """What every write through a guarded path records (a case's, a freeze case's): the form's
    one-time ``key`` (a second post of the same form finds its row and changes nothing), who, the
    action, the ``version`` the edit produced and a digest of what was sent. Append-only."""

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
        abstract = True


class CaseEdit(GuardedEdit):
    """One write applied to a case through the guarded path (incidents.cases.edits.case_edit); a
    double click, the back button or a resent request finds its row and changes nothing."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="edits")

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


class AccessRefusal(DeskModel):
    """A request refused to a signed-in member of staff (拒否されたアクセス): every 403, and every
    404 on a URL that names a case (a case outside their scope answers as if it did not exist).
    Written by incidents.audit.refusals.AccessRefusalMiddleware; append-only, the database refuses edits.
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


class CaseMerge(DeskModel):
    """A duplicate report merged into the surviving case, and what moved: the ids of the rows
    that came from the merged case, so an undo moves back exactly those."""

    survivor = models.ForeignKey(
        Case, verbose_name=_("統合先"), on_delete=models.PROTECT, related_name="merges_in"
    )
    merged = models.ForeignKey(
        Case, verbose_name=_("統合された事故"), on_delete=models.PROTECT, related_name="merges_out"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("統合した職員"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("統合日時"), default=timezone.now)
    # The merged case's status before the merge, given back by an undo.
    previous_status = models.CharField(_("統合前の状態"), max_length=20)
    # {"items": [[id, position], …], "actions": [id…], "transactions": [id…],
    #  "deadlines": [id…], "cancelled_deadlines": [[id, state], …]}
    moved = models.JSONField(_("移した行"), default=dict)
    undone_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取り消した職員"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("重複した届出の統合")
        verbose_name_plural = _("重複した届出の統合")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            # A case is merged into one case at a time.
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(undone_at__isnull=True),
                name="one_standing_merge_per_case",
            ),
            models.CheckConstraint(
                name="merge_of_two_cases", condition=~Q(survivor=models.F("merged"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
