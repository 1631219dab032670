"""A report's life: the draft, its steps, submission, discard and status moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from incidents.cases.edits import EditStamp, case_edit
from incidents.cases.selectors import case_submission_problems
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.cases.services.withdrawal import stops_awaited
from incidents.cases.signals import case_changed, case_status_changed, case_submitted
from incidents.models import (
    Case,
    CaseNumberCounter,
    IntakeAutosave,
    ProtectiveAction,
    ReportedItem,
    User,
    search,
)
from incidents.models.choices import (
    ActionStatus,
    CaseStatus,
    EventKind,
)


class SubmissionError(Exception):
    """The draft is not complete enough to be submitted."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


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
    branch_id = user.branch_id
    if branch_id is None:  # never: intake is for a branch's staff, who always have a branch
        raise ValueError("a draft is opened by a member of a branch's staff")
    case = Case(branch_id=branch_id, created_by=user, intake_token=token, assigned_to=user)
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
        phones=(case.customer_phone, case.reporter_phone),
        birth_date=case.customer_birth_date,
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
    """A draft whose stops were carried out, or are awaited from the core (``awaited``), is not
    discarded: a stop must never be orphaned."""

    def __init__(self, case_id: int, *, awaited: bool = False) -> None:
        super().__init__(f"case {case_id} has stops {'awaited' if awaited else 'in force'}")
        self.awaited = awaited


def case_discard_draft(*, case: Case, user: User, stamp: EditStamp | None = None) -> Case:
    """Withdraw a draft the teller no longer needs (kept for the record, never deleted).

    Refused once any stop was carried out: the card stays stopped, so the report stays open
    until it is withdrawn with the stops to lift; refused too while a stop awaits the core.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="discard") as current:
        if not current.is_draft:
            return current
        if ProtectiveAction.objects.filter(case=current, status=ActionStatus.DONE).exists():
            raise DiscardRefusedError(current.pk)
        if stops_awaited(current):
            raise DiscardRefusedError(current.pk, awaited=True)
        current.status = CaseStatus.WITHDRAWN
        current.save(update_fields=["status"])
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.STATUS_CHANGED,
            message="下書きを破棄しました",
            data={"from": CaseStatus.DRAFT, "to": CaseStatus.WITHDRAWN},
        )
        IntakeAutosave.objects.filter(case=current).delete()
    case.status = current.status
    return current


# Allowed moves of the life cycle (docs/domain.md §6); withdrawal is possible until a decision.
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
        message=f"{in_bank_language(CaseStatus(current).label)} → {in_bank_language(CaseStatus(to).label)}"
        + (f"：{reason}" if reason else ""),
        data={"from": current, "to": to, "reason": reason},
    )
    case_status_changed.send(sender=Case, case=case, user=user, old=current, new=to)
    case_changed.send(sender=Case, case=case, user=user)
    return case
