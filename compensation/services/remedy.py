"""Writes of the receiving side of the Remedy Act (docs/domain.md §9.1): open a freeze case (the
stop through the core-banking interface), record the notice and the application period, record
and decide the victims' applications, and the four-eyes distribution decision.

Every write to a freeze case goes through ``freeze_edit`` (compensation.services.freeze_guard,
the case desk's guarded path on the freeze case's row): a stale form is refused
(StaleFreezeError), the same form posted twice changes nothing (EditReplayed), and the write is
put on the freeze case's timeline.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import rules
from compensation.choices import (
    ApplicationStatus,
    DecisionStatus,
    FreezeEventKind,
    FreezePeriod,
    FreezeStatus,
)
from compensation.models import (
    DistributionDecision,
    FreezeCase,
    RemedyApplication,
    RemedyEvidence,
)
from compensation.selectors import remedy as read
from compensation.services.errors import DecisionError
from compensation.services.freeze_core import freeze_core_request
from compensation.services.freeze_guard import freeze_edit, freeze_event_record
from compensation.services.freeze_reminders import (
    freeze_reminders_cancel,
    freeze_reminders_schedule,
)
from incidents.attachments import storage
from incidents.cases.edits import EditStamp
from incidents.cases.services.timeline import bank_language


@transaction.atomic
def freeze_case_open(*, user: Any, key: str, balance: int, note: str = "") -> FreezeCase:
    """Open a freeze case from a freeze candidate at our own bank and ask the core to freeze the
    account (through the outbox: the case is 凍結依頼中 until the core confirms)."""
    if not read.can_open_freeze(user):
        raise DecisionError([_("口座凍結を起票できるのは役席です。")])
    if balance < 0:
        raise DecisionError([_("残高は0円以上で入力してください。")])
    account = read.freeze_candidate(user=user, key=key)
    if account is None:
        raise DecisionError([_("この口座は凍結の候補にありません。")])
    problems = read.freeze_candidate_problems(account)
    if problems:
        raise DecisionError(problems)
    if FreezeCase.objects.filter(payee_key=key).exclude(status=FreezeStatus.DECIDED).exists():
        raise DecisionError([_("この口座はすでに凍結されています。")])
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
                status=FreezeStatus.REQUESTED,
                stop_reference="",
                frozen_at=None,
                opened_by=user,
                note=note,
            )
    except IntegrityError:  # a concurrent open of the same account won
        raise DecisionError([_("この口座はすでに凍結されています。")]) from None
    # The freeze is a payment stop on the receiving account, carried out by the core system: it
    # leaves through the outbox once this transaction commits (never a call inside it).
    freeze_core_request(freeze=freeze, user=user, first=True)
    return freeze


def _day(day: datetime.date) -> str:
    return day.strftime("%Y/%m/%d")


def freeze_notice_record(
    *,
    freeze: FreezeCase,
    user: Any,
    stamp: EditStamp | None,
    requested_on: datetime.date,
    reference: str,
    starts_on: datetime.date,
) -> FreezeCase:
    """Record the request to the Deposit Insurance Corporation and the notice it published."""
    with freeze_edit(freeze=freeze, user=user, stamp=stamp, action="freeze_notice") as current:
        if current.status in (FreezeStatus.REQUESTED, FreezeStatus.REFUSED):
            raise DecisionError([_("公告は勘定系で口座の凍結が確認された後に記録します。")])
        if current.status != FreezeStatus.FROZEN:
            raise DecisionError([_("公告はすでに記録されています。")])
        if starts_on < requested_on:
            raise DecisionError([_("公告日は公告の求めの日以降の日付を入力してください。")])
        periods = read.remedy_periods(on=starts_on)
        current.notice_requested_on, current.notice_reference = requested_on, reference
        current.notice_starts_on = starts_on
        current.notice_ends_on = read.period_end(starts_on, periods.notice_days)
        current.status = FreezeStatus.NOTICE
        current.save(
            update_fields=[
                "notice_requested_on",
                "notice_reference",
                "notice_starts_on",
                "notice_ends_on",
                "status",
            ]
        )
        freeze_reminders_schedule(
            freeze=current, period=FreezePeriod.NOTICE, last_day=current.notice_ends_on
        )
        with bank_language():
            message = _("公告（受付番号 %(ref)s）：%(start)s から %(end)s まで。") % {
                "ref": reference,
                "start": _day(starts_on),
                "end": _day(current.notice_ends_on),
            }
        freeze_event_record(
            freeze=current, actor=user, kind=FreezeEventKind.NOTICE_RECORDED, message=message
        )
    return current


def freeze_applications_open(
    *, freeze: FreezeCase, user: Any, stamp: EditStamp | None, opens_on: datetime.date
) -> FreezeCase:
    """Record the application period for distribution, which opens after the notice ends."""
    with freeze_edit(
        freeze=freeze, user=user, stamp=stamp, action="freeze_applications"
    ) as current:
        if current.status != FreezeStatus.NOTICE or current.notice_ends_on is None:
            raise DecisionError([_("申請期間は公告の記録の後に設定します。")])
        if opens_on <= current.notice_ends_on:
            raise DecisionError(
                [
                    _("申請期間は公告期間の満了日（%(day)s）の翌日以降に始まります。")
                    % {"day": _day(current.notice_ends_on)}
                ]
            )
        periods = read.remedy_periods(on=opens_on)
        current.application_opens_on = opens_on
        current.application_ends_on = read.period_end(opens_on, periods.application_days)
        current.status = FreezeStatus.APPLICATIONS
        current.save(update_fields=["application_opens_on", "application_ends_on", "status"])
        # The notice's "ended" reminder asks for this very step: it is done.
        freeze_reminders_cancel(freeze=current, period=FreezePeriod.NOTICE)
        freeze_reminders_schedule(
            freeze=current,
            period=FreezePeriod.APPLICATION,
            last_day=current.application_ends_on,
        )
        with bank_language():
            message = _("分配金の申請期間：%(start)s から %(end)s まで。") % {
                "start": _day(opens_on),
                "end": _day(current.application_ends_on),
            }
        freeze_event_record(
            freeze=current, actor=user, kind=FreezeEventKind.APPLICATIONS_OPENED, message=message
        )
    return current


def application_record(
    *,
    freeze: FreezeCase,
    user: Any,
    stamp: EditStamp | None,
    applicant_name: str,
    applicant_contact: str,
    received_on: datetime.date,
    claimed_amount: int,
) -> RemedyApplication:
    """Record a victim's application for distribution on the freeze case."""
    with freeze_edit(freeze=freeze, user=user, stamp=stamp, action="remedy_application") as current:
        if current.status != FreezeStatus.APPLICATIONS:
            raise DecisionError([_("申請は申請期間を設定した後に記録します。")])
        if read.distribution_current(current) is not None:
            # The reviewer approves the facts the preparer computed: none may be added under them.
            raise DecisionError(
                [
                    _(
                        "分配の決定が審査中のため、申請を記録できません。差し戻した後に記録してください。"
                    )
                ]
            )
        if claimed_amount < 1:
            raise DecisionError([_("被害額は1円以上で入力してください。")])
        application = RemedyApplication.objects.create(
            freeze_case=current,
            applicant_name=applicant_name,
            applicant_contact=applicant_contact,
            received_on=received_on,
            claimed_amount=claimed_amount,
            recorded_by=user,
        )
        with bank_language():
            message = _("%(name)s（被害額 %(amount)s円、受付日 %(day)s）") % {
                "name": applicant_name,
                "amount": f"{claimed_amount:,}",
                "day": _day(received_on),
            }
        freeze_event_record(
            freeze=current,
            actor=user,
            kind=FreezeEventKind.APPLICATION_RECORDED,
            message=message,
            data={"application": application.pk},
        )
    return application


def application_decide(
    *,
    application: RemedyApplication,
    user: Any,
    stamp: EditStamp | None,
    accept: bool,
    reason: str,
) -> RemedyApplication:
    """Accept or reject an application, with the reason."""
    with freeze_edit(
        freeze=application.freeze_case, user=user, stamp=stamp, action="remedy_decide"
    ) as current:
        if current.status != FreezeStatus.APPLICATIONS:
            raise DecisionError([_("分配の決定の後は申請の決定を変更できません。")])
        if read.distribution_current(current) is not None:
            raise DecisionError([_("分配の決定が審査中のため、申請の決定を変更できません。")])
        if not reason.strip():
            raise DecisionError([_("決定の理由を入力してください。")])
        application = RemedyApplication.objects.select_for_update().get(pk=application.pk)
        application.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.REJECTED
        application.decision_reason = reason.strip()
        application.decided_by, application.decided_at = user, timezone.now()
        application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
        with bank_language():
            message = _("%(name)s：%(decision)s（理由：%(reason)s）") % {
                "name": application.applicant_name,
                "decision": application.get_status_display(),
                "reason": application.decision_reason,
            }
        freeze_event_record(
            freeze=current,
            actor=user,
            kind=FreezeEventKind.APPLICATION_DECIDED,
            message=message,
            data={"application": application.pk, "status": application.status},
        )
    return application


def evidence_add(
    *, application: RemedyApplication, user: Any, stamp: EditStamp | None, upload: Any
) -> RemedyEvidence:
    """Keep a document supporting an application (the attachments feature's checks and storage).

    Raises ``storage.AttachmentRefused`` for a file that is empty, too big or not PDF/JPEG/PNG.
    """
    with freeze_edit(
        freeze=application.freeze_case, user=user, stamp=stamp, action="remedy_evidence"
    ) as current:
        if current.status != FreezeStatus.APPLICATIONS:
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
            with bank_language():
                message = _("%(name)s の証拠書類「%(file)s」") % {
                    "name": application.applicant_name,
                    "file": evidence.original_name,
                }
            freeze_event_record(
                freeze=current,
                actor=user,
                kind=FreezeEventKind.EVIDENCE_ADDED,
                message=message,
                data={"application": application.pk, "evidence": evidence.pk},
            )
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


def distribution_submit(
    *,
    freeze: FreezeCase,
    user: Any,
    stamp: EditStamp | None,
    today: datetime.date | None = None,
) -> DistributionDecision:
    """Compute the distribution with the rules engine and submit it for a second supervisor."""
    with freeze_edit(
        freeze=freeze, user=user, stamp=stamp, action="distribution_submit"
    ) as current:
        today = today or timezone.localdate()
        if current.status != FreezeStatus.APPLICATIONS or current.application_ends_on is None:
            raise DecisionError([_("分配は申請期間を設定した後に決定します。")])
        problems = []
        if today <= current.application_ends_on:
            problems.append(
                _("申請期間（%(day)s まで）が終わってから分配を決定します。")
                % {"day": _day(current.application_ends_on)}
            )
        if read.freeze_pending_count(current):
            problems.append(_("未決定の申請があります。すべての申請を認容または却下してください。"))
        if read.distribution_current(current) is not None:
            problems.append(_("分配の決定はすでに審査中です。"))
        if problems:
            raise DecisionError(problems)
        facts = distribution_input(current)
        result = rules.distribution_to_dict(rules.distribute(rules.parse_distribution(facts)))
        decision = DistributionDecision.objects.create(
            freeze_case=current,
            balance=current.balance,
            facts=facts,
            result=result,
            prepared_by=user,
        )
        with bank_language():
            message = _("分配額 %(paid)s円、分配されない額 %(left)s円") % {
                "paid": f"{sum(p['amount'] for p in result['payments']):,}",
                "left": f"{result['undistributed']:,}",
            }
        freeze_event_record(
            freeze=current,
            actor=user,
            kind=FreezeEventKind.DISTRIBUTION_SUBMITTED,
            message=message,
            data={"decision": decision.pk},
        )
    return decision


def _reviewable(decision: DistributionDecision, user: Any) -> None:
    decision.refresh_from_db()
    if decision.status != DecisionStatus.SUBMITTED:
        raise DecisionError([_("この分配の決定は審査中ではありません。")])
    refusal = read.distribution_review_refusal(decision=decision, user=user)
    if refusal is not None:
        raise DecisionError([refusal])


def _facts_unchanged(decision: DistributionDecision, freeze: FreezeCase) -> None:
    """Four eyes over the facts: what is approved is what was submitted (balance, accepted
    claims), with no application left undecided; else the approval is refused."""
    if read.freeze_pending_count(freeze) or distribution_input(freeze) != decision.facts:
        raise DecisionError(
            [
                _(
                    "提出後に申請または残高が変わりました。差し戻して、起案者が計算し直してから"
                    "審査してください。"
                )
            ]
        )


def distribution_approve(
    *, decision: DistributionDecision, user: Any, stamp: EditStamp | None
) -> DistributionDecision:
    """Approve the distribution (four eyes: not its preparer); the freeze case is then decided."""
    with freeze_edit(
        freeze=decision.freeze_case, user=user, stamp=stamp, action="distribution_approve"
    ) as current:
        _reviewable(decision, user)
        _facts_unchanged(decision, current)
        decision.status = DecisionStatus.APPROVED
        decision.reviewed_by, decision.reviewed_at = user, timezone.now()
        decision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        current.status = FreezeStatus.DECIDED
        current.save(update_fields=["status"])
        freeze_reminders_cancel(freeze=current)
        freeze_event_record(
            freeze=current,
            actor=user,
            kind=FreezeEventKind.DISTRIBUTION_APPROVED,
            data={"decision": decision.pk},
        )
    return decision


def distribution_return(
    *, decision: DistributionDecision, user: Any, stamp: EditStamp | None, comment: str
) -> DistributionDecision:
    """Send the distribution back to its preparer with a comment."""
    if not comment.strip():
        raise DecisionError([_("差戻しの理由を入力してください。")])
    with freeze_edit(
        freeze=decision.freeze_case, user=user, stamp=stamp, action="distribution_return"
    ) as current:
        _reviewable(decision, user)
        decision.status = DecisionStatus.RETURNED
        decision.reviewed_by, decision.reviewed_at = user, timezone.now()
        decision.review_comment = comment.strip()
        decision.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        freeze_event_record(
            freeze=current,
            actor=user,
            kind=FreezeEventKind.DISTRIBUTION_RETURNED,
            message=decision.review_comment,
            data={"decision": decision.pk},
        )
    return decision
