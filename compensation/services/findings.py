"""The supervisor's findings, with four eyes over them while a decision awaits review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import rules, selectors
from compensation.choices import DecisionStatus, Fault, TakenBy
from compensation.models import CaseAssessment, CaseByCaseRate, Decision, ItemFault
from compensation.services.errors import DecisionError
from incidents.cases.edits import EditStamp, case_edit, case_unchanged
from incidents.cases.services.drafts import TransitionError, case_transition
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import Case, ReportedItem, UnauthorizedTransaction, User
from incidents.models.choices import CaseStatus, EventKind

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
        message=in_bank_language(describe),
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
        message=in_bank_language(
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
            message=in_bank_language(describe),
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
        in_bank_language(
            lambda: (
                _("補償決定 #%(number)s の審査依頼を取り下げ（事実認定を変更したため）")
                % {"number": decision.number}
            )
        ),
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
