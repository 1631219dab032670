"""Four-eyes decisions: submitted by a preparer, approved or returned by another."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import selectors
from compensation.choices import DecisionStatus
from compensation.models import Decision
from compensation.services.errors import DecisionError
from compensation.services.findings import _transition
from compensation.services.policy import policy_version_default_ensure
from incidents.cases.edits import EditStamp, case_edit
from incidents.cases.services.timeline import bank_language, in_bank_language, timeline_record
from incidents.models import Case, User
from incidents.models.choices import CaseStatus, EventKind

# --- Four eyes ---------------------------------------------------------------------------------


def _case_for_rules(case_id: int) -> Case:
    """The (already locked) case with the rows the rules read."""
    return (
        Case.objects.select_related("branch")
        .prefetch_related("items", "transactions__item")
        .get(pk=case_id)
    )


def decision_submit(
    *, case: Case, user: User, note: str = "", stamp: EditStamp | None = None
) -> Decision:
    """Submit a case's compensation for a second person's review (the submitter is the preparer).

    The decision keeps the fingerprint of what the preparer submitted and the findings' version:
    what is approved must be exactly that.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="decision_submit"):
        case = _case_for_rules(case.pk)
        note = (note or "").strip()
        decisions = selectors.case_decisions(case)
        if selectors.decision_open(decisions) is not None:
            raise DecisionError([_("この事故はすでに審査中です。")])
        if not selectors.can_prepare(user, case):
            raise PermissionDenied(
                _("補償の審査依頼は、この事故の担当者または取扱店の役席が行います。")
            )
        current = selectors.decision_current(decisions)
        if case.status == CaseStatus.DECIDED and not note:
            raise DecisionError(
                [
                    _(
                        "承認済みの補償決定を変更する理由を入力してください（新しい決定として審査します）。"
                    )
                ]
            )
        evaluation = selectors.case_evaluate(case)
        assessment = evaluation.case_facts.assessment
        number = (Decision.objects.filter(case=case).aggregate(last=Max("number"))["last"] or 0) + 1
        decision = Decision.objects.create(
            case=case,
            number=number,
            status=DecisionStatus.SUBMITTED,
            prepared_by=user,
            prepared_at=timezone.now(),
            preparer_note=note,
            submitted_fingerprint=evaluation.fingerprint,
            findings_version=assessment.version if assessment is not None else 0,
        )

        def describe() -> str:
            if current is not None:
                text = _("補償決定 #%(old)s の変更を審査依頼（決定 #%(new)s）") % {
                    "old": current.number,
                    "new": number,
                }
            else:
                text = _("補償の審査を依頼（決定 #%(number)s）") % {"number": number}
            return f"{text}：{note}" if note else text

        _transition(case, user, CaseStatus.IN_REVIEW, in_bank_language(describe))
    return decision


def _locked_decision(decision: Decision) -> tuple[Decision, Case]:
    case = _case_for_rules(decision.case_id)
    locked = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("prepared_by")
        .get(pk=decision.pk)
    )
    locked.case = case
    return locked, case


def decision_review_check(*, user: User, decision: Decision) -> None:
    """Whether ``user`` may approve or send back ``decision`` (four eyes): raises DecisionError
    with the reason in a supervisor's words, or PermissionDenied."""
    _require_reviewer(user, decision)


def _require_reviewer(user: User, decision: Decision) -> None:
    if user.pk == decision.prepared_by_id:
        raise DecisionError(
            [
                _(
                    "審査を依頼した本人は、この補償決定を承認・差戻しできません（別の役席が審査します）。"
                )
            ]
        )
    if decision.status != DecisionStatus.SUBMITTED:
        raise DecisionError([_("この補償決定はすでに審査済みです。")])
    authors = selectors.finding_authors(decision.case)
    if user.pk in authors:
        raise DecisionError(
            [
                _(
                    "この事故の認定事項（過失・補償率・審査項目）を記録した役席は、"
                    "この補償決定を承認・差戻しできません（別の役席が審査します）。"
                )
            ]
        )
    if not selectors.can_review(user, decision, authors=authors):
        raise PermissionDenied(_("補償決定の承認・差戻しは、取扱店の役席が行います。"))


def decision_approve(
    *,
    decision: Decision,
    user: User,
    expected_fingerprint: str | None = None,
    stamp: EditStamp | None = None,
) -> Decision:
    """Approve a decision as a second supervisor: freeze the facts, the result and the rule set.

    Refused unless what is approved is exactly what the preparer submitted (the fingerprint of
    facts, rates and rules at submission) and what the reviewer saw (``expected_fingerprint``).
    """
    with case_edit(case=decision.case_id, user=user, stamp=stamp, action="decision_approve"):
        decision, case = _locked_decision(decision)
        _require_reviewer(user, decision)
        if selectors.policy_version_in_force(on=case.notified_on) is None:
            policy_version_default_ensure()
        # The stored result is the decision's record: its sentences are in the institution's
        # language.
        with bank_language():
            evaluation = selectors.case_evaluate(case)
            result = evaluation.result_document()
        problems = selectors.evaluation_approval_problems(evaluation)
        if problems:
            raise DecisionError(problems)
        if decision.submitted_fingerprint and decision.submitted_fingerprint != (
            evaluation.fingerprint
        ):
            raise DecisionError(
                [
                    _(
                        "審査依頼の後に事実・認定または補償率が変更されたため、承認できません。"
                        "差し戻して、審査依頼者（%(name)s）がもう一度審査依頼してください。"
                    )
                    % {"name": decision.prepared_by.display_name}
                ]
            )
        if expected_fingerprint is not None and expected_fingerprint != evaluation.fingerprint:
            raise DecisionError(
                [
                    _(
                        "審査画面を開いた後に内容が変更されました。最新の内容を確認のうえ、"
                        "もう一度承認してください。"
                    )
                ]
            )
        current = selectors.decision_current(selectors.case_decisions(case))
        now = timezone.now()
        updated = Decision.objects.filter(pk=decision.pk, status=DecisionStatus.SUBMITTED).update(
            status=DecisionStatus.APPROVED,
            reviewed_by=user,
            reviewed_at=now,
            supersedes=current,
            policy=evaluation.policy_version,
            notified_on=evaluation.case_facts.facts.notified_on,
            facts=evaluation.snapshot,
            result=result,
            rules_version=evaluation.assessment.rules_version,
            outcome=evaluation.outcome,
            claimed_total=evaluation.claimed_total,
            compensation_total=evaluation.compensation_total,
        )
        if updated != 1:
            raise DecisionError([_("この補償決定はすでに審査済みです。")])
        decision.refresh_from_db()

        def describe() -> str:
            text = _("補償決定 #%(number)s を承認（%(outcome)s、補償額 %(total)s円）") % {
                "number": decision.number,
                "outcome": decision.get_outcome_display(),
                "total": f"{decision.compensation_total:,}",
            }
            if current is not None:
                text += _("。決定 #%(old)s を変更") % {"old": current.number}
            return text

        _transition(case, user, CaseStatus.DECIDED, in_bank_language(describe))
    return decision


def decision_return(
    *, decision: Decision, user: User, comment: str, stamp: EditStamp | None = None
) -> Decision:
    """Send a decision back to its preparer with a comment (the case goes back to investigation)."""
    with case_edit(case=decision.case_id, user=user, stamp=stamp, action="decision_return"):
        decision, case = _locked_decision(decision)
        _require_reviewer(user, decision)
        comment = (comment or "").strip()
        if not comment:
            raise DecisionError([_("差戻しの理由（コメント）を入力してください。")])
        updated = Decision.objects.filter(pk=decision.pk, status=DecisionStatus.SUBMITTED).update(
            status=DecisionStatus.RETURNED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
            review_comment=comment,
        )
        if updated != 1:
            raise DecisionError([_("この補償決定はすでに審査済みです。")])
        decision.refresh_from_db()
        _transition(
            case,
            user,
            CaseStatus.INVESTIGATING,
            in_bank_language(
                lambda: (
                    _("補償決定 #%(number)s を差戻し：%(comment)s")
                    % {"number": decision.number, "comment": comment}
                )
            ),
        )
    return decision


def case_mark_paid(
    *,
    case: Case,
    user: User,
    paid_on: datetime.date,
    reference: str = "",
    stamp: EditStamp | None = None,
) -> Case:
    """Record that the approved compensation was paid to the customer (decided → paid)."""
    with case_edit(case=case, user=user, stamp=stamp, action="paid"):
        case = _case_for_rules(case.pk)
        current = selectors.decision_current(selectors.case_decisions(case))
        if current is None or not selectors.can_mark_paid(user, case, current):
            if current is not None and not current.compensation_total:
                raise DecisionError([_("補償額が0円のため、支払の記録はできません。")])
            raise PermissionDenied(_("補償金の支払は、取扱店の職員が記録します。"))
        if paid_on > timezone.localdate():
            raise DecisionError([_("未来の日付は入力できません。")])
        reference = (reference or "").strip()

        def describe() -> str:
            text = _("補償金 %(total)s円 を支払（%(date)s、補償決定 #%(number)s）") % {
                "total": f"{current.compensation_total:,}",
                "date": paid_on.strftime("%Y/%m/%d"),
                "number": current.number,
            }
            if reference:
                text += _("　振込受付番号：%(reference)s") % {"reference": reference}
            return text

        case = _transition(case, user, CaseStatus.PAID, in_bank_language(describe))
    return case


def decision_letter_record(*, decision: Decision, user: User) -> None:
    """Note on the timeline that the decision letter was shown for printing."""
    timeline_record(
        case=decision.case,
        actor=user,
        kind=EventKind.NOTE,
        message=in_bank_language(
            lambda: (
                _("「補償に関するご連絡」を表示（補償決定 #%(number)s）")
                % {"number": decision.number}
            )
        ),
        data={"compensation": "letter", "decision": decision.pk},
    )
