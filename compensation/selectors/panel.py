"""The compensation panel of the case page."""

from __future__ import annotations

from dataclasses import dataclass

from compensation.models import Decision
from compensation.selectors.access import (
    branch_staff_of,
    can_mark_paid,
    can_prepare,
    can_record_findings,
    can_review,
)
from compensation.selectors.decisions import case_decisions, decision_current, decision_open
from compensation.selectors.evaluation import (
    Evaluation,
    case_evaluate,
    evaluation_approval_problems,
)
from incidents.models import Case, User


@dataclass
class Panel:
    """The compensation panel of a case page."""

    case: Case
    evaluation: Evaluation
    decisions: list[Decision]
    current: Decision | None
    open: Decision | None
    approval_problems: list[str]
    differs_from_current: bool
    may_record_findings: bool
    may_prepare: bool
    may_review: bool
    may_mark_paid: bool


def case_panel(*, case: Case, user: User) -> Panel:
    """Everything the compensation panel shows for a case, recomputed from the current facts."""
    evaluation = case_evaluate(case)
    decisions = case_decisions(case)
    for decision in decisions:
        decision.case = case  # avoid one query per decision in the permission checks
    current = decision_current(decisions)
    pending = decision_open(decisions)
    branch_staff = branch_staff_of(user, case)
    return Panel(
        case=case,
        evaluation=evaluation,
        decisions=decisions,
        current=current,
        open=pending,
        approval_problems=evaluation_approval_problems(evaluation),
        differs_from_current=current is not None and current.facts != evaluation.snapshot,
        may_record_findings=branch_staff and can_record_findings(user, case),
        may_prepare=branch_staff and pending is None and can_prepare(user, case),
        may_review=branch_staff and pending is not None and can_review(user, pending),
        may_mark_paid=branch_staff and can_mark_paid(user, case, current),
    )
