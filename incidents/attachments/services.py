"""Documents attached to a case, their downloads and their withdrawal."""

from __future__ import annotations

from incidents.access.predicates import attachment_may_withdraw
from incidents.attachments import storage as attachment_files
from incidents.cases.edits import EditStamp, case_edit, case_unchanged
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import (
    Attachment,
    AttachmentDownload,
    AttachmentWithdrawal,
    Case,
    User,
)
from incidents.models.choices import (
    EventKind,
)


def attachment_add(
    *,
    case: Case,
    user: User,
    kind: str,
    upload,
    note: str = "",
    stamp: EditStamp | None = None,
) -> Attachment:
    """Store a document the customer handed in and record it on the case's timeline.

    Raises ``attachments.AttachmentRefused`` for a file that is not PDF, JPEG or PNG by content,
    or too big. The file is written before the row; if the row cannot be saved (or the form was
    stale or already applied), it is removed.
    """
    stored = attachment_files.store(upload)
    try:
        with case_edit(case=case, user=user, stamp=stamp, action="attachment") as current:
            attachment = Attachment.objects.create(
                case=current,
                kind=kind,
                original_name=attachment_files.safe_download_name(
                    upload.name or "", stored.extension
                ),
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_name=stored.storage_name,
                note=note,
                uploaded_by=user,
            )
            timeline_record(
                case=current,
                actor=user,
                kind=EventKind.ATTACHMENT_ADDED,
                message=f"{in_bank_language(attachment.get_kind_display)}：{attachment.original_name}",
                data={"attachment": attachment.pk, "sha256": stored.sha256},
            )
    except BaseException:
        attachment_files.discard(stored.storage_name)
        raise
    return attachment


def attachment_download_record(
    *, attachment: Attachment, user: User, ip_address: str | None
) -> AttachmentDownload:
    """Log one download of an attachment (append-only)."""
    return AttachmentDownload.objects.create(
        attachment=attachment, user=user, ip_address=ip_address
    )


class AttachmentWithdrawalError(Exception):
    """Only a supervisor of the case's branch may withdraw a document from the case."""


def attachment_withdraw(
    *, attachment: Attachment, user: User, reason: str, stamp: EditStamp | None = None
) -> AttachmentWithdrawal:
    """Withdraw a document attached by mistake, with the reason, and note it on the timeline.

    The document and its record are kept for the auditors; only compliance can still download
    it. Withdrawing it again (a second click, another supervisor) changes nothing and returns
    the first withdrawal.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("a withdrawal needs a reason")
    case = attachment.case
    if not attachment_may_withdraw(user=user, case=case):
        raise AttachmentWithdrawalError
    with case_edit(case=case, user=user, stamp=stamp, action="attachment_withdraw") as current:
        withdrawal, created = AttachmentWithdrawal.objects.get_or_create(
            attachment=attachment, defaults={"withdrawn_by": user, "reason": reason}
        )
        if created:
            timeline_record(
                case=current,
                actor=user,
                kind=EventKind.ATTACHMENT_WITHDRAWN,
                message=(
                    f"{in_bank_language(attachment.get_kind_display)}：{attachment.original_name}"
                    f"（理由：{reason}）"
                ),
                data={"attachment": attachment.pk, "sha256": attachment.sha256},
            )
        else:
            case_unchanged(current)
    return withdrawal
