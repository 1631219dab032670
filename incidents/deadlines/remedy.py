"""The Remedy Act's deadlines on a case (docs/domain.md §9): following up a freeze request the
receiving bank has not answered yet, and the opening and the close of the application period for
distribution (the customer is told of both)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.cases.services.timeline import bank_language
from incidents.deadlines.calendar import BusinessCalendar
from incidents.deadlines.lifecycle import deadline_cancel, deadline_meet, deadline_open
from incidents.deadlines.notices import _branch_users
from incidents.deadlines.policies import policy_for
from incidents.models import Case, Deadline, User
from incidents.models.choices import (
    UNMET_DEADLINE_STATES,
    CaseStatus,
    DeadlineKind,
    FreezeAnswer,
    Role,
)
from notifications.choices import NotificationKind
from notifications.services import notification_create

OWED_CASE_STATUSES = (
    CaseStatus.PRELIMINARY,
    CaseStatus.REPORTED,
    CaseStatus.INVESTIGATING,
    CaseStatus.IN_REVIEW,
    CaseStatus.DECIDED,
    CaseStatus.PAID,
)


def _owner(case: Case) -> User | None:
    owner_id = case.assigned_to_id or case.created_by_id
    owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if owner is not None and owner.role not in (Role.TELLER, Role.SUPERVISOR):
        return None
    return owner


def remedy_application_due_at(closes_on, calendar: BusinessCalendar | None = None) -> datetime:
    """When the branch must have helped the customer apply: the policy's time on the last
    business day on or before the period's last day (a closed branch cannot help on the day)."""
    calendar = calendar or BusinessCalendar()
    policy = policy_for(DeadlineKind.REMEDY_APPLICATION)
    day = closes_on
    for _step in range(31):  # the longest run of closed days is the New Year's
        if calendar.is_business_day(day):
            break
        day = day.fromordinal(day.toordinal() - 1)
    return timezone.make_aware(datetime.combine(day, policy.due_time))


def remedy_opening_due_at(opens_on, calendar: BusinessCalendar | None = None) -> datetime:
    """When the owner must have told the customer the application period is open: the policy's
    time on the period's first business day (the reminder comes that morning)."""
    calendar = calendar or BusinessCalendar()
    policy = policy_for(DeadlineKind.REMEDY_APPLICATION_OPENS)
    day = calendar.next_business_day(opens_on, include=True)
    return timezone.make_aware(datetime.combine(day, policy.due_time))


def _owe(
    *, case: Case, kind: str, due_at: datetime, user: User | None, owner: User | None
) -> Deadline | None:
    """Owe one deadline of ``kind`` due at ``due_at``: one owed for another time (a corrected
    date) is cancelled first, so exactly one stays owed."""
    owed = Deadline.objects.filter(case=case, kind=kind, state__in=UNMET_DEADLINE_STATES).first()
    if owed is not None and owed.due_at != due_at:
        with bank_language():
            reason = _("申請期間の変更")
        deadline_cancel(case=case, actor=user, reason=reason, kinds=[kind])
    return deadline_open(case=case, kind=kind, actor=user, due_at=due_at, owner=owner)


def deadlines_on_remedy_changed(*, case: Case, user: User | None) -> list[Deadline]:
    """Bring the case's Remedy Act deadlines in line with its freeze requests: a request still
    awaiting the receiving bank's answer is followed up on the business calendar; an answer meets
    the follow-up; the application period's opening and close, once published, are deadlines of
    the case's owner, reminded on the opening morning and a week before the close."""
    if case.status not in OWED_CASE_STATUSES:
        return []
    requests = list(case.freeze_requests.all())
    if not requests:
        return []
    opened: list[Deadline] = []
    owner = _owner(case)
    waiting = [f for f in requests if f.answer == FreezeAnswer.PENDING]
    if waiting:
        follow_up = deadline_open(
            case=case,
            kind=DeadlineKind.FREEZE_FOLLOW_UP,
            actor=user,
            start=min(f.requested_at for f in waiting),
            owner=owner,
        )
        if follow_up is not None:
            opened.append(follow_up)
    else:
        deadline_meet(case=case, kind=DeadlineKind.FREEZE_FOLLOW_UP, actor=user)
    # The customer hears when the period opens: owed while its first business day is to come.
    now = timezone.now()
    calendar = BusinessCalendar()
    openings = [
        due
        for due in (
            remedy_opening_due_at(f.distribution_opens_on, calendar)
            for f in requests
            if f.distribution_opens_on is not None
        )
        if due >= now
    ]
    if openings:
        opening = _owe(
            case=case,
            kind=DeadlineKind.REMEDY_APPLICATION_OPENS,
            due_at=min(openings),
            user=user,
            owner=owner,
        )
        if opening is not None:
            opened.append(opening)
    today = timezone.localdate()
    closes = [
        f.distribution_closes_on
        for f in requests
        if f.distribution_closes_on is not None and f.distribution_closes_on >= today
    ]
    if closes:
        application = _owe(
            case=case,
            kind=DeadlineKind.REMEDY_APPLICATION,
            due_at=remedy_application_due_at(min(closes), calendar),
            user=user,
            owner=owner,
        )
        if application is not None:
            opened.append(application)
    return opened


def remedy_notify_flagged(*, case: Case) -> int:
    """A case flagged by a warning sign was taken: tell the branch's supervisors, once each."""
    if not case.supervisor_flagged or case.is_draft:
        return 0
    sent = 0
    for user in _branch_users(case.branch_id, (Role.SUPERVISOR,)):
        with translation.override(user.language):
            notification_create(
                recipient=user,
                kind=NotificationKind.INFO,
                title=_("役席の確認が必要：%(number)s") % {"number": case.number},
                body=_(
                    "受付番号 %(number)s（%(branch)s）で、お客さまから詐欺の兆候となる出来事が"
                    "聞き取られました。振り込め詐欺等の被害として内容を確認してください。"
                )
                % {"number": case.number, "branch": case.branch.name},
                url=case.get_absolute_url(),
                link_label=case.number or "",
                dedupe_key=f"case:{case.pk}:flagged:{user.pk}",
            )
        sent += 1
    return sent
