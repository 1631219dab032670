"""Writes for compensation: policy versions, the supervisor's findings, four-eyes decisions.
Split by concern; import from here."""

from __future__ import annotations

from compensation.services.decisions import (
    case_mark_paid,
    decision_approve,
    decision_letter_record,
    decision_return,
    decision_review_check,
    decision_submit,
)
from compensation.services.errors import (
    DecisionError,
)
from compensation.services.findings import (
    FINDINGS_FIELDS,
    case_by_case_rate_set,
    findings_save,
    item_fault_confirm,
)
from compensation.services.freeze_core import (
    freeze_case_confirm,
    freeze_case_escalate,
    freeze_case_record_by_hand,
    freeze_case_refuse,
    freeze_case_retry,
    freeze_core_register,
)
from compensation.services.freeze_guard import (
    FREEZES,
    STALE_FREEZE_MESSAGE,
    StaleFreezeError,
    freeze_access_record,
    freeze_edit,
    freeze_event_record,
)
from compensation.services.freeze_reminders import (
    ReminderScan,
    freeze_reminders_cancel,
    freeze_reminders_scan,
    freeze_reminders_schedule,
    reminder_times,
)
from compensation.services.policy import (
    DEFAULT_POLICY_VALID_FROM,
    POLICY_FIELDS,
    PolicyFrozenError,
    policy_version_check_new_valid_from,
    policy_version_create,
    policy_version_default_ensure,
    policy_version_delete,
    policy_version_update,
)
from compensation.services.remedy import (
    application_decide,
    application_record,
    distribution_approve,
    distribution_input,
    distribution_return,
    distribution_submit,
    evidence_add,
    freeze_applications_open,
    freeze_case_open,
    freeze_notice_record,
)

__all__ = [
    "DEFAULT_POLICY_VALID_FROM",
    "FINDINGS_FIELDS",
    "FREEZES",
    "POLICY_FIELDS",
    "STALE_FREEZE_MESSAGE",
    "DecisionError",
    "PolicyFrozenError",
    "ReminderScan",
    "StaleFreezeError",
    "application_decide",
    "application_record",
    "case_by_case_rate_set",
    "case_mark_paid",
    "decision_approve",
    "decision_letter_record",
    "decision_return",
    "decision_review_check",
    "decision_submit",
    "distribution_approve",
    "distribution_input",
    "distribution_return",
    "distribution_submit",
    "evidence_add",
    "findings_save",
    "freeze_access_record",
    "freeze_applications_open",
    "freeze_case_confirm",
    "freeze_case_escalate",
    "freeze_case_open",
    "freeze_case_record_by_hand",
    "freeze_case_refuse",
    "freeze_case_retry",
    "freeze_core_register",
    "freeze_edit",
    "freeze_event_record",
    "freeze_notice_record",
    "freeze_reminders_cancel",
    "freeze_reminders_scan",
    "freeze_reminders_schedule",
    "item_fault_confirm",
    "policy_version_check_new_valid_from",
    "policy_version_create",
    "policy_version_default_ensure",
    "policy_version_delete",
    "policy_version_update",
    "reminder_times",
]
