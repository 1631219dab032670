"""Deadlines of a case (DOMAIN §5): open, meet and cancel them, and the scan that reminds and escalates.

Each deadline carries ``next_action_at``, the moment the scan must next look at it:
the reminder (``due_at - remind_before``), then the due time (marked overdue), then the escalation
to the branch's supervisors — after branch hours to the monitoring center — and a while later the
re-escalation to head-office compliance, after which nothing is scheduled. Every step is a
compare-and-swap on the state (and escalation level) in its own transaction, together with its
notices and its line on the case timeline, so overlapping scans, a retried task or a second beat
act once, and a scan that dies leaves nothing half done.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.calendar import BusinessCalendar
from incidents.choices import (
    UNMET_DEADLINE_STATES,
    CaseStatus,
    DeadlineCounting,
    DeadlineKind,
    DeadlineState,
    EventKind,
    PoliceStatus,
    Role,
)
from incidents.models import Case, Deadline, DeadlinePolicy, TimelineEvent, User
from notifications.choices import NotificationKind
from notifications.services import notification_create

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# The seed of DOMAIN §5, also written by migration 0005; used when a policy row is missing.
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
    with _bank_language():
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
        with _bank_language():
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
    if deadline.state == DeadlineState.ESCALATED and deadline.escalation_level < 2:
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
    with _bank_language():
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
    with _bank_language():
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
    with _bank_language():
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
    ).update(escalation_level=2, escalated_at=now, next_action_at=None)
    if took != 1:
        return None
    deadline.escalation_level, deadline.escalated_at, deadline.next_action_at = 2, now, None
    recipients = staff.with_role(Role.COMPLIANCE)
    _notify_deadline(deadline, recipients, "escalate2")
    with _bank_language():
        message = _(
            "「%(kind)s」がエスカレーション後も未完了のため、本部コンプライアンスに報告しました"
        ) % _args(deadline)
    _record(deadline, None, EventKind.DEADLINE_ESCALATED, message, {**_who(recipients), "level": 2})
    return _action(deadline, "re_escalated", recipients)


# What each step of a deadline tells its recipients: (notice kind, title, body), worded in each
# recipient's language when the notice is written.
DEADLINE_NOTICES = {
    "remind": (
        NotificationKind.REMINDER,
        gettext_lazy("期限が近づいています：%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」の期限は %(due)s です。"
            "期限までに対応をお願いします。"
        ),
    ),
    "overdue": (
        NotificationKind.OVERDUE,
        gettext_lazy("期限を過ぎました：%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」が期限 %(due)s を過ぎました。"
            "至急ご対応ください。"
        ),
    ),
    "escalate1": (
        NotificationKind.ESCALATION,
        gettext_lazy("【期限超過】%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」が期限 %(due)s を過ぎても"
            "完了していません。担当：%(owner)s。状況を確認し、対応を指示してください。"
        ),
    ),
    "escalate2": (
        NotificationKind.ESCALATION,
        gettext_lazy("【再エスカレーション】%(number)s %(kind)s"),
        gettext_lazy(
            "受付番号 %(number)s（%(branch)s）の「%(kind)s」は期限 %(due)s を過ぎ、"
            "役席・監視センターへの報告後も完了していません。担当：%(owner)s。"
        ),
    ),
}


def _notify_deadline(deadline, recipients, step: str) -> None:
    """One notice per recipient and step (``DEADLINE_NOTICES``), in the recipient's language."""
    kind, title, body = DEADLINE_NOTICES[step]
    owner = deadline.owner.display_name if deadline.owner else ""
    for user in recipients:
        with translation.override(user.language):
            args = {**_args(deadline), "owner": owner or _("未定")}
            notification_create(
                recipient=user,
                kind=kind,
                title=str(title) % args,
                body=str(body) % args,
                url=deadline.case.get_absolute_url(),
                link_label=deadline.case.number or "",
                dedupe_key=f"deadline:{deadline.pk}:{step}:{user.pk}",
            )


# ---------------------------------------------------------------------------------------------
# Notices when a case is taken, and the supervisors' morning digest


def _notify_new_case(case: Case, opened: list[Deadline]) -> None:
    supervisors = [
        user
        for user in _branch_users(case.branch_id, (Role.SUPERVISOR,))
        if user.pk != case.submitted_by_id
    ]
    for user in supervisors:
        with translation.override(user.language):
            lines = [
                _("・%(kind)s：%(due)s まで")
                % {"kind": d.get_kind_display(), "due": _fmt(d.due_at)}
                for d in opened
            ]
            body = _("受付番号 %(number)s を %(branch)s で受け付けました。") % {
                "number": case.number,
                "branch": case.branch.name,
            }
            if lines:
                body += "\n" + _("期限：") + "\n" + "\n".join(lines)
            notification_create(
                recipient=user,
                kind=NotificationKind.NEW_CASE,
                title=_("新しい受付：%(number)s") % {"number": case.number},
                body=body,
                url=case.get_absolute_url(),
                link_label=case.number or "",
                dedupe_key=f"case:{case.pk}:submitted:{user.pk}",
            )


def _notify_handoff(case: Case, pickup: Deadline) -> None:
    for user in _branch_users(case.branch_id, (Role.TELLER, Role.SUPERVISOR)):
        with translation.override(user.language):
            args = _args(pickup)
            notification_create(
                recipient=user,
                kind=NotificationKind.HANDOFF,
                title=_("時間外受付の引継ぎ：%(number)s") % args,
                body=_(
                    "監視センターが時間外に受け付けた受付番号 %(number)s を、"
                    "%(due)s までに%(branch)sで引き継いでください。"
                )
                % args,
                url=case.get_absolute_url(),
                link_label=case.number or "",
                dedupe_key=f"case:{case.pk}:handoff:{user.pk}",
            )


def deadlines_digest_send(*, now: datetime | None = None) -> int:
    """Send each branch supervisor the branch's overdue and due-today deadlines; returns how many.

    Only on business days, and only to supervisors with something to see; a second run the same
    day sends nothing new (one notice per supervisor and day).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = BusinessCalendar()
    if not calendar.is_business_day(today):
        return 0
    end_of_today = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(0, 0)))
    by_branch: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in (
        Deadline.objects.filter(state__in=UNMET_DEADLINE_STATES, due_at__lt=end_of_today)
        .select_related("case", "owner")
        .order_by("due_at")
    ):
        by_branch[deadline.branch_id].append(deadline)
    if not by_branch:
        return 0
    sent = 0
    for user in User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, branch_id__in=list(by_branch)
    ).select_related("branch"):
        deadlines = by_branch[user.branch_id]
        with translation.override(user.language):
            late = [d for d in deadlines if d.due_at <= now or d.is_late]
            today_due = [d for d in deadlines if d not in late]
            body = []
            if late:
                body.append(_("■ 期限超過（%(count)d件）") % {"count": len(late)})
                body.extend(_digest_line(d) for d in late)
            if today_due:
                body.append(_("■ 本日が期限（%(count)d件）") % {"count": len(today_due)})
                body.extend(_digest_line(d) for d in today_due)
            notification_create(
                recipient=user,
                kind=NotificationKind.DIGEST,
                title=_("%(day)s の期限一覧（%(branch)s）：超過 %(late)d件・本日 %(today)d件")
                % {
                    "day": today.strftime("%Y/%m/%d"),
                    "branch": user.branch.name,
                    "late": len(late),
                    "today": len(today_due),
                },
                body="\n".join(body),
                url="/",
                dedupe_key=f"digest:{today.isoformat()}:{user.pk}",
            )
        sent += 1
    return sent


def _digest_line(deadline: Deadline) -> str:
    return _("・%(number)s %(kind)s（期限 %(due)s、担当 %(owner)s）") % {
        **_args(deadline),
        "owner": deadline.owner.display_name if deadline.owner else _("未定"),
    }


# ---------------------------------------------------------------------------------------------
# Helpers


def _branch_users(branch_id: int, roles) -> list[User]:
    return list(
        User.objects.filter(branch_id=branch_id, role__in=roles, is_active=True).order_by("pk")
    )


def _users_with_role(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("pk"))


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


def _args(deadline: Deadline) -> dict[str, str]:
    """Message arguments, in the language active when called (the recipient's)."""
    return {
        "number": deadline.case.number or f"#{deadline.case_id}",
        "kind": str(DeadlineKind(deadline.kind).label),
        "branch": deadline.branch.name,
        "due": _fmt(deadline.due_at),
    }


def _fmt(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y/%m/%d %H:%M")


def _names(users: list[User]) -> str:
    return "、".join(user.display_name for user in users) or "—"


def _who(users: list[User]) -> dict:
    return {"recipients": [user.pk for user in users]}


def _action(deadline: Deadline, action: str, recipients: list[User]) -> ScanAction:
    return ScanAction(
        deadline_id=deadline.pk,
        case_number=deadline.case.number or f"#{deadline.case_id}",
        kind=deadline.kind,
        action=action,
        due_at=deadline.due_at,
        recipients=tuple(user.username for user in recipients),
    )


def _bank_language():
    # The timeline is the bank's record: written in the bank's language whoever is signed in.
    return translation.override(settings.LANGUAGE_CODE)


def _record(deadline: Deadline, actor, kind: str, message: str, data: dict) -> None:
    TimelineEvent.objects.create(
        case_id=deadline.case_id,
        actor=actor,
        kind=kind,
        message=message,
        data={"deadline": deadline.pk, "deadline_kind": deadline.kind, **data},
    )


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
