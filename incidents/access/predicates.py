"""Who may do what on a case, asked without a query (to show a button, or before a write).

Every predicate builds on the one rule of scoping (``incidents.models.querysets.case_condition``)
and on ``is_branch_staff_of``: a teller or supervisor of the case's own branch, allowed by their
role to change it. The views still read their case through ``restrict``; these say what the page
offers and what a service accepts.
"""

from __future__ import annotations

from typing import Any

from incidents.models import Case
from incidents.models.choices import OPEN_STATUSES, CaseStatus, Role
from incidents.models.querysets import ASSIGN, CHANGE, case_permits

# The roles that take reports at a counter and work their branch's cases.
BRANCH_ROLES = (Role.TELLER, Role.SUPERVISOR)


def takes_reports(user: Any) -> bool:
    """A teller or supervisor with a home branch: may open a report."""
    return getattr(user, "role", None) in BRANCH_ROLES and bool(getattr(user, "branch_id", None))


def is_branch_staff_of(user: Any, case: Case) -> bool:
    """A teller or supervisor of the case's own branch whose role may change the case; nobody
    changes a case merged into another (it is kept read-only, its survivor carries on)."""
    return (
        case.status != CaseStatus.MERGED
        and getattr(user, "role", None) in BRANCH_ROLES
        and user.branch_id == case.branch_id
        and case_permits(user, case, CHANGE)
    )


def is_branch_supervisor_of(user: Any, case: Case) -> bool:
    """A supervisor (役席) of the case's own branch."""
    return is_branch_staff_of(user, case) and user.role == Role.SUPERVISOR


def may_merge(user: Any, case: Case) -> bool:
    """A supervisor (役席) of the case's own branch merges duplicate reports and undoes a merge
    (the merged case included, which nobody else changes)."""
    return (
        getattr(user, "role", None) == Role.SUPERVISOR
        and user.branch_id == case.branch_id
        and case_permits(user, case, ASSIGN)
    )


def staff_can_work(*, assignee: Any, case: Case) -> bool:
    """Whether ``assignee`` may be given ``case``: active branch staff of the case's branch."""
    return (
        assignee.is_active
        and assignee.role in BRANCH_ROLES
        and assignee.branch_id == case.branch_id
    )


def can_follow_up(user: Any, case: Case) -> bool:
    """The case's own branch records what comes in after submission, while the case is open."""
    return is_branch_staff_of(user, case) and case.status in OPEN_STATUSES


def can_request_freeze(user: Any, case: Case) -> bool:
    """The case's branch records freeze requests to receiving banks, from the intake on."""
    return is_branch_staff_of(user, case) and (case.is_draft or case.status in OPEN_STATUSES)


def can_record_recovery(user: Any, case: Case) -> bool:
    """The case's own branch records money that came back, once the case is submitted."""
    return is_branch_staff_of(user, case) and case.status not in (
        CaseStatus.DRAFT,
        CaseStatus.WITHDRAWN,
    )


def can_print_receipt(user: Any, case: Case) -> bool:
    """The receipt is handed over at the counter by the case's own branch; compliance and the
    monitoring center read it without printing anything for a customer."""
    return is_branch_staff_of(user, case)


def can_attach(user: Any, case: Case) -> bool:
    """The case's own branch attaches what the customer brings, while the case is alive."""
    return is_branch_staff_of(user, case) and case.status != CaseStatus.WITHDRAWN


def attachment_may_withdraw(*, user: Any, case: Case) -> bool:
    """A supervisor (役席) of the case's own branch takes a wrongly attached document off."""
    return is_branch_supervisor_of(user, case)


def attachment_may_open_withdrawn(*, user: Any) -> bool:
    """A withdrawn document is kept for the auditors: head-office compliance alone opens it."""
    return getattr(user, "role", None) == Role.COMPLIANCE


# A submitted case is corrected or completed until its compensation goes to review.
CORRECTABLE_STATUSES = (CaseStatus.REPORTED, CaseStatus.INVESTIGATING)


def can_correct(user: Any, case: Case) -> bool:
    """The case's own branch corrects a submitted case's details (on the case page) until its
    compensation goes to review."""
    return can_follow_up(user, case) and case.status in CORRECTABLE_STATUSES
