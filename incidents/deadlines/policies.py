"""How long each kind of deadline runs, and when its steps fall due."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from incidents.deadlines.calendar import BusinessCalendar
from incidents.models import Deadline, DeadlinePolicy
from incidents.models.choices import (
    DeadlineCounting,
    DeadlineKind,
    DeadlineState,
)

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# The seed of docs/domain.md §5.2, also written by migration 0005; used when a policy row is
# missing.
POLICY_DEFAULTS: dict[str, dict] = {
    DeadlineKind.POLICE_REPORT: {
        "counting": DeadlineCounting.CALENDAR_DAYS,
        "days": 7,
        "due_time": time(15, 0),
        "remind_before": DAY,
        "escalate_after": timedelta(0),
        "re_escalate_after": 2 * DAY,
    },
    DeadlineKind.CUSTOMER_DOCUMENTS: {
        "counting": DeadlineCounting.CALENDAR_DAYS,
        "days": 14,
        "due_time": time(15, 0),
        "remind_before": 2 * DAY,
        "escalate_after": timedelta(0),
        "re_escalate_after": 2 * DAY,
    },
    DeadlineKind.AFTER_HOURS_PICKUP: {
        "counting": DeadlineCounting.NEXT_OPENING,
        "days": 0,
        "due_time": time(10, 0),
        "remind_before": HOUR,
        "escalate_after": timedelta(0),
        "re_escalate_after": 2 * HOUR,
    },
    DeadlineKind.SUPERVISOR_REVIEW: {
        "counting": DeadlineCounting.BUSINESS_DAYS,
        "days": 2,
        "due_time": time(16, 0),
        "remind_before": 4 * HOUR,
        "escalate_after": timedelta(0),
        "re_escalate_after": DAY,
    },
    # The receiving bank's answer to a freeze request, asked again after two business days.
    DeadlineKind.FREEZE_FOLLOW_UP: {
        "counting": DeadlineCounting.BUSINESS_DAYS,
        "days": 2,
        "due_time": time(15, 0),
        "remind_before": 4 * HOUR,
        "escalate_after": timedelta(0),
        "re_escalate_after": DAY,
    },
    # Due on the application period's first business day (its dates are recorded, not counted;
    # ``days`` is unused): the owner is reminded that morning to tell the customer it is open.
    DeadlineKind.REMEDY_APPLICATION_OPENS: {
        "counting": DeadlineCounting.CALENDAR_DAYS,
        "days": 1,
        "due_time": time(15, 0),
        "remind_before": 6 * HOUR,
        "escalate_after": timedelta(0),
        "re_escalate_after": 2 * DAY,
    },
    # Due on the application period's last business day (its dates are recorded, not counted);
    # ``days`` is unused but the table's constraint wants one. The owner hears a week before.
    DeadlineKind.REMEDY_APPLICATION: {
        "counting": DeadlineCounting.CALENDAR_DAYS,
        "days": 30,
        "due_time": time(15, 0),
        "remind_before": 7 * DAY,
        "escalate_after": timedelta(0),
        "re_escalate_after": 2 * DAY,
    },
}

LAST_ESCALATION_LEVEL = 2


# ---------------------------------------------------------------------------------------------
# Policies and due times


def policy_for(kind: str) -> DeadlinePolicy:
    """The administrator's policy for a kind of deadline (re-seeded from the defaults if missing)."""
    policy, _created = DeadlinePolicy.objects.get_or_create(
        kind=kind, defaults=POLICY_DEFAULTS[kind]
    )
    return policy


def policies_all() -> dict[str, DeadlinePolicy]:
    """Every kind's policy, read once (for a scan)."""
    found = {policy.kind: policy for policy in DeadlinePolicy.objects.all()}
    for kind in DeadlineKind.values:
        if kind not in found:
            found[kind] = policy_for(kind)
    return found


def deadline_due_at(
    *,
    kind: str,
    start: datetime,
    policy: DeadlinePolicy | None = None,
    calendar: BusinessCalendar | None = None,
) -> datetime:
    """When a deadline of ``kind`` opened at ``start`` falls due, on the bank's calendar."""
    policy = policy or policy_for(kind)
    calendar = calendar or BusinessCalendar()
    local = timezone.localtime(start)
    if policy.counting == DeadlineCounting.NEXT_OPENING:
        return calendar.next_opening_at(local, policy.due_time)
    if policy.counting == DeadlineCounting.BUSINESS_DAYS:
        day = calendar.add_business_days(local, policy.days).date()
    else:
        # A customer cannot bring anything on a closed day: the due day moves to the next open one.
        day = calendar.next_business_day(local.date() + timedelta(days=policy.days), include=True)
    return timezone.make_aware(datetime.combine(day, policy.due_time))


def _first_action_at(due_at: datetime, policy: DeadlinePolicy) -> datetime:
    if policy.remind_before and policy.remind_before > timedelta(0):
        return due_at - policy.remind_before
    return due_at


def deadline_policy_reschedule(*, policy: DeadlinePolicy) -> int:
    """Apply a changed policy's reminder and escalation times to the deadlines still owed."""
    owed = Deadline.objects.filter(kind=policy.kind)
    remind = policy.remind_before if policy.remind_before > timedelta(0) else timedelta(0)
    changed = owed.filter(state=DeadlineState.OPEN, reminded_at__isnull=True).update(
        next_action_at=F("due_at") - remind
    )
    changed += owed.filter(state=DeadlineState.OVERDUE).update(
        next_action_at=F("due_at") + policy.escalate_after
    )
    changed += owed.filter(state=DeadlineState.ESCALATED, escalation_level=1).update(
        next_action_at=F("escalated_at") + policy.re_escalate_after
    )
    return changed
