"""Documents a customer hands in, their withdrawals and downloads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models.base import DeskModel
from incidents.models.case import Case
from incidents.models.choices import (
    AttachmentKind,
)
from incidents.models.querysets import RestrictedQuerySet


class Attachment(DeskModel):
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


class AttachmentWithdrawal(DeskModel):
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


class AttachmentDownload(DeskModel):
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
