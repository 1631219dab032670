"""The supervisors' morning digest: the branch's overdue and due-today deadlines, once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidents import deadlines
from incidents.models import Deadline
from notifications.models import Notification
from tests import factories
from tests.deadlines.conftest import jst

pytestmark = pytest.mark.django_db

MORNING = jst(2026, 7, 21, 8, 0)  # a Tuesday


def owed(teller, kind, due, **state):
    case = factories.stolen_card_case(teller, police="not_yet", withdrawals=())
    Deadline.objects.filter(case=case).delete()
    deadline = deadlines.deadline_open(case=case, kind=kind, due_at=due, owner=teller)
    if state:
        Deadline.objects.filter(pk=deadline.pk).update(**state)
    return deadline


def test_each_supervisor_gets_the_branchs_overdue_and_due_today_items(
    teller, other_teller, supervisor, other_supervisor
):
    late = owed(teller, "police_report", MORNING - timedelta(days=2), state="escalated")
    today = owed(teller, "police_report", MORNING + timedelta(hours=7))
    owed(teller, "police_report", MORNING + timedelta(days=3))  # not yet: not listed
    owed(other_teller, "police_report", MORNING - timedelta(days=1), state="overdue")
    assert deadlines.deadlines_digest_send(now=MORNING) == 2
    digests = Notification.objects.filter(kind="digest")
    assert {n.recipient for n in digests} == {supervisor, other_supervisor}
    digest = digests.get(recipient=supervisor)
    assert "超過 1件・本日 1件" in digest.title
    assert late.case.number in digest.body and today.case.number in digest.body
    assert digest.body.index(late.case.number) < digest.body.index("本日が期限")
    assert digest.body.count("・") == 2  # the other branch's item is not in it


def test_a_second_run_the_same_morning_sends_nothing_new(teller, supervisor):
    owed(teller, "police_report", MORNING - timedelta(days=1), state="overdue")
    deadlines.deadlines_digest_send(now=MORNING)
    deadlines.deadlines_digest_send(now=MORNING + timedelta(minutes=1))
    assert Notification.objects.filter(kind="digest").count() == 1


def test_no_digest_on_a_bank_holiday_or_with_nothing_to_report(teller, supervisor):
    owed(teller, "police_report", MORNING - timedelta(days=1), state="overdue")
    assert deadlines.deadlines_digest_send(now=jst(2026, 7, 20, 8, 0)) == 0  # 海の日
    Deadline.objects.update(state="met", next_action_at=None)
    assert deadlines.deadlines_digest_send(now=MORNING) == 0
    assert not Notification.objects.filter(kind="digest").exists()


def test_the_digest_task_is_on_the_beat_at_eight_in_japan(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-digest"]
    assert entry["task"] == "incidents.tasks.send_deadline_digest"
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
    scan = settings.CELERY_BEAT_SCHEDULE["scan-deadlines"]
    assert scan["task"] == "incidents.tasks.scan_deadlines" and scan["schedule"] == 60.0


def test_every_beat_entry_names_a_task_the_worker_knows(settings):
    from config.celery_app import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
