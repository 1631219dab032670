"""Who works a case: assignment, claim and the pickup of after-hours calls."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from incidents.access.predicates import staff_can_work
from incidents.cases.edits import EditReplayed, EditStamp, StaleCaseError, case_edit, case_unchanged
from incidents.cases.services.drafts import TransitionError, case_transition
from incidents.cases.services.timeline import timeline_record
from incidents.models import (
    Case,
    User,
)
from incidents.models.choices import (
    CaseStatus,
    EventKind,
)


class AssignmentError(Exception):
    """The chosen member of staff cannot work this case (another branch, another role, inactive)."""


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
