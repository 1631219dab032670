"""Two scans at once act once: real transactions in two threads on the real database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction

from incidents import deadlines
from incidents.models import Deadline, TimelineEvent
from notifications.models import Notification
from tests import factories
from tests.deadlines.conftest import jst

pytestmark = pytest.mark.django_db(transaction=True)

DUE = jst(2026, 7, 21, 15, 0)


def owed_police_reports(teller, count: int) -> list[Deadline]:
    opened = []
    for _n in range(count):
        case = factories.stolen_card_case(teller, police="not_yet", withdrawals=())
        Deadline.objects.filter(case=case).delete()
        deadline = deadlines.deadline_open(
            case=case, kind="police_report", due_at=DUE, owner=teller
        )
        assert deadline is not None
        opened.append(deadline)
    return opened


def in_thread(target, results, errors):
    def run():
        try:
            results.append(target())
        except Exception as exc:  # surfaced by the test
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def test_two_scans_started_together_escalate_each_deadline_once(teller, supervisor):
    opened = owed_police_reports(teller, 12)
    now = DUE + timedelta(minutes=1)
    start = threading.Barrier(2)
    results, errors = [], []

    def scan():
        start.wait(timeout=10)
        return deadlines.deadlines_scan(now=now)

    threads = [in_thread(scan, results, errors) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    done = [action for result in results for action in result.actions]
    assert sorted(a.action for a in done).count("escalated") == 12
    assert sorted(a.action for a in done).count("overdue") == 12
    assert Notification.objects.filter(kind="escalation").count() == 12
    assert Notification.objects.filter(kind="overdue").count() == 12
    ids = [d.pk for d in opened]
    assert TimelineEvent.objects.filter(kind="deadline_escalated").count() == 12
    assert set(Deadline.objects.filter(pk__in=ids).values_list("escalation_level", flat=True)) == {
        1
    }


def test_a_scan_blocked_behind_another_scans_step_does_not_repeat_it(teller, supervisor):
    (deadline,) = owed_police_reports(teller, 1)
    now = DUE - timedelta(hours=2)
    first_stepped, let_first_commit = threading.Event(), threading.Event()
    results, errors = [], []

    def first():
        with transaction.atomic():
            actions = deadlines.deadline_advance(deadline_id=deadline.pk, now=now)
            first_stepped.set()
            let_first_commit.wait(timeout=30)
        return actions

    def second():
        first_stepped.wait(timeout=30)
        # Reads the row before the first commits, then waits on its lock to update it.
        return deadlines.deadline_advance(deadline_id=deadline.pk, now=now)

    one, two = in_thread(first, results, errors), in_thread(second, results, errors)
    one.start()
    two.start()
    first_stepped.wait(timeout=30)
    two.join(timeout=1.0)
    assert two.is_alive(), "the second scan should be waiting on the first one's row lock"
    let_first_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)
    assert errors == []
    assert sorted(len(actions) for actions in results) == [0, 1]
    assert Notification.objects.filter(kind="reminder").count() == 1
    assert TimelineEvent.objects.filter(kind="deadline_reminded").count() == 1


def test_meeting_a_deadline_while_a_scan_escalates_it_leaves_it_met(teller, supervisor):
    (deadline,) = owed_police_reports(teller, 1)
    scanned, let_scan_commit = threading.Event(), threading.Event()
    results, errors = [], []

    def scan():
        with transaction.atomic():
            actions = deadlines.deadline_advance(deadline_id=deadline.pk, now=DUE)
            scanned.set()
            let_scan_commit.wait(timeout=30)
        return actions

    def meet():
        scanned.wait(timeout=30)
        return deadlines.deadline_meet(case=deadline.case, kind="police_report", actor=teller)

    one, two = in_thread(scan, results, errors), in_thread(meet, results, errors)
    one.start()
    two.start()
    scanned.wait(timeout=30)
    let_scan_commit.set()
    one.join(timeout=30)
    two.join(timeout=30)
    assert errors == []
    deadline.refresh_from_db()
    assert deadline.state == "met" and deadline.next_action_at is None
