"""Who may record findings, prepare, review and record the payment."""

from __future__ import annotations

from compensation.choices import DecisionStatus
from compensation.models import CaseAssessment, CaseByCaseRate, Decision, ItemFault
from incidents.access.predicates import is_branch_staff_of
from incidents.models import Case, User
from incidents.models.choices import CaseStatus, Role

# Case states in which the supervisor's findings can still change (a decision is not final yet).
# Findings may be recorded until the compensation is paid: after an approval they prepare a
# change (the approved decision keeps its own snapshot); under review, see findings_save.
FINDINGS_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.INVESTIGATING,
    CaseStatus.IN_REVIEW,
    CaseStatus.DECIDED,
)
SUBMIT_STATUSES = (CaseStatus.REPORTED, CaseStatus.INVESTIGATING, CaseStatus.DECIDED)


# --- Who may do what ---------------------------------------------------------------------------


def branch_staff_of(user: User, case: Case) -> bool:
    """Teller or supervisor of the case's own branch (the one predicate, incidents.access)."""
    return is_branch_staff_of(user, case)


def can_record_findings(user: User, case: Case) -> bool:
    """A supervisor of the case's branch, until the compensation is paid."""
    return (
        user.role == Role.SUPERVISOR
        and case.status in FINDINGS_STATUSES
        and branch_staff_of(user, case)
    )


def can_prepare(user: User, case: Case) -> bool:
    """The case's teller or a supervisor of its branch; only a supervisor reopens a decision."""
    if case.status not in SUBMIT_STATUSES or not branch_staff_of(user, case):
        return False
    if user.role == Role.SUPERVISOR:
        return True
    return case.status != CaseStatus.DECIDED and user.pk in (
        case.created_by_id,
        case.assigned_to_id,
        case.submitted_by_id,
    )


def finding_authors(case: Case) -> set[int]:
    """Who recorded the findings a decision on the case rests on: the assessment, the confirmed
    faults, the case-by-case rates (one query)."""
    authors = (
        CaseAssessment.objects.filter(case=case, updated_by__isnull=False)
        .values_list("updated_by", flat=True)
        .union(
            ItemFault.objects.filter(case=case).values_list("confirmed_by", flat=True),
            CaseByCaseRate.objects.filter(case=case).values_list("set_by", flat=True),
        )
    )
    return set(authors)


def can_review(user: User, decision: Decision, *, authors: set[int] | None = None) -> bool:
    """A supervisor of the case's branch who neither prepared the decision nor recorded any of
    its findings (four eyes over the facts, not only the button). ``authors``: the case's
    finding_authors when the caller read them already."""
    return (
        user.role == Role.SUPERVISOR
        and decision.status == DecisionStatus.SUBMITTED
        and decision.case.status == CaseStatus.IN_REVIEW
        and user.pk != decision.prepared_by_id
        and branch_staff_of(user, decision.case)
        and user.pk not in (finding_authors(decision.case) if authors is None else authors)
    )


def can_mark_paid(user: User, case: Case, current: Decision | None) -> bool:
    """Branch staff, once an approved decision owes the customer something."""
    return (
        case.status == CaseStatus.DECIDED
        and current is not None
        and (current.compensation_total or 0) > 0
        and branch_staff_of(user, case)
    )
