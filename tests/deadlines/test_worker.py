"""A real Celery worker on real Redis runs the scan and delivers the reminder by email."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidents.tasks import scan_deadlines
from notifications.models import Notification
from tests import factories
from tests.workers import (
    Worker,
    broker,
    decoded_body,
    decoded_subject,
    redis_server,
    wait_for,
    worker,
)

__all__ = ["broker", "redis_server", "worker"]  # fixtures used below

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_runs_the_scan_and_delivers_the_reminder_email(worker, teller, supervisor):
    case = factories.stolen_card_case(teller, police="not_yet", withdrawals=())
    police = case.deadlines.get(kind="police_report")
    worker.start()
    # What beat does every minute, with the clock two hours before the police report is due.
    scan_deadlines.delay(now=(police.due_at - timedelta(hours=2)).isoformat())
    try:
        reminder = wait_for(
            lambda: Notification.objects.filter(kind="reminder", email_state="sent").first(),
            timeout=60,
            what="the worker to send the reminder",
        )
        emails = wait_for(
            lambda: [m for m in worker.emails() if "期限が近づいています" in decoded_subject(m)],
            timeout=10,
            what="the reminder email file",
        )
    except AssertionError:
        print(worker.output())
        raise
    assert reminder.recipient == teller
    assert len(emails) == 1
    (email,) = emails
    assert email["To"] == teller.email
    assert case.number in decoded_subject(email)
    assert "警察への被害届" in decoded_body(email) and case.get_absolute_url() in decoded_body(
        email
    )
    police.refresh_from_db()
    assert police.reminded_at is not None
    assert case.events.filter(kind="deadline_reminded").count() == 1


def test_two_beats_sending_one_minutes_scan_to_two_workers_notice_each_deadline_once(
    worker, broker, teller, supervisor
):
    # Two beat processes (a second one started by mistake, or two machines) each send the same
    # minute's scan; two workers take one each, at the same moment.
    cases = [factories.stolen_card_case(teller, police="not_yet", withdrawals=()) for _ in range(6)]
    police = [case.deadlines.get(kind="police_report") for case in cases]
    moment = (min(d.due_at for d in police) - timedelta(hours=2)).isoformat()
    second = Worker(broker.url)
    try:
        worker.start()
        second.start()
        worker.wait_ready()
        second.wait_ready()
        scan_deadlines.delay(now=moment)
        scan_deadlines.delay(now=moment)

        def both_done() -> bool:
            logs = worker.output() + second.output()
            return logs.count("scan_deadlines[") >= 4 and logs.count("succeeded") >= 2

        wait_for(both_done, timeout=60, what="both workers to finish a scan")
        logs = worker.output(), second.output()
    finally:
        second.close()
    # Which worker took which scan is the broker's choice; both scans ran to the end.
    assert sum(log.count("succeeded") for log in logs) >= 2
    reminders = Notification.objects.filter(kind="reminder", recipient=teller)
    assert reminders.count() == len(cases)
    for case in cases:
        assert case.events.filter(kind="deadline_reminded").count() == 1
