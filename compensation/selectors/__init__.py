"""Reads for compensation: the policy in force, a case's evaluation, its decisions, who may do
what, the case page's panel. Split by concern; import from here."""

from __future__ import annotations

from compensation.selectors.access import (
    FINDINGS_STATUSES,
    SUBMIT_STATUSES,
    branch_staff_of,
    can_mark_paid,
    can_prepare,
    can_record_findings,
    can_review,
    finding_authors,
)
from compensation.selectors.decisions import (
    StoredDecision,
    StoredLine,
    case_decisions,
    case_for_compensation,
    decision_current,
    decision_get,
    decision_open,
    decision_stored,
)
from compensation.selectors.evaluation import (
    LIMIT_BASE_LABELS,
    CaseFacts,
    Evaluation,
    ItemView,
    Line,
    case_by_case_sentence,
    case_evaluate,
    case_facts,
    case_findings,
    evaluation_approval_problems,
    item_ref,
    transaction_ref,
)
from compensation.selectors.panel import (
    Panel,
    case_panel,
)
from compensation.selectors.policy import (
    first_free_day,
    policy_earliest_new_valid_from,
    policy_from_version,
    policy_in_force,
    policy_next_free_valid_from,
    policy_version_in_force,
    policy_version_is_used,
)
from compensation.selectors.review import Circumstances, review_circumstances

__all__ = [
    "FINDINGS_STATUSES",
    "LIMIT_BASE_LABELS",
    "SUBMIT_STATUSES",
    "CaseFacts",
    "Circumstances",
    "Evaluation",
    "ItemView",
    "Line",
    "Panel",
    "StoredDecision",
    "StoredLine",
    "branch_staff_of",
    "can_mark_paid",
    "can_prepare",
    "can_record_findings",
    "can_review",
    "case_by_case_sentence",
    "case_decisions",
    "case_evaluate",
    "case_facts",
    "case_findings",
    "case_for_compensation",
    "case_panel",
    "decision_current",
    "decision_get",
    "decision_open",
    "decision_stored",
    "evaluation_approval_problems",
    "finding_authors",
    "first_free_day",
    "item_ref",
    "policy_earliest_new_valid_from",
    "policy_from_version",
    "policy_in_force",
    "policy_next_free_valid_from",
    "policy_version_in_force",
    "policy_version_is_used",
    "review_circumstances",
    "transaction_ref",
]
