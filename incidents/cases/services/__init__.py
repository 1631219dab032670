"""Writes to cases: every change a member of staff makes goes through these functions, each
through the one guarded path (incidents.cases.edits). Split by concern; import from here."""

from __future__ import annotations

from incidents.cases.edits import EditReplayed, EditStamp, StaleCaseError
from incidents.cases.services.assignment import (
    AssignmentError,
    case_assign,
    case_assign_many,
    case_pickup,
    staff_can_work,
)
from incidents.cases.services.drafts import (
    DiscardRefusedError,
    SubmissionError,
    TransitionError,
    case_discard_draft,
    case_search_text,
    case_start_draft,
    case_submit,
    case_transition,
    case_update,
)
from incidents.cases.services.freeze_core import core_branch_for
from incidents.cases.services.items import (
    ITEM_FIELDS,
    actions_propose,
    case_add_item,
    case_save_items,
)
from incidents.cases.services.merge import (
    MergeError,
    case_merge,
    case_merge_undo,
    merge_refusal,
    same_customer,
    undo_refusal,
)
from incidents.cases.services.outbox import (
    SweepResult,
    core_request_send,
    core_requests_sweep,
)
from incidents.cases.services.preliminary import (
    BranchNotFoundError,
    case_open_preliminary,
)
from incidents.cases.services.remedy import (
    FRAUD_FIELDS,
    FREEZE_FIELDS,
    SIGN_FIELDS,
    case_save_customer,
    case_save_fraud,
    freeze_request_save,
)
from incidents.cases.services.stops import (
    CoreAnswerConflict,
    CoreRequestNotFound,
    action_confirm,
    action_decline,
    action_fail,
    action_perform,
    case_save_stops,
    emergency_stops_perform,
)
from incidents.cases.services.timeline import (
    case_access_record,
    case_receipt_printed,
    record_access_record,
    timeline_record,
)
from incidents.cases.services.transactions import (
    TRANSACTION_FIELDS,
    RecoveryError,
    TransactionRefused,
    case_save_transactions,
    transaction_record_recovery,
)
from incidents.cases.services.withdrawal import (
    WithdrawalError,
    withdrawal_confirm,
    withdrawal_reject,
    withdrawal_request_create,
)

__all__ = [
    "FRAUD_FIELDS",
    "FREEZE_FIELDS",
    "ITEM_FIELDS",
    "SIGN_FIELDS",
    "TRANSACTION_FIELDS",
    "AssignmentError",
    "BranchNotFoundError",
    "CoreAnswerConflict",
    "CoreRequestNotFound",
    "DiscardRefusedError",
    "EditReplayed",
    "EditStamp",
    "MergeError",
    "RecoveryError",
    "StaleCaseError",
    "SubmissionError",
    "SweepResult",
    "TransactionRefused",
    "TransitionError",
    "WithdrawalError",
    "action_confirm",
    "action_decline",
    "action_fail",
    "action_perform",
    "actions_propose",
    "case_access_record",
    "case_add_item",
    "case_assign",
    "case_assign_many",
    "case_discard_draft",
    "case_merge",
    "case_merge_undo",
    "case_open_preliminary",
    "case_pickup",
    "case_receipt_printed",
    "case_save_customer",
    "case_save_fraud",
    "case_save_items",
    "case_save_stops",
    "case_save_transactions",
    "case_search_text",
    "case_start_draft",
    "case_submit",
    "case_transition",
    "case_update",
    "core_branch_for",
    "core_request_send",
    "core_requests_sweep",
    "emergency_stops_perform",
    "freeze_request_save",
    "merge_refusal",
    "record_access_record",
    "same_customer",
    "staff_can_work",
    "timeline_record",
    "transaction_record_recovery",
    "undo_refusal",
    "withdrawal_confirm",
    "withdrawal_reject",
    "withdrawal_request_create",
]
