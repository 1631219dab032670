"""Writes of the receiving side of the Remedy Act (docs/domain.md §9.1): open a freeze case (the
stop through the core-banking interface), record the notice and the application period, record
and decide the victims' applications, and the four-eyes distribution decision.

Every write locks the freeze case and checks the version its form was rendered from: a stale
form, or the same form posted twice, changes nothing (StaleFreezeError).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import rules
from compensation.choices import ApplicationStatus, DecisionStatus, FreezeStatus
from compensation.models import (
    DistributionDecision,
    FreezeCase,
    RemedyApplication,
    RemedyEvidence,
)
from compensation.selectors import remedy as read
from compensation.services.errors import DecisionError
from incidents.attachments import storage
from incidents.cases.corebanking import CoreBankingUnavailable, StopRequest, get_adapter
from incidents.models.choices import ActionKind


class StaleFreezeError(DecisionError):
    """The form was rendered from another version of the freeze case (or was posted twice)."""

    def __init__(self) -> None:
        super().__init__(
            [
                _(
                    "この口座凍結は他の操作で更新されています。最新の内容を確認してから操作してください。"
                )
            ]
        )


def _locked(freeze: FreezeCase, version: int | None) -> FreezeCase:
    """The freeze case locked for the write, refused when the form's version is not its own."""
    current = FreezeCase.objects.select_for_update().get(pk=freeze.pk)
    if version is not None and version != current.version:
        raise StaleFreezeError
    return current


def _save(freeze: FreezeCase, fields: list[str]) -> None:
    freeze.version += 1
    freeze.save(update_fields=[*fields, "version"])


def _require(user: Any, freeze: FreezeCase) -> None:
    if not read.can_work_freeze(user, freeze):
        raise DecisionError([_("この口座凍結を操作できるのは担当店の役席です。")])


@transaction.atomic
def freeze_case_open(*, user: Any, key: str, balance: int, note: str = "") -> FreezeCase:
    """Open a freeze case from a freeze candidate and freeze the account through the core system."""
    if not read.can_open_freeze(user):
        raise DecisionError([_("口座凍結を起票できるのは役席です。")])
    if balance < 0:
        raise DecisionError([_("残高は0円以上で入力してください。")])
    account = read.freeze_candidate(user=user, key=key)
    if account is None:
        raise DecisionError([_("この口座は凍結の候補にありません。")])
    if FreezeCase.objects.filter(payee_key=key).exclude(status=FreezeStatus.DECIDED).exists():
        raise DecisionError([_("この口座はすでに凍結されています。")])
    now = timezone.now()
    try:
        with transaction.atomic():
            freeze = FreezeCase.objects.create(
                payee_key=key,
                bank=account.bank[:60],
                account_branch=account.branch[:60],
                account_number=account.account_number[:20],
                account_name=account.account_name[:100],
                branch_id=user.branch_id,
                balance=balance,
                stop_reference="",
                frozen_at=now,
                opened_by=user,
                note=note,
            )
    except IntegrityError:  # a concurrent open of the same account won
        raise DecisionError([_("この口座はすでに凍結されています。")]) from None
    # The freeze is a payment stop on the receiving account, carried out by the core system.
    try:
        result = get_adapter().perform_stop(
            StopRequest(
                case_id=freeze.pk,
                action_kind=ActionKind.PAYMENT_STOP,
                account_branch=freeze.account_branch,
                account_number=freeze.account_number,
                requested_by=user.username,
            )
        )
    except CoreBankingUnavailable:
        # Nothing is opened (this transaction rolls back): a freeze needs the core's confirmation.
        raise DecisionError(
            [_("勘定系で口座の凍結を確認できませんでした。時間をおいてもう一度操作してください。")]
        ) from None
    freeze.stop_reference, freeze.frozen_at = result.reference, result.performed_at
    freeze.save(update_fields=["stop_reference", "frozen_at"])
    return freeze


@transaction.atomic
def freeze_notice_record(
    *,
    freeze: FreezeCase,
    user: Any,
    version: int | None,
    requested_on: datetime.date,
    reference: str,
    starts_on: datetime.date,
) -> FreezeCase:
    """Record the request to the Deposit Insurance Corporation and the notice it published."""
    freeze = _locked(freeze, version)
    _require(user, freeze)
    if freeze.status != FreezeStatus.FROZEN:
        raise DecisionError([_("公告はすでに記録されています。")])
    if starts_on < requested_on:
        raise DecisionError([_("公告日は公告の求めの日以降の日付を入力してください。")])
    periods = read.remedy_periods(on=starts_on)
    freeze.notice_requested_on, freeze.notice_reference = requested_on, reference
    freeze.notice_starts_on = starts_on
    freeze.notice_ends_on = read.period_end(starts_on, periods.notice_days)
    freeze.status = FreezeStatus.NOTICE
    _save(
        freeze,
        ["notice_requested_on", "notice_reference", "notice_starts_on", "notice_ends_on", "status"],
    )
    return freeze


@transaction.atomic
def freeze_applications_open(
    *, freeze: FreezeCase, user: Any, version: int | None, opens_on: datetime.date
) -> FreezeCase:
    """Record the application period for distribution, which opens after the notice ends."""
    freeze = _locked(freeze, version)
    _require(user, freeze)
    if freeze.status != FreezeStatus.NOTICE or freeze.notice_ends_on is None:
        raise DecisionError([_("申請期間は公告の記録の後に設定します。")])
    if opens_on <= freeze.notice_ends_on:
        raise DecisionError(
            [
                _("申請期間は公告期間の満了日（%(day)s）の翌日以降に始まります。")
                % {"day": freeze.notice_ends_on.strftime("%Y/%m/%d")}
            ]
        )
    periods = read.remedy_periods(on=opens_on)
    freeze.application_opens_on = opens_on
    freeze.application_ends_on = read.period_end(opens_on, periods.application_days)
    freeze.status = FreezeStatus.APPLICATIONS
    _save(freeze, ["application_opens_on", "application_ends_on", "status"])
    return freeze


@transaction.atomic
def application_record(
    *,
    freeze: FreezeCase,
    user: Any,
    version: int | None,
    applicant_name: str,
    applicant_contact: str,
    received_on: datetime.date,
    claimed_amount: int,
) -> RemedyApplication:
    """Record a victim's application for distribution on the freeze case."""
    freeze = _locked(freeze, version)
    _require(user, freeze)
    if freeze.status != FreezeStatus.APPLICATIONS:
        raise DecisionError([_("申請は申請期間を設定した後に記録します。")])
    if claimed_amount < 1:
        raise DecisionError([_("被害額は1円以上で入力してください。")])
    application = RemedyApplication.objects.create(
        freeze_case=freeze,
        applicant_name=applicant_name,
        applicant_contact=applicant_contact,
        received_on=received_on,
        claimed_amount=claimed_amount,
        recorded_by=user,
    )
    _save(freeze, [])
    return application


@transaction.atomic
def application_decide(
    *,
    application: RemedyApplication,
    user: Any,
    version: int | None,
    accept: bool,
    reason: str,
) -> RemedyApplication:
    """Accept or reject an application, with the reason."""
    freeze = _locked(application.freeze_case, version)
    _require(user, freeze)
    if freeze.status != FreezeStatus.APPLICATIONS:
        raise DecisionError([_("分配の決定の後は申請の決定を変更できません。")])
    if read.distribution_current(freeze) is not None:
        raise DecisionError([_("分配の決定が審査中のため、申請の決定を変更できません。")])
    if not reason.strip():
        raise DecisionError([_("決定の理由を入力してください。")])
    application = RemedyApplication.objects.select_for_update().get(pk=application.pk)
    application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.REJECTED
    application.decision_reason = reason.strip()
    application.decided_by, application.decided_at = user, timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    _save(freeze, [])
    return application


@transaction.atomic
def evidence_add(
    *, application: RemedyApplication, user: Any, version: int | None, upload: Any
) -> RemedyEvidence:
    """Keep a document supporting an application (the attachments feature's checks and storage).

    Raises ``storage.AttachmentRefused`` for a file that is empty, too big or not PDF/JPEG/PNG.
    """
    freeze = _locked(application.freeze_case, version)
    _require(user, freeze)
    if freeze.status != FreezeStatus.APPLICATIONS:
        raise DecisionError([_("証拠書類は申請期間の設定後、分配の決定までに添付します。")])
    stored = storage.store(upload)
    try:
        evidence = RemedyEvidence.objects.create(
            application=application,
            original_name=(getattr(upload, "name", "") or "document")[:200],
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=user,
        )
        _save(freeze, [])
    except BaseException:
        storage.discard(stored.storage_name)
        raise
    return evidence


def distribution_input(freeze: FreezeCase) -> dict[str, Any]:
    """The rules' input for the freeze case: the frozen balance and the accepted claims."""
    accepted = freeze.applications.filter(status=ApplicationStatus.ACCEPTED).order_by("pk")
    return {
        "balance": freeze.balance,
        "claims": [{"id": str(a.pk), "amount": a.claimed_amount} for a in accepted],
    }


@transaction.atomic
def distribution_submit(
    *, freeze: FreezeCase, user: Any, version: int | None, today: datetime.date | None = None
) -> DistributionDecision:
    """Compute the distribution with the rules engine and submit it for a second supervisor."""
    freeze = _locked(freeze, version)
    _require(user, freeze)
    today = today or timezone.localdate()
    if freeze.status != FreezeStatus.APPLICATIONS or freeze.application_ends_on is None:
        raise DecisionError([_("分配は申請期間を設定した後に決定します。")])
    problems = []
    if today <= freeze.application_ends_on:
        problems.append(
            _("申請期間（%(day)s まで）が終わってから分配を決定します。")
            % {"day": freeze.application_ends_on.strftime("%Y/%m/%d")}
        )
    if read.freeze_pending_count(freeze):
        problems.append(_("未決定の申請があります。すべての申請を認容または却下してください。"))
    if read.distribution_current(freeze) is not None:
        problems.append(_("分配の決定はすでに審査中です。"))
    if problems:
        raise DecisionError(problems)
    facts = distribution_input(freeze)
    result = rules.distribution_to_dict(rules.distribute(rules.parse_distribution(facts)))
    decision = DistributionDecision.objects.create(
        freeze_case=freeze, balance=freeze.balance, facts=facts, result=result, prepared_by=user
    )
    _save(freeze, [])
    return decision


def _reviewable(decision: DistributionDecision, user: Any, version: int | None) -> FreezeCase:
    freeze = _locked(decision.freeze_case, version)
    _require(user, freeze)
    decision.refresh_from_db()
    if decision.status != DecisionStatus.SUBMITTED:
        raise DecisionError([_("この分配の決定は審査中ではありません。")])
    if decision.prepared_by_id == user.pk:
        raise DecisionError([_("起案者とは別の役席が審査します（四つの目）。")])
    return freeze


@transaction.atomic
def distribution_approve(
    *, decision: DistributionDecision, user: Any, version: int | None
) -> DistributionDecision:
    """Approve the distribution (four eyes: not its preparer); the freeze case is then decided."""
    freeze = _reviewable(decision, user, version)
    decision.status = DecisionStatus.APPROVED
    decision.reviewed_by, decision.reviewed_at = user, timezone.now()
    decision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    freeze.status = FreezeStatus.DECIDED
    _save(freeze, ["status"])
    return decision


@transaction.atomic
def distribution_return(
    *, decision: DistributionDecision, user: Any, version: int | None, comment: str
) -> DistributionDecision:
    """Send the distribution back to its preparer with a comment."""
    if not comment.strip():
        raise DecisionError([_("差戻しの理由を入力してください。")])
    freeze = _reviewable(decision, user, version)
    decision.status = DecisionStatus.RETURNED
    decision.reviewed_by, decision.reviewed_at = user, timezone.now()
    decision.review_comment = comment.strip()
    decision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    _save(freeze, [])
    return decision
