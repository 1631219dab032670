"""Writes for compensation: policy versions, the supervisor's findings, and four-eyes decisions."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compensation import rules, selectors
from compensation.choices import DecisionStatus, Fault, TakenBy
from compensation.models import CaseAssessment, CaseByCaseRate, Decision, ItemFault, PolicyVersion
from incidents.cases.edits import EditStamp, case_edit, case_unchanged
from incidents.cases.services.drafts import TransitionError, case_transition
from incidents.cases.services.timeline import timeline_record
from incidents.models import Case, ReportedItem, UnauthorizedTransaction, User
from incidents.models.choices import CaseStatus, EventKind

DEFAULT_POLICY_VALID_FROM = datetime.date(2006, 2, 10)
DEFAULT_POLICY_VALUES: dict[str, Any] = {
    "window_days": 30,
    "stolen_card_negligence_rate": 75,
    "passbook_negligence_rate": 75,
    "online_banking_negligence_rate": None,
    "online_banking_gross_negligence_rate": 0,
    "n3_requires_bank_request": False,
}
POLICY_FIELDS = tuple(DEFAULT_POLICY_VALUES)
FINDINGS_FIELDS = (
    "prompt_notice",
    "explanation",
    "other_theft_evidence",
    "bank_at_fault",
    "taken_by",
    "false_explanation",
    "war_or_riot",
    "unavoidable_days",
    "note",
)


def _in_house(build: Callable[[], str]) -> str:
    """Compose a timeline text in the institution's language: the timeline is an audit record,
    not a screen, so it does not follow the language the member of staff chose."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(build())


class DecisionError(Exception):
    """A compensation step was refused; carries the reasons in the user's words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = [str(p) for p in problems]


class PolicyFrozenError(ValidationError):
    """A policy version used by an approved decision cannot be changed or deleted."""


# --- Policy parameters -------------------------------------------------------------------------


def policy_version_default_ensure() -> PolicyVersion:
    """Make sure the default policy version (the contract's values) exists; return the earliest."""
    version, _created = PolicyVersion.objects.get_or_create(
        valid_from=DEFAULT_POLICY_VALID_FROM,
        defaults={
            **DEFAULT_POLICY_VALUES,
            "note": "預金者保護法（2006年2月10日施行）および全銀協の申し合わせによる既定値",
        },
    )
    return PolicyVersion.objects.order_by("valid_from").first() or version


def policy_version_check_new_valid_from(valid_from: datetime.date) -> None:
    """Refuse a start day on or before an approved decision's notice day (no retroactive change)."""
    earliest = selectors.policy_earliest_new_valid_from()
    if earliest is not None and valid_from < earliest:
        raise ValidationError(
            {
                "valid_from": _(
                    "承認済みの補償決定（通知日 %(last)s）の判定が変わらないよう、"
                    "適用開始日は %(earliest)s 以降にしてください。"
                )
                % {
                    "last": (earliest - datetime.timedelta(days=1)).strftime("%Y/%m/%d"),
                    "earliest": earliest.strftime("%Y/%m/%d"),
                }
            }
        )


@transaction.atomic
def policy_version_create(
    *, user: User | None, valid_from: datetime.date, values: Mapping[str, Any], note: str = ""
) -> PolicyVersion:
    """Add a policy version that applies from ``valid_from`` (a change is always a new version)."""
    policy_version_check_new_valid_from(valid_from)
    version = PolicyVersion(valid_from=valid_from, note=note, created_by=user)
    for name in POLICY_FIELDS:
        setattr(version, name, values.get(name, DEFAULT_POLICY_VALUES[name]))
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def policy_version_update(
    *, version: PolicyVersion, values: Mapping[str, Any], note: str | None = None
) -> PolicyVersion:
    """Correct a policy version that no approved decision has used yet."""
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if selectors.policy_version_is_used(locked):
        raise PolicyFrozenError(
            _(
                "この補償基準は承認済みの補償決定に使われているため変更できません。"
                "変更する場合は、適用開始日を後にした新しい補償基準を登録してください。"
            )
        )
    if "valid_from" in values and values["valid_from"] != locked.valid_from:
        policy_version_check_new_valid_from(values["valid_from"])
        locked.valid_from = values["valid_from"]
    for name in POLICY_FIELDS:
        if name in values:
            setattr(locked, name, values[name])
    if note is not None:
        locked.note = note
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def policy_version_delete(*, version: PolicyVersion) -> None:
    """Delete a policy version that no approved decision has used."""
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if selectors.policy_version_is_used(locked):
        raise PolicyFrozenError(
            _("この補償基準は承認済みの補償決定に使われているため削除できません。")
        )
    locked.delete()


# --- The supervisor's findings -----------------------------------------------------------------


def _require_findings_permission(user: User, case: Case) -> None:
    if not selectors.can_record_findings(user, case):
        raise PermissionDenied(_("補償審査の事実認定は、取扱店の役席が行います。"))


def _yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return _("あり") if value else _("なし")
    return str(value) if value not in ("", None) else "—"


def _describe(name: str, value: Any) -> str:
    if name == "taken_by":
        return str(TakenBy(value).label) if value else _("不明・該当なし")
    return _yes_no(value)


def item_fault_confirm(
    *,
    case: Case,
    item: ReportedItem,
    user: User,
    fault: str,
    reason: str = "",
    stamp: EditStamp | None = None,
) -> ItemFault | None:
    """Confirm one item's fault beside the checklist's suggestion: a findings save of that one
    fault (same guard, same four eyes). Returns None when nothing changed."""
    before = ItemFault.objects.filter(item=item).values_list("pk", "confirmed_at").first()
    findings_save(case=case, user=user, fields={}, faults={item.pk: (fault, reason)}, stamp=stamp)
    record = ItemFault.objects.filter(item=item).first()
    if record is None or (record.pk, record.confirmed_at) == before:
        return None
    return record


def case_by_case_rate_set(
    *,
    case: Case,
    tx: UnauthorizedTransaction,
    user: User,
    rate: int,
    reason: str,
    stamp: EditStamp | None = None,
) -> CaseByCaseRate | None:
    """Set the rate of one transaction the rules leave to be decided case by case, with a reason:
    a findings save of that one rate. Returns None when nothing changed."""
    before = CaseByCaseRate.objects.filter(transaction=tx).values_list("pk", "set_at").first()
    findings_save(case=case, user=user, fields={}, rates={tx.pk: (rate, reason)}, stamp=stamp)
    record = CaseByCaseRate.objects.filter(transaction=tx).first()
    if record is None or (record.pk, record.set_at) == before:
        return None
    return record


def _confirm_fault(
    *, case: Case, item: ReportedItem, user: User, fault: str, reason: str = ""
) -> ItemFault | None:
    """Confirm an item's fault beside the checklist's suggestion; an override needs a reason.

    Returns None when nothing changed. The confirmation, and any override with its reason, is
    recorded on the case timeline (who, when, why).
    """
    if item.case_id != case.pk or item.rules_kind is None:
        raise DecisionError([_("この届出対象には過失の認定は不要です。")])
    if fault not in Fault.values:
        raise DecisionError([_("過失の区分を選んでください。")])
    reason = (reason or "").strip()
    policy = selectors.policy_in_force(on=case.notified_on)
    checklist = frozenset(code for code in case.checklist if code in rules.CHECKLIST_CODES)
    suggested = rules.suggest_fault(item.rules_kind, checklist, policy) or ""
    if fault != suggested and not reason:
        if suggested:
            message = _(
                "%(item)s：チェックリストの判定（%(suggested)s）と異なる認定には理由を入力してください。"
            ) % {"item": item, "suggested": Fault(suggested).label}
        else:
            message = _(
                "%(item)s：チェックリストによる判定がないため、認定の理由を入力してください。"
            ) % {"item": item}
        raise DecisionError([message])
    if fault == suggested:
        reason = ""  # a confirmation of the suggestion is not an override
    existing = ItemFault.objects.select_for_update().filter(item=item).first()
    if (
        existing is not None
        and existing.fault == fault
        and existing.suggested_fault == suggested
        and existing.override_reason == reason
    ):
        return None
    now = timezone.now()
    record, _created = ItemFault.objects.update_or_create(
        item=item,
        defaults={
            "case": case,
            "fault": fault,
            "suggested_fault": suggested,
            "override_reason": reason,
            "confirmed_by": user,
            "confirmed_at": now,
        },
    )

    def describe() -> str:
        if fault == suggested:
            return _("過失を認定：%(item)s　「%(fault)s」（チェックリストの判定どおり）") % {
                "item": item,
                "fault": Fault(fault).label,
            }
        return _(
            "過失の判定と異なる認定：%(item)s　チェックリストの判定「%(suggested)s」→ 認定「%(fault)s」　理由：%(reason)s"
        ) % {
            "item": item,
            "suggested": Fault(suggested).label if suggested else _("判定なし"),
            "fault": Fault(fault).label,
            "reason": reason,
        }

    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.NOTE,
        message=_in_house(describe),
        data={
            "compensation": "fault_override" if fault != suggested else "fault_confirmed",
            "item": item.pk,
            "suggested": suggested or None,
            "fault": fault,
            "reason": reason,
            "at": now.isoformat(),
        },
    )
    return record


def _set_rate(
    *, case: Case, tx: UnauthorizedTransaction, user: User, rate: int, reason: str
) -> CaseByCaseRate | None:
    """Set the rate of a transaction the rules leave to be decided case by case, with a reason."""
    reason = (reason or "").strip()
    problems = []
    if tx.case_id != case.pk:
        problems.append(_("この事故の被害取引ではありません。"))
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 100:
        problems.append(_("補償率は0〜100の整数（％）で入力してください。"))
    if not reason:
        problems.append(_("%(tx)s：補償率の理由を入力してください。") % {"tx": tx})
    if problems:
        raise DecisionError(problems)
    existing = CaseByCaseRate.objects.select_for_update().filter(transaction=tx).first()
    if existing is not None and existing.rate == rate and existing.reason == reason:
        return None
    now = timezone.now()
    record, _created = CaseByCaseRate.objects.update_or_create(
        transaction=tx,
        defaults={"case": case, "rate": rate, "reason": reason, "set_by": user, "set_at": now},
    )
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.NOTE,
        message=_in_house(
            lambda: (
                _("個別判断の補償率を設定：%(tx)s（%(date)s）%(rate)s％　理由：%(reason)s")
                % {
                    "tx": tx,
                    "date": timezone.localtime(tx.occurred_at).strftime("%Y/%m/%d"),
                    "rate": rate,
                    "reason": reason,
                }
            )
        ),
        data={
            "compensation": "case_by_case_rate",
            "transaction": tx.pk,
            "rate": rate,
            "reason": reason,
            "at": now.isoformat(),
        },
    )
    return record


class _NothingChanged(Exception):
    """The posted findings equal the stored ones: nothing to write, nothing to withdraw."""


def findings_save(
    *,
    case: Case,
    user: User,
    fields: Mapping[str, Any],
    faults: Mapping[int, tuple[str, str]] | None = None,
    rates: Mapping[int, tuple[int, str]] | None = None,
    stamp: EditStamp | None = None,
) -> CaseAssessment:
    """Save the supervisor's findings on a case in one go, guarded by the form's stamp.

    ``faults`` maps item ids to (fault, reason), ``rates`` maps transaction ids to (rate, reason).

    Four eyes cover the findings, not only the button: while a decision awaits review, only its
    preparer may change them, and doing so withdraws the pending decision (changed evidence clears
    a pending approval; a new submission follows). Anyone else is refused; the database refuses
    any change of findings under review too.
    """
    _require_findings_permission(user, case)
    unknown = set(fields) - set(FINDINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown findings fields: {sorted(unknown)}")
    with case_edit(case=case, user=user, stamp=stamp, action="findings") as locked:
        pending = (
            Decision.objects.select_for_update()
            .filter(case=locked, status=DecisionStatus.SUBMITTED)
            .select_related("prepared_by")
            .first()
        )
        refusal = None
        if pending is not None and pending.prepared_by_id != user.pk:
            refusal = DecisionError(
                [
                    _(
                        "補償決定 #%(number)s は審査中のため、事実認定は変更できません"
                        "（変更は審査依頼者の%(name)sさんが行うか、差し戻してから行います）。"
                    )
                    % {"number": pending.number, "name": pending.prepared_by.display_name}
                ]
            )
        try:
            with transaction.atomic():
                if pending is not None:
                    # Out of review first: the database refuses findings changed under review.
                    Decision.objects.filter(pk=pending.pk).update(
                        status=DecisionStatus.WITHDRAWN, reviewed_at=timezone.now()
                    )
                assessment, changed = _write_findings(
                    case=locked, user=user, fields=fields, faults=faults, rates=rates
                )
                if not changed:
                    raise _NothingChanged
                if refusal is not None:
                    raise refusal
                if pending is not None:
                    _decision_withdrawn(decision=pending, case=locked, user=user)
        except _NothingChanged:
            case_unchanged(locked)
            assessment = CaseAssessment.objects.filter(case=locked).first() or CaseAssessment(
                case=locked
            )
    return assessment


def _write_findings(
    *,
    case: Case,
    user: User,
    fields: Mapping[str, Any],
    faults: Mapping[int, tuple[str, str]] | None,
    rates: Mapping[int, tuple[int, str]] | None,
) -> tuple[CaseAssessment, bool]:
    _row, _created = CaseAssessment.objects.get_or_create(case=case)
    current = CaseAssessment.objects.select_for_update().get(case=case)
    problems: list[str] = []
    changed = [name for name in fields if getattr(current, name) != fields[name]]
    before = {name: getattr(current, name) for name in changed}
    for name in changed:
        setattr(current, name, fields[name])
    try:
        current.full_clean(exclude=["case", "updated_by"])
    except ValidationError as error:
        problems.extend(message for messages in error.message_dict.values() for message in messages)
    items = {item.pk: item for item in ReportedItem.objects.filter(case=case)}
    txs = {tx.pk: tx for tx in UnauthorizedTransaction.objects.filter(case=case)}
    if problems:
        raise DecisionError(problems)
    any_change = bool(changed)
    if changed:
        current.version = F("version") + 1
        current.updated_by = user
        current.updated_at = timezone.now()
        current.save()
        current.refresh_from_db()

        def describe() -> str:
            labels = {f.name: f.verbose_name for f in CaseAssessment._meta.concrete_fields}
            parts = [
                f"{labels[name]}：{_describe(name, before[name])} → {_describe(name, fields[name])}"
                for name in changed
                if name != "note"
            ]
            if "note" in changed:
                parts.append(_("審査メモを更新"))
            return _("補償審査の事実認定を更新：%(changes)s") % {"changes": "、".join(parts)}

        timeline_record(
            case=case,
            actor=user,
            kind=EventKind.NOTE,
            message=_in_house(describe),
            data={"compensation": "findings", "fields": changed},
        )
    collected: list[str] = []
    for item_pk, (fault, reason) in (faults or {}).items():
        item = items.get(item_pk)
        try:
            if item is None:
                raise DecisionError([_("この届出対象には過失の認定は不要です。")])
            if _confirm_fault(case=case, item=item, user=user, fault=fault, reason=reason):
                any_change = True
        except DecisionError as error:
            collected.extend(error.problems)
    for tx_pk, (rate, reason) in (rates or {}).items():
        tx = txs.get(tx_pk)
        try:
            if tx is None:
                raise DecisionError([_("この事故の被害取引ではありません。")])
            if _set_rate(case=case, tx=tx, user=user, rate=rate, reason=reason):
                any_change = True
        except DecisionError as error:
            collected.extend(error.problems)
    if collected:
        # Leaving the atomic block with the error rolls back the whole save: nothing half-kept.
        raise DecisionError(collected)
    if any_change and not changed:
        # A fault or a rate changed: the findings' version covers them too (four eyes).
        CaseAssessment.objects.filter(pk=current.pk).update(
            version=F("version") + 1, updated_by=user, updated_at=timezone.now()
        )
        current.refresh_from_db()
    return current, any_change


def _decision_withdrawn(*, decision: Decision, case: Case, user: User) -> None:
    """The preparer changed the findings under review: their pending decision is withdrawn and
    the case goes back to investigation, for a new submission."""
    _transition(
        case,
        user,
        CaseStatus.INVESTIGATING,
        _in_house(
            lambda: (
                _("補償決定 #%(number)s の審査依頼を取り下げ（事実認定を変更したため）")
                % {"number": decision.number}
            )
        ),
    )


# --- Four eyes ---------------------------------------------------------------------------------


def _case_for_rules(case_id: int) -> Case:
    """The (already locked) case with the rows the rules read."""
    return (
        Case.objects.select_related("branch")
        .prefetch_related("items", "transactions__item")
        .get(pk=case_id)
    )


def _transition(case: Case, user: User, to: str, reason: str) -> Case:
    try:
        return case_transition(case=case, user=user, to=to, reason=reason)
    except TransitionError:
        raise DecisionError(
            [
                _("この事故は現在「%(status)s」のため、この操作はできません。")
                % {"status": case.get_status_display()}
            ]
        ) from None


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

        _transition(case, user, CaseStatus.IN_REVIEW, _in_house(describe))
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
    if not selectors.can_review(user, decision):
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
        with translation.override(settings.LANGUAGE_CODE):
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

        _transition(case, user, CaseStatus.DECIDED, _in_house(describe))
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
            _in_house(
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
        if not selectors.can_mark_paid(user, case, current):
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

        case = _transition(case, user, CaseStatus.PAID, _in_house(describe))
    return case


def decision_letter_record(*, decision: Decision, user: User) -> None:
    """Note on the timeline that the decision letter was shown for printing."""
    timeline_record(
        case=decision.case,
        actor=user,
        kind=EventKind.NOTE,
        message=_in_house(
            lambda: (
                _("「補償に関するご連絡」を表示（補償決定 #%(number)s）")
                % {"number": decision.number}
            )
        ),
        data={"compensation": "letter", "decision": decision.pk},
    )
