"""Writes to cases: every change a teller makes goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from incidents import attachments as attachment_files
from incidents import search
from incidents.choices import (
    EMERGENCY_STOPS,
    UNMET_DEADLINE_STATES,
    ActionKind,
    ActionStatus,
    CaseStatus,
    Channel,
    EventKind,
    ItemKind,
    ItemState,
    Role,
)
from incidents.corebanking import StopRequest, get_adapter
from incidents.edits import EditReplayed, EditStamp, StaleCaseError, case_edit, case_unchanged
from incidents.models import (
    Attachment,
    AttachmentDownload,
    AttachmentWithdrawal,
    Branch,
    Case,
    CaseAccess,
    CaseNumberCounter,
    Deadline,
    IntakeAutosave,
    ProtectiveAction,
    ReportedItem,
    TimelineEvent,
    UnauthorizedTransaction,
    User,
)
from incidents.selectors import case_submission_problems
from incidents.signals import case_changed, case_status_changed, case_submitted


def _ja(label) -> str:
    """A label (lazy, or a method giving one) in the institution's language: the timeline is an
    audit record, not a screen, so it does not follow the language the member of staff chose."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label() if callable(label) else label)


class SubmissionError(Exception):
    """The draft is not complete enough to be submitted."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def timeline_record(
    *, case: Case, actor: User | None, kind: str, message: str = "", data: Mapping | None = None
) -> TimelineEvent:
    """Append an event to the case's timeline (callers compose ``message`` in Japanese)."""
    return TimelineEvent.objects.create(
        case=case, actor=actor, kind=kind, message=message, data=dict(data or {})
    )


def _existing_intake(token: UUID) -> Case | None:
    return Case.objects.filter(intake_token=token).first()


@transaction.atomic
def case_start_draft(*, user: User, token: UUID, fields: Mapping[str, Any]) -> tuple[Case, bool]:
    """Open a draft for the user's branch from the first step; the token makes a resent form a no-op.

    Posts of one form racing each other (a double click, a retried request) all land on the one
    draft: the unique token decides, and the losers read the winner's draft.
    """
    existing = _existing_intake(token)
    if existing is not None:
        return existing, False
    case = Case(branch_id=user.branch_id, created_by=user, intake_token=token, assigned_to=user)
    for name, value in fields.items():
        setattr(case, name, value)
    case.intake_step = "reporter"
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        existing = _existing_intake(token)
        if existing is None:
            raise
        return existing, False
    timeline_record(case=case, actor=user, kind=EventKind.CREATED, message="受付を開始しました")
    # The first step is saved: what was kept of it before an idle logout is no longer needed.
    IntakeAutosave.objects.filter(case__isnull=True, user=user, step="reporter").delete()
    return case, True


def _write_fields(*, case: Case, user: User, step: str, fields: Mapping[str, Any]) -> list[str]:
    """Write some fields of the locked case (and its search text); note the change on the timeline.

    Only the given fields are written, so a stale in-memory case never overwrites other columns.
    """
    changed = [name for name, value in fields.items() if getattr(case, name) != value]
    values = dict(fields)
    if case.is_draft:
        values["intake_step"] = step
    for name, value in values.items():
        setattr(case, name, value)
    values["search_text"] = case_search_text(case=case)
    case.search_text = values["search_text"]
    Case.objects.filter(pk=case.pk).update(**values)
    if changed:
        timeline_record(
            case=case, actor=user, kind=EventKind.STEP_SAVED, data={"step": step, "fields": changed}
        )
    return changed


def case_update(
    *,
    case: Case,
    user: User,
    step: str,
    fields: Mapping[str, Any],
    stamp: EditStamp | None = None,
) -> Case:
    """Save some fields of a case from a step's form, guarded by the form's stamp (edits.py)."""
    with case_edit(case=case, user=user, stamp=stamp, action=f"step:{step}") as current:
        changed = _write_fields(case=current, user=user, step=step, fields=fields)
    case.refresh_from_db()
    if changed:
        case_changed.send(sender=Case, case=case, user=user)
    return case


PROPOSED_STOPS: dict[tuple[str, str], tuple[str, ...]] = {
    (ItemKind.CASH_CARD, ItemState.STOLEN): (ActionKind.CARD_SUSPEND,),
    (ItemKind.CASH_CARD, ItemState.LOST): (ActionKind.CARD_SUSPEND,),
    (ItemKind.CASH_CARD, ItemState.COUNTERFEIT): (
        ActionKind.CARD_SUSPEND,
        ActionKind.CARD_REISSUE_IC,
    ),
    (ItemKind.PASSBOOK, ItemState.STOLEN): (ActionKind.PAYMENT_STOP, ActionKind.SEAL_CHECK),
    (ItemKind.PASSBOOK, ItemState.LOST): (ActionKind.PAYMENT_STOP, ActionKind.SEAL_CHECK),
    (ItemKind.SEAL, ItemState.STOLEN): (ActionKind.SEAL_CHANGE, ActionKind.PAYMENT_STOP),
    (ItemKind.SEAL, ItemState.LOST): (ActionKind.SEAL_CHANGE, ActionKind.PAYMENT_STOP),
    (ItemKind.ONLINE_BANKING, ItemState.CREDENTIALS_STOLEN): (
        ActionKind.IB_SUSPEND,
        ActionKind.IB_RESET,
    ),
}
ITEM_FIELDS = (
    "kind",
    "state",
    "id_document_kind",
    "account_branch",
    "account_number",
    "occurred_on",
    "noticed_on",
    "note",
)


def case_save_items(
    *,
    case: Case,
    user: User,
    rows: Iterable[Mapping[str, Any]],
    stamp: EditStamp | None = None,
) -> list[ReportedItem]:
    """Create, update or delete the case's reported items from form rows; re-propose the stops.

    A row is a mapping of item fields plus ``id`` (existing item or None) and ``DELETE``.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="items") as current:
        kept = _write_items(case=current, user=user, rows=rows)
    case_changed.send(sender=Case, case=case, user=user)
    return kept


def _write_items(
    *, case: Case, user: User, rows: Iterable[Mapping[str, Any]]
) -> list[ReportedItem]:
    kept: list[ReportedItem] = []
    existing = {item.pk: item for item in ReportedItem.objects.filter(case=case)}
    position = 0
    for row in rows:
        item = existing.get(row.get("id")) if row.get("id") else None
        if row.get("DELETE"):
            if item is not None and not item.transactions.exists():
                item.delete()
            continue
        if item is None:
            item = ReportedItem(case=case)
        for name in ITEM_FIELDS:
            setattr(item, name, row.get(name) if row.get(name) is not None else _blank(name))
        item.position = position
        position += 1
        item.save()
        kept.append(item)
    actions_propose(case=case)
    _write_fields(case=case, user=user, step="items", fields={})
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STEP_SAVED,
        data={"step": "items", "items": [str(item) for item in kept]},
    )
    return kept


def _blank(name: str):
    return None if name in ("occurred_on", "noticed_on") else ""


def actions_propose(*, case: Case) -> list[ProtectiveAction]:
    """Make sure every stop the items call for exists; drop untouched proposals no longer called for."""
    wanted = set()
    for item in ReportedItem.objects.filter(case=case):
        for kind in PROPOSED_STOPS.get((item.kind, item.state), ()):
            wanted.add((item.pk, kind))
            ProtectiveAction.objects.get_or_create(case=case, item=item, kind=kind)
    for action in ProtectiveAction.objects.filter(case=case, status=ActionStatus.PROPOSED):
        if (action.item_id, action.kind) not in wanted:
            action.delete()
    return list(ProtectiveAction.objects.filter(case=case).select_related("item"))


def action_perform(
    *,
    action: ProtectiveAction,
    user: User,
    reference: str = "",
    stamp: EditStamp | None = None,
) -> ProtectiveAction:
    """Carry out one stop: through the core-banking adapter, or record one done there by hand."""
    with case_edit(case=action.case_id, user=user, stamp=stamp, action="stop") as current:
        return _perform(action_id=action.pk, case=current, user=user, reference=reference)


def _perform(*, action_id: int, case: Case, user: User, reference: str = "") -> ProtectiveAction:
    action = (
        ProtectiveAction.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=action_id, case=case)
    )
    if action.status == ActionStatus.DONE:
        return action  # a second click must not stop the card twice
    if reference:
        performed_at = timezone.now()
    else:
        item = action.item
        result = get_adapter().perform_stop(
            StopRequest(
                case_id=action.case_id,
                action_kind=action.kind,
                account_branch=item.account_branch if item else "",
                account_number=item.account_number if item else "",
                requested_by=user.username,
            )
        )
        reference, performed_at = result.reference, result.performed_at
    action.status = ActionStatus.DONE
    action.reference = reference
    action.performed_at = performed_at
    action.performed_by = user
    action.decline_reason = ""
    action.save()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STOP_DONE,
        message=f"{_ja(action.get_kind_display)}（{reference}）",
        data={"action": action.kind, "reference": reference, "item": action.item_id},
    )
    return action


def action_decline(
    *, action: ProtectiveAction, user: User, reason: str, stamp: EditStamp | None = None
) -> ProtectiveAction:
    """Record that a proposed stop was not carried out, and why."""
    with case_edit(case=action.case_id, user=user, stamp=stamp, action="stop") as current:
        return _decline(action_id=action.pk, case=current, user=user, reason=reason)


def _decline(*, action_id: int, case: Case, user: User, reason: str) -> ProtectiveAction:
    action = ProtectiveAction.objects.select_for_update().get(pk=action_id, case=case)
    if action.status == ActionStatus.DONE:
        return action  # a stop carried out cannot be undone by declining it afterwards
    if action.status == ActionStatus.DECLINED and action.decline_reason == reason:
        return action  # each fact once: saving the step again records nothing new
    action.status = ActionStatus.DECLINED
    action.decline_reason = reason
    action.performed_at = timezone.now()
    action.performed_by = user
    action.save()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STOP_DECLINED,
        message=f"{_ja(action.get_kind_display)}：{reason}",
        data={"action": action.kind, "reason": reason, "item": action.item_id},
    )
    return action


def case_save_stops(
    *,
    case: Case,
    user: User,
    decisions: Iterable[tuple[int, str, str]],
    stamp: EditStamp | None = None,
) -> list[ProtectiveAction]:
    """The stops step: carry out or decline each proposed stop, as one guarded write.

    ``decisions`` are (action id, decision, reference or reason); an undecided stop is left alone.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="step:stops") as current:
        done = []
        for action_id, decision, text in decisions:
            if decision == ActionStatus.DONE:
                done.append(_perform(action_id=action_id, case=current, user=user, reference=text))
            elif decision == ActionStatus.DECLINED:
                done.append(_decline(action_id=action_id, case=current, user=user, reason=text))
        _write_fields(case=current, user=user, step="stops", fields={})
    return done


TRANSACTION_FIELDS = (
    "occurred_at",
    "account_branch",
    "account_number",
    "channel",
    "amount",
    "fee",
    "interest",
    "location",
    "payee_bank",
    "payee_branch",
    "payee_account_number",
    "payee_account_name",
)


def case_save_transactions(
    *,
    case: Case,
    user: User,
    rows: Iterable[Mapping[str, Any]],
    stamp: EditStamp | None = None,
) -> list[UnauthorizedTransaction]:
    """Create, update or delete the case's unauthorized transactions from form rows."""
    with case_edit(case=case, user=user, stamp=stamp, action="transactions") as current:
        existing = {tx.pk: tx for tx in UnauthorizedTransaction.objects.filter(case=current)}
        item_ids = set(ReportedItem.objects.filter(case=current).values_list("pk", flat=True))
        kept = []
        for row in rows:
            tx = existing.get(row.get("id")) if row.get("id") else None
            if row.get("DELETE"):
                if tx is not None:
                    tx.delete()
                continue
            if row.get("item") not in item_ids:
                raise ValueError("transaction names an item of another case")
            if tx is None:
                tx = UnauthorizedTransaction(case=current)
            tx.item_id = row["item"]
            for name in TRANSACTION_FIELDS:
                value = row.get(name)
                setattr(
                    tx,
                    name,
                    value if value is not None else ("" if name not in ("fee", "interest") else 0),
                )
            tx.save()
            kept.append(tx)
        _write_fields(case=current, user=user, step="transactions", fields={})
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.STEP_SAVED,
            data={
                "step": "transactions",
                "count": len(kept),
                "total": sum(t.claimed for t in kept),
            },
        )
    case_changed.send(sender=Case, case=case, user=user)
    return kept


def case_search_text(*, case: Case) -> str:
    """The queue's search column for the case as it stands (items' accounts read afresh)."""
    accounts = ReportedItem.objects.filter(case_id=case.pk).values_list(
        "account_branch", "account_number"
    )
    return search.search_text(
        number=case.number,
        customer_number=case.customer_number,
        customer_name=case.customer_name,
        customer_name_kana=case.customer_name_kana,
        accounts=list(accounts) if case.pk else [],
    )


def _next_case_number(case: Case) -> tuple[int, int, str]:
    year = timezone.localdate(case.notified_at).year
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
        branch_id=case.branch_id, year=year
    )
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return year, counter.last, f"{case.branch.code}-{year}-{counter.last:05d}"


def case_submit(*, case_id: int, user: User, stamp: EditStamp | None = None) -> Case:
    """Turn a complete draft into a reported case with its number; submitting again is a no-op."""
    with case_edit(case=case_id, user=user, stamp=stamp, action="submit") as case:
        if not case.is_draft:
            return case
        problems = case_submission_problems(case)
        if problems:
            raise SubmissionError(problems)
        case.year, case.sequence, case.number = _next_case_number(case)
        case.status = CaseStatus.REPORTED
        case.submitted_at = timezone.now()
        case.submitted_by = user
        case.intake_step = "submitted"
        case.search_text = case_search_text(case=case)
        case.save(
            update_fields=[
                "year",
                "sequence",
                "number",
                "status",
                "submitted_at",
                "submitted_by",
                "intake_step",
                "search_text",
            ]
        )
        timeline_record(
            case=case,
            actor=user,
            kind=EventKind.SUBMITTED,
            message=f"受付番号 {case.number} で受け付けました",
            data={"number": case.number},
        )
        IntakeAutosave.objects.filter(case=case).delete()
        case_submitted.send(sender=Case, case=case, user=user)
    return case


class DiscardRefusedError(Exception):
    """A draft whose stops were carried out is not discarded: a stop must never be orphaned."""


def case_discard_draft(*, case: Case, user: User, stamp: EditStamp | None = None) -> Case:
    """Withdraw a draft the teller no longer needs (kept for the record, never deleted).

    Refused once any stop was carried out: the card stays stopped, so the report stays open
    until it is withdrawn with the stops to lift.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="discard") as current:
        if not current.is_draft:
            return current
        if ProtectiveAction.objects.filter(case=current, status=ActionStatus.DONE).exists():
            raise DiscardRefusedError(f"case {current.pk} has stops in force")
        current.status = CaseStatus.WITHDRAWN
        current.save(update_fields=["status"])
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.STATUS_CHANGED,
            message="下書きを破棄しました",
        )
        IntakeAutosave.objects.filter(case=current).delete()
    case.status = current.status
    return current


# Allowed moves of the life cycle (DOMAIN §6); withdrawal is possible until a decision.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.PRELIMINARY: (CaseStatus.REPORTED, CaseStatus.WITHDRAWN),
    CaseStatus.REPORTED: (CaseStatus.INVESTIGATING, CaseStatus.IN_REVIEW, CaseStatus.WITHDRAWN),
    CaseStatus.INVESTIGATING: (CaseStatus.IN_REVIEW, CaseStatus.WITHDRAWN),
    CaseStatus.IN_REVIEW: (CaseStatus.INVESTIGATING, CaseStatus.DECIDED, CaseStatus.WITHDRAWN),
    CaseStatus.DECIDED: (CaseStatus.PAID, CaseStatus.CLOSED, CaseStatus.IN_REVIEW),
    CaseStatus.PAID: (CaseStatus.CLOSED,),
}


class TransitionError(Exception):
    """The case cannot move to that status from where it is."""


@transaction.atomic
def case_transition(*, case: Case, user: User | None, to: str, reason: str = "") -> Case:
    """Move a case along its life cycle, recording who, when and why; compare-and-swap on status."""
    current = case.status
    if to not in TRANSITIONS.get(current, ()):
        raise TransitionError(f"{current} → {to}")
    updated = Case.objects.filter(pk=case.pk, status=current).update(
        status=to, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise TransitionError(f"{case.pk} is no longer {current}")
    case.refresh_from_db()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STATUS_CHANGED,
        message=f"{_ja(CaseStatus(current).label)} → {_ja(CaseStatus(to).label)}"
        + (f"：{reason}" if reason else ""),
        data={"from": current, "to": to, "reason": reason},
    )
    case_status_changed.send(sender=Case, case=case, user=user, old=current, new=to)
    case_changed.send(sender=Case, case=case, user=user)
    return case


class AssignmentError(Exception):
    """The chosen member of staff cannot work this case (another branch, another role, inactive)."""


def staff_can_work(*, assignee: User, case: Case) -> bool:
    """Whether ``assignee`` may be given ``case``: active branch staff of the case's branch."""
    return (
        assignee.is_active
        and assignee.role in (Role.TELLER, Role.SUPERVISOR)
        and assignee.branch_id == case.branch_id
    )


def case_assign(
    *, case: Case, user: User, assignee: User | None, stamp: EditStamp | None = None
) -> Case:
    """Give a case to a member of its branch, or to nobody; refused if the case changed meanwhile.

    Guarded by the version the supervisor saw: two supervisors assigning the same case at once
    cannot both win, and the loser gets StaleCaseError with the case as it now is.
    """
    if assignee is not None and not staff_can_work(assignee=assignee, case=case):
        raise AssignmentError(f"{assignee} cannot work case {case.pk}")
    with case_edit(case=case, user=user, stamp=stamp, action="assign") as current:
        _assign(case=current, user=user, assignee=assignee)
    current.refresh_from_db()
    return current


def _assign(*, case: Case, user: User, assignee: User | None) -> None:
    if case.assigned_to_id == (assignee.pk if assignee else None):
        case_unchanged(case)
        return
    before = case.assigned_to.display_name if case.assigned_to else "—"
    after = assignee.display_name if assignee else "—"
    previous = case.assigned_to_id
    Case.objects.filter(pk=case.pk).update(assigned_to=assignee)
    case.assigned_to = assignee
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.ASSIGNED,
        message=f"{before} → {after}",
        data={"from": previous, "to": assignee.pk if assignee else None},
    )


def case_assign_many(
    *,
    cases: Iterable[tuple[Case, int]],
    user: User,
    assignee: User | None,
    key: UUID | None = None,
    digest: str = "",
) -> tuple[list[Case], list[Case]]:
    """Assign several cases at once, each guarded by its own version; returns (assigned, refused).

    A case someone else changed since the list was shown is refused, not overwritten; the others
    go through. ``key`` is the list form's key: posted again, the cases it assigned are counted
    as assigned and nothing is done twice.
    """
    assigned, refused = [], []
    for case, version in cases:
        stamp = EditStamp(version=version, key=key, digest=digest)
        try:
            assigned.append(case_assign(case=case, user=user, assignee=assignee, stamp=stamp))
        except EditReplayed:
            assigned.append(Case.objects.get(pk=case.pk))
        except (StaleCaseError, AssignmentError):
            refused.append(case)
    return assigned, refused


def case_pickup(*, case: Case, user: User, assignee: User, stamp: EditStamp | None = None) -> Case:
    """The account's branch takes over an after-hours preliminary case: reported, and assigned.

    Assigned first, then moved: the status move sends case_status_changed, and the follow-up
    deadlines it opens belong to the new assignee. Two people picking up at once: the row lock
    makes the second see it already picked up.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="pickup") as current:
        if current.status != CaseStatus.PRELIMINARY:
            raise TransitionError(f"{current.pk} is no longer preliminary")
        if not staff_can_work(assignee=assignee, case=current):
            raise AssignmentError(f"{assignee} cannot work case {current.pk}")
        _assign(case=current, user=user, assignee=assignee)
        current.__dict__.pop("_edit_unchanged", None)  # the status move below is a change
        case_transition(case=current, user=user, to=CaseStatus.REPORTED, reason="支店で引継ぎ")
    current.refresh_from_db()
    return current


class BranchNotFoundError(Exception):
    """No branch has the account's three-digit branch code."""


@transaction.atomic
def case_open_preliminary(
    *,
    user: User,
    token: UUID,
    fields: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    stop: bool = True,
) -> tuple[Case, bool]:
    """Open an after-hours preliminary case (仮受付) from a call, numbered at the account's branch.

    The branch is the one whose code the first item's account carries. With ``stop``, the
    emergency stops (card, passbook payment, online banking) are carried out at once. Sends
    case_submitted with the case in status preliminary. The token makes a resent form a no-op.
    """
    existing = Case.objects.filter(intake_token=token).first()
    if existing is not None:
        return existing, False
    rows = [dict(row) for row in items]
    code = next((row["account_branch"] for row in rows if row.get("account_branch")), "")
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        raise BranchNotFoundError(code)
    now = timezone.now()
    case = Case(
        branch=branch,
        created_by=user,
        intake_token=token,
        after_hours=True,
        channel=Channel.PHONE,
        notified_at=now,
        status=CaseStatus.PRELIMINARY,
        intake_step="preliminary",
        submitted_at=now,
        submitted_by=user,
    )
    for name, value in fields.items():
        setattr(case, name, value)
    case.year, case.sequence, case.number = _next_case_number(case)
    case.save()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.PRELIMINARY,
        message=f"受付番号 {case.number} で時間外に仮受付しました（{branch.name}へ引継ぎ）",
        data={"number": case.number},
    )
    item_rows = [
        {
            "kind": row["kind"],
            "state": row["state"],
            "account_branch": row.get("account_branch", ""),
            "account_number": row.get("account_number", ""),
            "note": row.get("note", ""),
        }
        for row in rows
    ]
    case_save_items(case=case, user=user, rows=item_rows)
    if stop:
        emergency_stops_perform(case=case, user=user)
    case.refresh_from_db()
    case_submitted.send(sender=Case, case=case, user=user)
    return case, True


def emergency_stops_perform(
    *, case: Case, user: User, stamp: EditStamp | None = None, action_ids=None
) -> list[ProtectiveAction]:
    """Carry out every emergency stop (card, passbook payment, online banking) not yet done, or
    only those of ``action_ids``, as one guarded write."""
    with case_edit(case=case, user=user, stamp=stamp, action="emergency_stops") as current:
        done = _emergency_stops(case=current, user=user, action_ids=action_ids)
        if not done:
            case_unchanged(current)
    return done


def _emergency_stops(*, case: Case, user: User, action_ids=None) -> list[ProtectiveAction]:
    pending = ProtectiveAction.objects.filter(
        case=case, kind__in=EMERGENCY_STOPS, status=ActionStatus.PROPOSED
    )
    if action_ids is not None:
        pending = ProtectiveAction.objects.filter(
            case=case, pk__in=list(action_ids), status=ActionStatus.PROPOSED
        )
    return [_perform(action_id=action.pk, case=case, user=user) for action in pending]


def case_add_item(
    *,
    case: Case,
    user: User,
    fields: Mapping[str, Any],
    stamp: EditStamp | None = None,
    stop: bool = False,
) -> tuple[ReportedItem, list[ProtectiveAction]]:
    """Add a reported item to an existing case (a further card or passbook on a later call), and
    with ``stop`` carry out its emergency stops, in one guarded write: a form sent twice never
    adds the same card twice."""
    with case_edit(case=case, user=user, stamp=stamp, action="add_item") as current:
        position = ReportedItem.objects.filter(case=current).count()
        item = ReportedItem.objects.create(
            case=current,
            position=position,
            kind=fields["kind"],
            state=fields["state"],
            account_branch=fields.get("account_branch", ""),
            account_number=fields.get("account_number", ""),
            note=fields.get("note", ""),
        )
        actions_propose(case=current)
        _write_fields(case=current, user=user, step="items", fields={})
        timeline_record(case=current, actor=user, kind=EventKind.ITEM_ADDED, message=str(item))
        done = _emergency_stops(case=current, user=user) if stop else []
    case_changed.send(sender=Case, case=case, user=user)
    return item, done


def case_access_record(*, case: Case, user: User, view: str, path: str) -> CaseAccess:
    """Note that a member of staff looked at a case (閲覧記録, append-only)."""
    return CaseAccess.objects.create(case=case, user=user, view=view, path=path[:200])


def intake_autosave_save(
    *, case: Case | None, user: User, step: str, data: Mapping[str, list[str]]
) -> IntakeAutosave:
    """Keep the raw form data of an intake step on screen (before an idle logout), replacing what
    was kept of that step before; ``case`` None is a new report not yet saved as a draft."""
    lookup = (
        {"case": case, "step": step}
        if case is not None
        else {"case": None, "user": user, "step": step}
    )
    autosave, _created = IntakeAutosave.objects.update_or_create(
        **lookup,
        defaults={"user": user, "data": dict(data), "saved_at": timezone.now()},
    )
    return autosave


def intake_autosave_discard(*, case: Case | None, user: User, step: str | None = None) -> int:
    """Drop what was kept of a step (saved properly now, or discarded by the teller)."""
    kept = (
        IntakeAutosave.objects.filter(case=case)
        if case is not None
        else IntakeAutosave.objects.filter(case__isnull=True, user=user)
    )
    if step is not None:
        kept = kept.filter(step=step)
    return kept.delete()[0]


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
                message=f"{_ja(attachment.get_kind_display)}：{attachment.original_name}",
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


def attachment_may_withdraw(*, user: User, case: Case) -> bool:
    """A supervisor (役席) of the case's own branch takes a wrongly attached document off."""
    return user.role == Role.SUPERVISOR and user.branch_id == case.branch_id


def attachment_may_open_withdrawn(*, user: User) -> bool:
    """A withdrawn document is kept for the auditors: head-office compliance alone opens it."""
    return user.role == Role.COMPLIANCE


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
                    f"{_ja(attachment.get_kind_display)}：{attachment.original_name}"
                    f"（理由：{reason}）"
                ),
                data={"attachment": attachment.pk, "sha256": attachment.sha256},
            )
        else:
            case_unchanged(current)
    return withdrawal


class RecoveryError(Exception):
    """The recovered amount cannot be recorded (more than the transaction's amount, a draft)."""


def transaction_record_recovery(
    *,
    case: Case,
    transaction_id: int,
    user: User,
    amount: int,
    stamp: EditStamp | None = None,
) -> UnauthorizedTransaction:
    """Record how much of a transaction came back (組戻し等); refuse a stale edit.

    The case's version guards the form as every other edit of the case does: a figure typed on a
    page opened before someone else's change is refused with StaleCaseError, never overwriting it.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="recovery") as current:
        if current.is_draft:
            raise RecoveryError("a draft's transactions are edited in the intake")
        tx = UnauthorizedTransaction.objects.select_for_update().get(
            pk=transaction_id, case=current
        )
        if not 0 <= amount <= tx.amount:
            raise RecoveryError(f"{amount} is outside 0–{tx.amount}")
        if tx.recovered_amount == amount:
            case_unchanged(current)
            return tx
        before = tx.recovered_amount
        tx.recovered_amount = amount
        tx.save(update_fields=["recovered_amount"])
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.RECOVERY_RECORDED,
            message=f"{_ja(tx.get_channel_display)} {tx.amount:,}円：回収額 {before:,}円 → {amount:,}円",
            data={"transaction": tx.pk, "from": before, "to": amount},
        )
    case_changed.send(sender=Case, case=current, user=user)
    return tx


def case_deadline_meet(
    *, case: Case, user: User, deadline_id: int, stamp: EditStamp | None = None
) -> bool:
    """Mark a deadline the branch closes by hand (the customer's documents) as done; False when
    it was no longer owed."""
    from incidents.deadlines import deadline_meet

    with case_edit(case=case, user=user, stamp=stamp, action="deadline_meet") as current:
        deadline = Deadline.objects.get(pk=deadline_id, case=current)
        if deadline.state not in UNMET_DEADLINE_STATES:
            case_unchanged(current)
            return False
        deadline_meet(case=current, kind=deadline.kind, actor=user)
    return True


def case_receipt_printed(*, case: Case, user: User, key: UUID | None) -> bool:
    """Note on the timeline that the receipt was printed, once per press of the print button
    (each press carries its own key; a post without one is not a press)."""
    if key is None:
        return False
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if TimelineEvent.objects.filter(
            case=case, kind=EventKind.RECEIPT_PRINTED, data__key=str(key)
        ).exists():
            return False
        timeline_record(
            case=case,
            actor=user,
            kind=EventKind.RECEIPT_PRINTED,
            data={"key": str(key)},
        )
    return True
