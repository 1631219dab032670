"""Deadlines on the bank's business calendar (docs/domain.md §5): their policies, their life with
the case, the periodic scan that reminds and escalates, the notices and the morning digest."""

from __future__ import annotations

from incidents.deadlines.digest import (
    deadlines_digest_send,
)
from incidents.deadlines.lifecycle import (
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadlines_on_case_changed,
    deadlines_on_case_submitted,
    deadlines_on_status_changed,
    deadlines_open_follow_ups,
)
from incidents.deadlines.notices import (
    DEADLINE_NOTICES,
)
from incidents.deadlines.policies import (
    DAY,
    HOUR,
    LAST_ESCALATION_LEVEL,
    deadline_due_at,
    deadline_policy_reschedule,
    policies_all,
    policy_for,
)
from incidents.deadlines.scan import (
    ScanAction,
    ScanResult,
    deadline_advance,
    deadlines_due_ids,
    deadlines_scan,
)

__all__ = [
    "DAY",
    "DEADLINE_NOTICES",
    "HOUR",
    "LAST_ESCALATION_LEVEL",
    "ScanAction",
    "ScanResult",
    "deadline_advance",
    "deadline_cancel",
    "deadline_due_at",
    "deadline_meet",
    "deadline_open",
    "deadline_policy_reschedule",
    "deadlines_digest_send",
    "deadlines_due_ids",
    "deadlines_on_case_changed",
    "deadlines_on_case_submitted",
    "deadlines_on_status_changed",
    "deadlines_open_follow_ups",
    "deadlines_scan",
    "policies_all",
    "policy_for",
]
