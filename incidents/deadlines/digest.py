"""The supervisors' morning digest of what is owed."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.deadlines.calendar import BusinessCalendar
from incidents.deadlines.notices import _args
from incidents.models import Deadline, User
from incidents.models.choices import (
    UNMET_DEADLINE_STATES,
    Role,
)
from notifications.choices import NotificationKind
from notifications.services import notification_create


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
        branch = user.branch
        if branch is None:  # never: the staff of the branches above
            continue
        deadlines = by_branch[branch.pk]
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
                    "branch": branch.name,
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
