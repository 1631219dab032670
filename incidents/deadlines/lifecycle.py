"""Deadlines opened, met and cancelled as the case moves."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.cases.services.timeline import bank_language
from incidents.deadlines.notices import _fmt, _notify_handoff, _notify_new_case, _record
from incidents.deadlines.policies import _first_action_at, deadline_due_at, policy_for
from incidents.models import Case, Deadline, User
from incidents.models.choices import (
    UNMET_DEADLINE_STATES,
    CaseStatus,
    DeadlineKind,
    DeadlineState,
    EventKind,
    PoliceStatus,
    Role,
)

# ---------------------------------------------------------------------------------------------
# Opening, meeting and cancelling


def deadline_open(
    *,
    case: Case,
    kind: str,
    actor: User | None = None,
    start: datetime | None = None,
    due_at: datetime | None = None,
    owner: User | None = None,
) -> Deadline | None:
    """Open a deadline of ``kind`` on the case unless one is still owed; None when the kind is off."""
    existing = Deadline.objects.filter(
        case=case, kind=kind, state__in=UNMET_DEADLINE_STATES
    ).first()
    if existing is not None:
        return existing
    policy = policy_for(kind)
    if not policy.is_active and due_at is None:
        return None
    due_at = due_at or deadline_due_at(kind=kind, start=start or timezone.now(), policy=policy)
    try:
        with transaction.atomic():
            deadline = Deadline.objects.create(
                case=case,
                kind=kind,
                due_at=due_at,
                owner=owner,
                branch_id=case.branch_id,
                next_action_at=_first_action_at(due_at, policy),
            )
    except IntegrityError:
        # Opened at the same moment by another request: that one stands.
        return Deadline.objects.get(case=case, kind=kind, state__in=UNMET_DEADLINE_STATES)
    with bank_language():
        message = _("「%(kind)s」の期限を %(due)s に設定しました") % {
            "kind": deadline.get_kind_display(),
            "due": _fmt(due_at),
        }
    _record(deadline, actor, EventKind.DEADLINE_OPENED, message, {"due_at": due_at.isoformat()})
    return deadline


def deadline_meet(
    *, case: Case, kind: str, actor: User | None = None, now: datetime | None = None
) -> list[Deadline]:
    """Close the case's owed deadlines of ``kind`` as done (whatever the scan did to them meanwhile)."""
    return _close(case, [kind], DeadlineState.MET, actor, now or timezone.now(), "")


def deadline_cancel(
    *,
    case: Case,
    actor: User | None = None,
    reason: str = "",
    kinds: Iterable[str] | None = None,
    now: datetime | None = None,
) -> list[Deadline]:
    """Cancel the case's owed deadlines (all kinds unless given): nothing is owed any more."""
    return _close(
        case,
        list(kinds) if kinds is not None else None,
        DeadlineState.CANCELLED,
        actor,
        now or timezone.now(),
        reason,
    )


def _close(case, kinds, state, actor, now, reason) -> list[Deadline]:
    owed = Deadline.objects.filter(case=case, state__in=UNMET_DEADLINE_STATES)
    if kinds is not None:
        owed = owed.filter(kind__in=kinds)
    closed = []
    for deadline in owed:
        # Any owed state: a scan that just marked it overdue must not keep it from closing.
        took = Deadline.objects.filter(pk=deadline.pk, state__in=UNMET_DEADLINE_STATES).update(
            state=state, closed_at=now, next_action_at=None
        )
        if took != 1:
            continue
        deadline.state, deadline.closed_at, deadline.next_action_at = state, now, None
        closed.append(deadline)
        with bank_language():
            if state == DeadlineState.MET:
                late = now > deadline.due_at
                message = (
                    _("「%(kind)s」が完了しました（期限 %(due)s を過ぎて完了）")
                    if late
                    else _("「%(kind)s」が完了しました（期限 %(due)s）")
                ) % {"kind": deadline.get_kind_display(), "due": _fmt(deadline.due_at)}
                kind = EventKind.DEADLINE_MET
            else:
                message = _("「%(kind)s」の期限を取り消しました") % {
                    "kind": deadline.get_kind_display()
                }
                if reason:
                    message += f"：{reason}"
                kind = EventKind.DEADLINE_CANCELLED
        _record(deadline, actor, kind, message, {"reason": reason} if reason else {})
    return closed


# ---------------------------------------------------------------------------------------------
# Reactions to the case's life cycle (called by incidents.receivers)


def deadlines_on_case_submitted(*, case: Case, user: User | None) -> list[Deadline]:
    """A report was taken: open what the branch must follow up, and tell whom it concerns."""
    if case.status == CaseStatus.PRELIMINARY:
        pickup = deadline_open(
            case=case,
            kind=DeadlineKind.AFTER_HOURS_PICKUP,
            actor=user,
            start=case.submitted_at or timezone.now(),
        )
        if pickup is not None:
            _notify_handoff(case, pickup)
        return [pickup] if pickup else []
    if case.status == CaseStatus.REPORTED:
        opened = deadlines_open_follow_ups(case=case, user=user)
        _notify_new_case(case, opened)
        return opened
    return []


def deadlines_open_follow_ups(*, case: Case, user: User | None) -> list[Deadline]:
    """Open the police-report and customer-documents deadlines the case calls for."""
    start = case.submitted_at or timezone.now()
    owner_id = case.assigned_to_id or case.created_by_id
    owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if owner is not None and owner.role not in (Role.TELLER, Role.SUPERVISOR):
        owner = None  # a monitoring-center agent does not follow up the branch's case
    opened = []
    if case.police_status == PoliceStatus.NOT_YET:
        opened.append(
            deadline_open(
                case=case, kind=DeadlineKind.POLICE_REPORT, actor=user, start=start, owner=owner
            )
        )
    if case.transactions.exists():
        opened.append(
            deadline_open(
                case=case,
                kind=DeadlineKind.CUSTOMER_DOCUMENTS,
                actor=user,
                start=start,
                owner=owner,
            )
        )
    return [deadline for deadline in opened if deadline is not None]


def deadlines_on_status_changed(*, case: Case, user: User | None, old: str, new: str) -> None:
    """Open, meet or cancel deadlines as the case moves along its life cycle."""
    if new in (CaseStatus.WITHDRAWN, CaseStatus.CLOSED):
        reason = _("取下げ") if new == CaseStatus.WITHDRAWN else _("完了")
        deadline_cancel(case=case, actor=user, reason=reason)
        return
    if old == CaseStatus.IN_REVIEW:
        deadline_meet(case=case, kind=DeadlineKind.SUPERVISOR_REVIEW, actor=user)
    if new == CaseStatus.IN_REVIEW:
        deadline_open(case=case, kind=DeadlineKind.SUPERVISOR_REVIEW, actor=user)
    if old == CaseStatus.PRELIMINARY and new == CaseStatus.REPORTED:
        deadline_meet(case=case, kind=DeadlineKind.AFTER_HOURS_PICKUP, actor=user)
        # Picked up: the branch's own follow-ups start now.
        deadlines_open_follow_ups(case=case, user=user)


def deadlines_on_case_changed(*, case: Case, user: User | None) -> None:
    """A police report recorded after submission meets its deadline."""
    if case.is_draft or case.police_status != PoliceStatus.FILED:
        return
    deadline_meet(case=case, kind=DeadlineKind.POLICE_REPORT, actor=user)
