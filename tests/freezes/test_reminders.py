"""The freeze case's periods as reminders on the business calendar: owed when a period is
recorded, sent by the periodic scan to the owner and the branch's supervisors before and when
the period ends, each exactly once (two scans at once included), cancelled when moot."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from compensation import services
from compensation.choices import FreezeEventKind, FreezePeriod, ReminderStep
from compensation.models import FreezeEvent, FreezeReminder
from compensation.services.freeze_reminders import _claim
from incidents.models.search import payee_account_key
from notifications.models import Notification
from tests.workers import broker, redis_server, wait_for, worker

from .conftest import MULE, transfer
from .support import D, FreezeDesk, stamp

__all__ = ["broker", "redis_server", "worker"]  # fixtures used below


def jst(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def owed(freeze) -> dict[tuple[str, str], datetime | None]:
    return {(r.period, r.step): r.due_at for r in FreezeReminder.objects.filter(freeze_case=freeze)}


def reminder_notices():
    return Notification.objects.filter(dedupe_key__startswith="freeze-reminder:")


@pytest.mark.django_db
def test_the_periods_owe_reminders_on_the_business_calendar(desk):
    freeze = desk.notice(desk.open())  # the notice's last day: Monday 2026-12-07
    assert owed(freeze) == {
        # five business days before: Fri 12/4, Thu 12/3, Wed 12/2, Tue 12/1, Mon 11/30.
        (FreezePeriod.NOTICE, ReminderStep.BEFORE): jst(2026, 11, 30, 9, 0),
        (FreezePeriod.NOTICE, ReminderStep.ENDED): jst(2026, 12, 8, 9, 0),
    }
    freeze = desk.applications(freeze)  # the applications' last day: Thursday 2027-01-07
    due = owed(freeze)
    # Five business days back over the year-end closure (12/31–1/3): 1/6, 1/5, 1/4, 12/30, 12/29.
    assert due[(FreezePeriod.APPLICATION, ReminderStep.BEFORE)] == jst(2026, 12, 29, 9, 0)
    assert due[(FreezePeriod.APPLICATION, ReminderStep.ENDED)] == jst(2027, 1, 8, 9, 0)


@pytest.mark.django_db
def test_the_scan_tells_the_owner_and_the_branch_supervisors_once(desk, approver):
    freeze = desk.notice(desk.open())
    assert services.freeze_reminders_scan(now=jst(2026, 11, 30, 8, 59)).reminders == []
    first = services.freeze_reminders_scan(now=jst(2026, 11, 30, 9, 0))
    assert len(first.reminders) == 1 and first.notices == 2
    notices = reminder_notices().order_by("recipient_id")
    assert {n.recipient_id for n in notices} == {desk.supervisor.pk, approver.pk}
    assert all("公告期間が2026/12/07に満了します" in n.title for n in notices)
    assert notices[0].url == f"/freezes/{freeze.pk}/"
    again = services.freeze_reminders_scan(now=jst(2026, 12, 1, 9, 0))
    assert again.reminders == [] and reminder_notices().count() == 2
    ended = services.freeze_reminders_scan(now=jst(2026, 12, 8, 9, 0))
    assert ended.notices == 2
    assert reminder_notices().filter(title__contains="満了しました").count() == 2
    events = freeze.events.filter(kind=FreezeEventKind.REMINDED).order_by("pk")
    assert [e.data["step"] for e in events] == ["before", "ended"]
    assert set(events[0].data["recipients"]) == {desk.supervisor.pk, approver.pk}


@pytest.mark.django_db
def test_each_reader_is_reminded_in_their_language_and_the_freeze_case_keeps_the_bank_s(
    desk, approver
):
    approver.language = "en"
    approver.save(update_fields=["language"])
    freeze = desk.notice(desk.open())
    services.freeze_reminders_scan(now=jst(2026, 11, 30, 9, 0))
    english = reminder_notices().get(recipient=approver)
    assert english.title.startswith("The Notice period ends on 2026/12/07")
    assert english.link_label == "Open the freeze case"
    assert not any("\u3040" <= ch <= "\u30ff" for ch in english.body)  # no kana in the body
    japanese = reminder_notices().get(recipient=desk.supervisor)
    assert "公告期間が2026/12/07に満了します" in japanese.title
    assert japanese.link_label == "口座凍結を開く"
    line = freeze.events.get(kind=FreezeEventKind.REMINDED)
    assert "公告期間が2026/12/07に満了します" in line.message


@pytest.mark.django_db
def test_a_moot_reminder_is_cancelled_and_never_sent(desk, approver):
    freeze = desk.notice(desk.open())
    services.freeze_reminders_scan(now=jst(2026, 11, 30, 9, 0))  # the "before" is sent
    # The applications are recorded before the notice's "ended" reminder is due: it is moot.
    freeze = desk.applications(freeze)
    ended = FreezeReminder.objects.get(
        freeze_case=freeze, period=FreezePeriod.NOTICE, step=ReminderStep.ENDED
    )
    assert ended.due_at is None and ended.cancelled_at is not None and ended.sent_at is None
    application = desk.apply(freeze, "被害 花子", 300_000)
    assert application.pk
    decision = desk.submit(freeze)
    services.distribution_approve(decision=decision, user=approver, stamp=stamp(freeze))
    assert not FreezeReminder.objects.filter(due_at__isnull=False).exists()
    services.freeze_reminders_scan(now=jst(2027, 2, 1, 9, 0))
    assert reminder_notices().count() == 2  # the notice's "before" only


@pytest.mark.django_db
def test_a_period_recorded_after_it_ended_is_told_as_ended_only(desk):
    freeze = desk.notice(desk.open(), requested_on=D(2026, 1, 5), starts_on=D(2026, 1, 9))
    scan = services.freeze_reminders_scan(now=jst(2026, 11, 30, 9, 0))
    assert len(scan.reminders) == 1 and scan.notices == 1  # the owner, the only supervisor
    before = FreezeReminder.objects.get(freeze_case=freeze, step=ReminderStep.BEFORE)
    assert before.sent_at is None and before.cancelled_at is not None
    assert reminder_notices().get().title.startswith("公告期間が2026/03/10に満了しました")


@pytest.mark.django_db(transaction=True)
def test_two_scans_started_together_send_each_reminder_once(supervisor, approver, teller):
    keys = []
    for n in range(4):
        payee = (MULE[0], MULE[1], f"98765{n:02d}", MULE[3])
        transfer(teller, f"41{n:04d}", payee=payee)
        transfer(teller, f"42{n:04d}", payee=payee)
        keys.append(payee_account_key(*payee[:3]))
    for key in keys:
        desk = FreezeDesk(supervisor, key)
        desk.notice(desk.open())
    now = jst(2026, 12, 7, 9, 0)  # each notice's "before" reminder is due (it ends today)
    start = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            start.wait(timeout=10)
            results.append(services.freeze_reminders_scan(now=now))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 2
    sent = [pk for result in results for pk in result.reminders]
    assert len(sent) == len(set(sent)) == 4
    assert sum(result.notices for result in results) == 8  # two supervisors each
    assert reminder_notices().count() == 8
    assert FreezeReminder.objects.filter(sent_at__isnull=False).count() == 4
    assert FreezeEvent.objects.filter(kind=FreezeEventKind.REMINDED).count() == 4


@pytest.mark.django_db
def test_a_scan_that_selected_a_reminder_another_scan_sent_claims_nothing(desk):
    freeze = desk.notice(desk.open())
    now = jst(2026, 12, 7, 9, 0)
    ids = list(FreezeReminder.objects.values_list("pk", flat=True))
    before = FreezeReminder.objects.get(freeze_case=freeze, step=ReminderStep.BEFORE)
    assert _claim(ids, now) == [before.pk]  # the "ended" one is not due yet
    # The compare-and-swap re-checks in the statement that changes the row: nothing twice.
    assert _claim(ids, now + timedelta(minutes=1)) == []
    assert services.freeze_reminders_scan(now=now).reminders == []


@pytest.mark.django_db(transaction=True)
def test_beat_s_scan_on_a_real_worker_tells_both_supervisors_by_email(worker, desk, approver):
    from django.conf import settings

    from compensation.tasks import scan_freeze_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["scan-freeze-reminders"]
    assert entry["task"] == scan_freeze_reminders.name and entry["schedule"] == 60.0
    freeze = desk.notice(desk.open())
    worker.start()
    scan_freeze_reminders.delay(now=jst(2026, 11, 30, 9, 0).isoformat())
    try:
        sent = wait_for(
            lambda: (
                (sent := list(reminder_notices().filter(email_state="sent"))) and len(sent) == 2
            ),
            timeout=60,
            what="the worker to send the freeze reminder",
        )
    except AssertionError:
        print(worker.output())
        raise
    assert sent
    assert {n.recipient_id for n in reminder_notices()} == {desk.supervisor.pk, approver.pk}
    assert freeze.events.filter(kind=FreezeEventKind.REMINDED).count() == 1
