"""The periodic scan: remind, mark overdue, escalate, each step once (compare-and-swap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.cases.services.timeline import bank_language
from incidents.deadlines.calendar import BusinessCalendar
from incidents.deadlines.notices import (
    _args,
    _branch_users,
    _fmt,
    _names,
    _notify_deadline,
    _record,
    _users_with_role,
    _who,
)
from incidents.deadlines.policies import LAST_ESCALATION_LEVEL, policies_all, policy_for
from incidents.models import Deadline, DeadlinePolicy, User
from incidents.models.choices import (
    DeadlineKind,
    DeadlineState,
    EventKind,
    Role,
)

# ---------------------------------------------------------------------------------------------
# The scan


@dataclass(frozen=True)
class ScanAction:
    """One thing the scan did to one deadline."""

    deadline_id: int
    case_number: str
    kind: str
    action: str  # reminded, overdue, escalated, re_escalated
    due_at: datetime
    recipients: tuple[str, ...]

    def __str__(self) -> str:
        who = ", ".join(self.recipients) or "-"
        return (
            f"{self.action:<12} {self.case_number:<16} {self.kind:<20} "
            f"due {_fmt(self.due_at)} → {who}"
        )


@dataclass
class ScanResult:
    """What one scan did."""

    now: datetime
    examined: int = 0
    actions: list[ScanAction] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for done in self.actions if done.action == action)

    def summary(self) -> dict[str, int]:
        return {
            "examined": self.examined,
            "reminded": self.count("reminded"),
            "overdue": self.count("overdue"),
            "escalated": self.count("escalated"),
            "re_escalated": self.count("re_escalated"),
        }


def deadlines_due_ids(*, now: datetime, limit: int = 5000) -> list[int]:
    """Deadlines whose next step is due: one range read on the partial index of next_action_at."""
    return list(
        Deadline.objects.filter(next_action_at__lte=now)
        .order_by("next_action_at")
        .values_list("pk", flat=True)[:limit]
    )


def deadlines_scan(*, now: datetime | None = None, limit: int = 5000) -> ScanResult:
    """Remind, mark overdue, escalate and re-escalate every deadline whose next step is due."""
    now = now or timezone.now()
    result = ScanResult(now=now)
    ids = deadlines_due_ids(now=now, limit=limit)
    result.examined = len(ids)
    if not ids:
        return result
    policies = policies_all()
    calendar = BusinessCalendar()
    staff = _Staff()
    for pk in ids:
        result.actions.extend(
            deadline_advance(
                deadline_id=pk, now=now, policies=policies, calendar=calendar, staff=staff
            )
        )
    return result


def deadline_advance(
    *,
    deadline_id: int,
    now: datetime,
    policies: dict[str, DeadlinePolicy] | None = None,
    calendar: BusinessCalendar | None = None,
    staff: _Staff | None = None,
) -> list[ScanAction]:
    """Take every step of one deadline that is due at ``now``, each once (compare-and-swap).

    The row is read once; each step is its own transaction whose compare-and-swap is conditioned
    on the state read, so a step another scan took meanwhile is not taken again.
    """
    deadline = (
        Deadline.objects.select_related("case", "branch", "owner")
        .filter(pk=deadline_id, next_action_at__lte=now)
        .first()
    )
    if deadline is None:
        return []
    policy = (policies or {}).get(deadline.kind) or policy_for(deadline.kind)
    calendar = calendar or BusinessCalendar()
    staff = staff or _Staff()
    done = []
    while deadline.next_action_at is not None and deadline.next_action_at <= now:
        with transaction.atomic():
            action = _take_step(deadline, now, policy, calendar, staff)
        if action is None:
            break
        done.append(action)
    return done


def _take_step(deadline, now, policy, calendar, staff) -> ScanAction | None:
    if deadline.state == DeadlineState.OPEN and now < deadline.due_at:
        return _remind(deadline, now, staff)
    if deadline.state == DeadlineState.OPEN:
        return _mark_overdue(deadline, now, policy)
    if deadline.state == DeadlineState.OVERDUE:
        return _escalate(deadline, now, policy, calendar, staff)
    if (
        deadline.state == DeadlineState.ESCALATED
        and deadline.escalation_level < LAST_ESCALATION_LEVEL
    ):
        return _re_escalate(deadline, now, staff)
    # Nothing left to do (e.g. a row edited by hand): stop looking at it.
    Deadline.objects.filter(pk=deadline.pk, state=deadline.state).update(next_action_at=None)
    return None


def _remind(deadline, now, staff) -> ScanAction | None:
    took = Deadline.objects.filter(
        pk=deadline.pk, state=DeadlineState.OPEN, reminded_at__isnull=True
    ).update(reminded_at=now, next_action_at=deadline.due_at)
    if took != 1:
        # Already reminded (a scan with an earlier clock, or the policy changed): wait for the due.
        Deadline.objects.filter(
            pk=deadline.pk, state=DeadlineState.OPEN, reminded_at__isnull=False
        ).update(next_action_at=deadline.due_at)
        return None
    deadline.reminded_at, deadline.next_action_at = now, deadline.due_at
    recipients = _owner_or_branch(deadline, staff)
    _notify_deadline(deadline, recipients, "remind")
    with bank_language():
        message = _("「%(kind)s」の期限（%(due)s）が近いことを %(who)s にお知らせしました") % {
            **_args(deadline),
            "who": _names(recipients),
        }
    _record(deadline, None, EventKind.DEADLINE_REMINDED, message, _who(recipients))
    return _action(deadline, "reminded", recipients)


def _mark_overdue(deadline, now, policy) -> ScanAction | None:
    next_action_at = max(deadline.due_at + policy.escalate_after, now)
    took = Deadline.objects.filter(pk=deadline.pk, state=DeadlineState.OPEN).update(
        state=DeadlineState.OVERDUE, next_action_at=next_action_at
    )
    if took != 1:
        return None
    deadline.state, deadline.next_action_at = DeadlineState.OVERDUE, next_action_at
    recipients = [deadline.owner] if deadline.owner and deadline.owner.is_active else []
    _notify_deadline(deadline, recipients, "overdue")
    with bank_language():
        message = _("「%(kind)s」が期限（%(due)s）を過ぎました") % _args(deadline)
    _record(deadline, None, EventKind.DEADLINE_OVERDUE, message, _who(recipients))
    return _action(deadline, "overdue", recipients)


def _escalate(deadline, now, policy, calendar, staff) -> ScanAction | None:
    next_action_at = now + policy.re_escalate_after
    took = Deadline.objects.filter(
        pk=deadline.pk, state=DeadlineState.OVERDUE, escalation_level=0
    ).update(
        state=DeadlineState.ESCALATED,
        escalation_level=1,
        escalated_at=now,
        next_action_at=next_action_at,
    )
    if took != 1:
        return None
    deadline.state, deadline.escalation_level = DeadlineState.ESCALATED, 1
    deadline.escalated_at, deadline.next_action_at = now, next_action_at
    in_hours = calendar.is_branch_hours(now)
    recipients = staff.of_branch(deadline.branch_id, (Role.SUPERVISOR,)) if in_hours else []
    if not recipients:
        # After hours (or a branch without a supervisor) the monitoring center is on duty.
        recipients = staff.with_role(Role.MONITORING)
    _notify_deadline(deadline, recipients, "escalate1")
    with bank_language():
        message = _("「%(kind)s」の期限超過を %(who)s に報告しました（エスカレーション）") % {
            **_args(deadline),
            "who": _names(recipients),
        }
    _record(
        deadline,
        None,
        EventKind.DEADLINE_ESCALATED,
        message,
        {**_who(recipients), "level": 1, "branch_hours": in_hours},
    )
    return _action(deadline, "escalated", recipients)


def _re_escalate(deadline, now, staff) -> ScanAction | None:
    took = Deadline.objects.filter(
        pk=deadline.pk, state=DeadlineState.ESCALATED, escalation_level=1
    ).update(escalation_level=LAST_ESCALATION_LEVEL, escalated_at=now, next_action_at=None)
    if took != 1:
        return None
    deadline.escalation_level, deadline.escalated_at, deadline.next_action_at = (
        LAST_ESCALATION_LEVEL,
        now,
        None,
    )
    recipients = staff.with_role(Role.COMPLIANCE)
    _notify_deadline(deadline, recipients, "escalate2")
    with bank_language():
        message = _(
            "「%(kind)s」がエスカレーション後も未完了のため、本部コンプライアンスに報告しました"
        ) % _args(deadline)
    _record(deadline, None, EventKind.DEADLINE_ESCALATED, message, {**_who(recipients), "level": 2})
    return _action(deadline, "re_escalated", recipients)


class _Staff:
    """Who is on which branch and role, read once per scan (a scan takes a moment)."""

    def __init__(self) -> None:
        self._cache: dict[tuple, list[User]] = {}

    def of_branch(self, branch_id: int, roles: tuple[str, ...]) -> list[User]:
        key = (branch_id, roles)
        if key not in self._cache:
            self._cache[key] = _branch_users(branch_id, roles)
        return self._cache[key]

    def with_role(self, role: str) -> list[User]:
        key = (None, role)
        if key not in self._cache:
            self._cache[key] = _users_with_role(role)
        return self._cache[key]


def _owner_or_branch(deadline: Deadline, staff: _Staff) -> list[User]:
    if deadline.owner is not None and deadline.owner.is_active:
        return [deadline.owner]
    if deadline.kind == DeadlineKind.SUPERVISOR_REVIEW:
        return staff.of_branch(deadline.branch_id, (Role.SUPERVISOR,))
    return staff.of_branch(deadline.branch_id, (Role.TELLER, Role.SUPERVISOR))


def _action(deadline: Deadline, action: str, recipients: list[User]) -> ScanAction:
    return ScanAction(
        deadline_id=deadline.pk,
        case_number=deadline.case.number or f"#{deadline.case_id}",
        kind=deadline.kind,
        action=action,
        due_at=deadline.due_at,
        recipients=tuple(user.username for user in recipients),
    )
