"""Reminders of a freeze case's periods on the business calendar, and the scan that sends them.

When the notice or the application period is recorded, two reminders are owed: some business
days before the period's last day, and on the first business day after it (the next step is
due). The periodic scan (compensation.tasks.scan_freeze_reminders, every minute) sends what is
due to the freeze case's owner and the branch's supervisors, exactly once however many scans
overlap: it locks a batch of due rows (skipping rows another scan holds), claims them with one
compare-and-swap ``UPDATE … WHERE sent_at IS NULL … RETURNING``, and writes the notices (unique
``dedupe_key``) and timeline lines for exactly the rows it claimed, in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compensation.choices import FreezeEventKind, FreezePeriod, ReminderStep
from compensation.models import FreezeCase, FreezeEvent, FreezeReminder
from incidents.cases.services.timeline import bank_language
from incidents.deadlines.calendar import is_business_day, next_business_day
from incidents.models import User
from incidents.models.choices import Role
from notifications.choices import NotificationKind
from notifications.services import NotificationDraft, notification_create_many

REMIND_AT = datetime.time(9, 0)  # Asia/Tokyo: as the branch opens
BATCH = 500


def _morning(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, REMIND_AT))


def reminder_times(last_day: datetime.date) -> dict[str, datetime.datetime]:
    """When each step of a period ending on ``last_day`` is sent: the morning of the business
    day MAMORI_FREEZE_REMIND_BUSINESS_DAYS business days before it, and the morning of the
    first business day after it."""
    day = last_day
    for _n in range(settings.MAMORI_FREEZE_REMIND_BUSINESS_DAYS):
        day -= datetime.timedelta(days=1)
        while not is_business_day(day):
            day -= datetime.timedelta(days=1)
    return {
        ReminderStep.BEFORE: _morning(day),
        ReminderStep.ENDED: _morning(next_business_day(last_day)),
    }


def freeze_reminders_schedule(*, freeze: FreezeCase, period: str, last_day: datetime.date) -> None:
    """Owe the two reminders of a period just recorded (inside the freeze case's guarded write)."""
    FreezeReminder.objects.bulk_create(
        [
            FreezeReminder(
                freeze_case=freeze, period=period, step=step, period_ends_on=last_day, due_at=due
            )
            for step, due in reminder_times(last_day).items()
        ]
    )


def freeze_reminders_cancel(*, freeze: FreezeCase, period: str | None = None) -> int:
    """Cancel the reminders not sent yet (a period made moot, the freeze case decided). A row a
    scan holds is waited for, then found sent and left alone."""
    owed = FreezeReminder.objects.filter(freeze_case=freeze, due_at__isnull=False)
    if period is not None:
        owed = owed.filter(period=period)
    return owed.update(due_at=None, cancelled_at=timezone.now())


@dataclass(frozen=True)
class ReminderScan:
    """What one scan sent: the reminders it claimed and the notices it wrote."""

    reminders: list[int]
    notices: int


def freeze_reminders_scan(*, now: datetime.datetime | None = None) -> ReminderScan:
    """Send every reminder due at ``now``, a batch at a time, each exactly once."""
    now = now or timezone.now()
    sent: list[int] = []
    notices = 0
    while True:
        with transaction.atomic():
            batch = list(
                FreezeReminder.objects.select_for_update(skip_locked=True)
                .filter(due_at__lte=now)
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                break
            claimed = _claim(batch, now)
            notices += _tell(claimed, now)
            sent.extend(claimed)
    return ReminderScan(reminders=sent, notices=notices)


def _claim(ids: list[int], now: datetime.datetime) -> list[int]:
    """Compare-and-swap: only a reminder still owed is claimed, by one scan. A "before" reminder
    whose period has already ended (a period recorded late) is cancelled instead of sent: the
    "ended" one says what is due. Returns the reminders to send."""
    today = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {FreezeReminder._meta.db_table} AS r SET due_at = NULL, "  # noqa: S608 - the table's name; values are parameters
            "sent_at = CASE WHEN r.step = %(before)s AND r.period_ends_on < %(today)s "
            "THEN NULL ELSE %(now)s END, "
            "cancelled_at = CASE WHEN r.step = %(before)s AND r.period_ends_on < %(today)s "
            "THEN %(now)s END "
            "WHERE r.id = ANY(%(ids)s) AND r.due_at IS NOT NULL AND r.due_at <= %(now)s "
            "AND r.sent_at IS NULL AND r.cancelled_at IS NULL RETURNING r.id, r.sent_at",
            {"before": ReminderStep.BEFORE.value, "today": today, "now": now, "ids": ids},
        )
        return [pk for pk, sent_at in cursor.fetchall() if sent_at is not None]


def _recipients(freeze: FreezeCase) -> list[User]:
    """The freeze case's owner and the active supervisors of its branch."""
    supervisors = User.objects.filter(
        branch_id=freeze.branch_id, role=Role.SUPERVISOR, is_active=True
    ).order_by("pk")
    people = {user.pk: user for user in supervisors}
    if freeze.opened_by.is_active:
        people.setdefault(freeze.opened_by_id, freeze.opened_by)
    return list(people.values())


def _words(reminder: FreezeReminder) -> tuple[str, str]:
    """The notice's title and body, in the active language."""
    freeze = reminder.freeze_case
    words = {
        "period": reminder.get_period_display(),
        "day": reminder.period_ends_on.strftime("%Y/%m/%d"),
        "account": str(freeze),
    }
    if reminder.step == ReminderStep.BEFORE:
        title = _("%(period)sが%(day)sに満了します（%(account)s）") % words
    else:
        title = _("%(period)sが%(day)sに満了しました（%(account)s）") % words
    if reminder.period == FreezePeriod.NOTICE:
        body = _("公告期間の満了後、分配金の申請期間を記録してください。")
    else:
        body = _("申請期間の満了後、すべての申請を決定して分配を計算してください。")
    return title, body


def _tell(claimed: list[int], now: datetime.datetime) -> int:
    """Notices and timeline lines for exactly the reminders this scan claimed."""
    if not claimed:
        return 0
    reminders = FreezeReminder.objects.filter(pk__in=claimed).select_related(
        "freeze_case__opened_by"
    )
    drafts: list[NotificationDraft] = []
    events: list[FreezeEvent] = []
    for reminder in reminders:
        freeze = reminder.freeze_case
        people = _recipients(freeze)
        url = reverse("freezes:detail", kwargs={"pk": freeze.pk})
        kind = (
            NotificationKind.REMINDER
            if reminder.step == ReminderStep.BEFORE
            else NotificationKind.INFO
        )
        # Each notice in the language its reader chose; the freeze case's line in the bank's.
        for person in people:
            with translation.override(person.language):
                title, body = _words(reminder)
                drafts.append(
                    NotificationDraft(
                        recipient=person,
                        kind=kind,
                        title=title,
                        body=body,
                        url=url,
                        link_label=_("口座凍結を開く"),
                        dedupe_key=f"freeze-reminder:{reminder.pk}:{person.pk}",
                    )
                )
        with bank_language():
            title, _body = _words(reminder)
            events.append(
                FreezeEvent(
                    freeze_case=freeze,
                    at=now,
                    kind=FreezeEventKind.REMINDED,
                    message=title,
                    data={
                        "reminder": reminder.pk,
                        "period": reminder.period,
                        "step": reminder.step,
                        "recipients": [person.pk for person in people],
                    },
                )
            )
    FreezeEvent.objects.bulk_create(events)
    return len(notification_create_many(drafts=drafts))
