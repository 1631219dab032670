"""Deadlines the branch closes by hand, as guarded case writes."""

from __future__ import annotations

from incidents.cases.edits import EditStamp, case_edit, case_unchanged
from incidents.deadlines.lifecycle import deadline_meet
from incidents.models import (
    Case,
    Deadline,
    User,
)
from incidents.models.choices import (
    UNMET_DEADLINE_STATES,
)


def case_deadline_meet(
    *, case: Case, user: User, deadline_id: int, stamp: EditStamp | None = None
) -> bool:
    """Mark a deadline the branch closes by hand (the customer's documents) as done; False when
    it was no longer owed."""
    with case_edit(case=case, user=user, stamp=stamp, action="deadline_meet") as current:
        deadline = Deadline.objects.get(pk=deadline_id, case=current)
        if deadline.state not in UNMET_DEADLINE_STATES:
            case_unchanged(current)
            return False
        deadline_meet(case=current, kind=deadline.kind, actor=user)
    return True
