"""Transfer fraud (振り込め詐欺等) and elderly customers: the customer step that re-proposes the
limits, the warning signs that open the transfer-fraud path, and the freeze requests to receiving
banks (docs/domain.md §9, §10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from incidents.cases.edits import EditStamp, case_edit
from incidents.cases.services.drafts import _write_fields
from incidents.cases.services.freeze_core import (
    CoreFreeze,
    core_branch_for,
    freeze_action_reference,
    freeze_request_answered_by_hand,
    freeze_through_core,
)
from incidents.cases.services.items import actions_propose
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.cases.signals import case_changed, remedy_changed
from incidents.models import Case, FreezeRequest, ProtectiveAction, ReportedItem, User
from incidents.models.choices import (
    ActionKind,
    ActionStatus,
    EventKind,
    FreezeAnswer,
    ItemKind,
    ItemState,
)

# The warning signs of docs/domain.md §10: a "yes" to any opens the transfer-fraud path.
SIGN_FIELDS = ("sign_atm_call", "sign_home_visit", "sign_pin_asked")
# How the timeline, the bank's record, names each sign.
SIGN_RECORD = {
    "sign_atm_call": "電話でATMの操作を指示された",
    "sign_home_visit": "自宅に来た者にカードを渡した・すり替えられた",
    "sign_pin_asked": "警察官・銀行員を名乗る者に暗証番号を聞かれた",
}
FRAUD_FIELDS = ("fraud_approach", "fraud_approach_note", *SIGN_FIELDS)
FREEZE_FIELDS = (
    "payee_bank",
    "payee_branch",
    "payee_account_number",
    "payee_account_name",
    "requested_at",
    "contact_name",
    "answer",
    "answer_note",
    "notice_published_on",
    "distribution_opens_on",
    "distribution_closes_on",
)


def case_save_customer(
    *,
    case: Case,
    user: User,
    step: str,
    fields: Mapping[str, Any],
    stamp: EditStamp | None = None,
) -> Case:
    """Save the customer step; the birth date may call for lowering the limits (§10)."""
    with case_edit(case=case, user=user, stamp=stamp, action=f"step:{step}") as current:
        changed = _write_fields(case=current, user=user, step=step, fields=fields)
        actions_propose(case=current)
    case.refresh_from_db()
    if changed:
        case_changed.send(sender=Case, case=case, user=user)
    return case


def case_save_fraud(
    *,
    case: Case,
    user: User,
    step: str,
    fields: Mapping[str, Any],
    stamp: EditStamp | None = None,
) -> Case:
    """Save the transfer-fraud step: a warning sign flags the case for the supervisor, and a sign
    or an approach opens the transfer-fraud path (an item 振り込め詐欺等の被害 and its stops)."""
    with case_edit(case=case, user=user, stamp=stamp, action=f"step:{step}") as current:
        values = {name: fields[name] for name in FRAUD_FIELDS if name in fields}
        signs = [name for name in SIGN_FIELDS if values.get(name)]
        flag_now = bool(signs) and not current.supervisor_flagged
        if flag_now:
            values["supervisor_flagged"] = True
        changed = _write_fields(case=current, user=user, step=step, fields=values)
        if signs or values.get("fraud_approach"):
            _open_transfer_fraud(case=current, user=user)
        if flag_now:
            labels = [SIGN_RECORD[name] for name in signs]
            timeline_record(
                case=current,
                actor=user,
                kind=EventKind.SUPERVISOR_FLAGGED,
                message="詐欺の兆候：" + "、".join(labels),
                data={"signs": signs},
            )
    case.refresh_from_db()
    if changed:
        case_changed.send(sender=Case, case=case, user=user)
    return case


def _open_transfer_fraud(*, case: Case, user: User) -> ReportedItem:
    items = list(ReportedItem.objects.filter(case=case))
    existing = next((item for item in items if item.kind == ItemKind.TRANSFER_FRAUD), None)
    if existing is not None:
        return existing
    # The customer's account, when an item already names one: the usual account of the transfers.
    source = next((item for item in items if item.account_number), None)
    item = ReportedItem.objects.create(
        case=case,
        kind=ItemKind.TRANSFER_FRAUD,
        state=ItemState.DECEIVED,
        account_branch=source.account_branch if source else "",
        account_number=source.account_number if source else "",
        noticed_on=case.notified_on,
        position=len(items),
    )
    actions_propose(case=case)
    timeline_record(case=case, actor=user, kind=EventKind.ITEM_ADDED, message=str(item))
    return item


def freeze_request_save(
    *,
    case: Case,
    user: User,
    fields: Mapping[str, Any],
    request_id: int | None = None,
    stamp: EditStamp | None = None,
) -> FreezeRequest:
    """Record our request to a receiving bank to freeze an account (or its answer and the public
    notices later); the proposed freeze counts as carried out by the first request. An unanswered
    request to an account at our own bank goes to the core, whose answer is recorded."""
    with case_edit(case=case, user=user, stamp=stamp, action="freeze_request") as current:
        if request_id is not None:
            freeze = FreezeRequest.objects.select_for_update().get(pk=request_id, case=current)
        else:
            freeze = FreezeRequest(case=current, recorded_by=user)
        for name in FREEZE_FIELDS:
            if name in fields:
                value = fields[name]
                setattr(freeze, name, "" if value is None and name.startswith("payee") else value)
        freeze.save()
        if request_id is not None:
            freeze_request_answered_by_hand(freeze=freeze)
        core: CoreFreeze | None = None
        branch = core_branch_for(
            bank=freeze.payee_bank, branch=freeze.payee_branch, answer=freeze.answer
        )
        if branch is not None:
            core = freeze_through_core(freeze=freeze, branch=branch, user=user)
            freeze.answer, freeze.answer_note = core.answer, core.note
            freeze.save(update_fields=["answer", "answer_note", "updated_at"])
        for action in ProtectiveAction.objects.filter(
            case=current, kind=ActionKind.RECEIVING_FREEZE, status=ActionStatus.PROPOSED
        ):
            action.status = ActionStatus.DONE
            action.reference = freeze_action_reference(freeze, core)
            action.performed_at = freeze.requested_at
            action.performed_by = user
            action.save()
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.FREEZE_REQUESTED,
            message=(
                f"{freeze}（{freeze.contact_name}様）："
                f"{in_bank_language(FreezeAnswer(freeze.answer).label)}"
                + (f"（{core.note}）" if core else "")
            ),
            data={
                "freeze_request": freeze.pk,
                "answer": freeze.answer,
                **({"core": core.reference or core.note} if core else {}),
            },
        )
    remedy_changed.send(sender=Case, case=case, user=user)
    return freeze
