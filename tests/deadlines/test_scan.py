"""The scan at a fixed ``now``: reminders, overdue, escalation, re-escalation, each once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from incidents import deadlines
from incidents.models import Deadline, DeadlinePolicy
from incidents.models.choices import DeadlineState
from notifications.models import Notification
from tests import factories
from tests.deadlines.conftest import jst

pytestmark = pytest.mark.django_db

# A Tuesday in branch hours, and the same Tuesday evening.
DUE = jst(2026, 7, 21, 15, 0)


@pytest.fixture
def police(teller):
    """An owed police-report deadline due at DUE, owned by the teller."""
    case = factories.stolen_card_case(teller, police="not_yet", withdrawals=())
    deadline = case.deadlines.get(kind="police_report")
    deadline.delete()
    return deadlines.deadline_open(case=case, kind="police_report", due_at=DUE, owner=teller)


def notices(kind):
    return Notification.objects.filter(kind=kind).select_related("recipient")


def test_it_does_nothing_before_the_reminder_time(police):
    result = deadlines.deadlines_scan(now=DUE - timedelta(days=2))
    assert result.examined == 0 and result.actions == []
    assert not notices("reminder").exists()


def test_it_reminds_the_owner_once_before_the_due_time(police, teller):
    result = deadlines.deadlines_scan(now=DUE - timedelta(hours=20))
    assert [a.action for a in result.actions] == ["reminded"]
    (notice,) = notices("reminder")
    assert notice.recipient == teller
    assert police.case.number in notice.title and "2026/07/21 15:00" in notice.body
    police.refresh_from_db()
    assert police.reminded_at == DUE - timedelta(hours=20)
    assert police.next_action_at == DUE and police.state == DeadlineState.OPEN
    again = deadlines.deadlines_scan(now=DUE - timedelta(hours=1))
    assert again.actions == [] and again.examined == 0
    assert notices("reminder").count() == 1
    assert police.case.events.filter(kind="deadline_reminded").count() == 1


def test_a_deadline_without_an_owner_reminds_the_branch_staff(
    monitoring_agent, branch, teller, supervisor, other_teller
):
    from tests.deadlines.conftest import preliminary_case

    case = preliminary_case(monitoring_agent, branch, at=jst(2026, 7, 20, 22, 0))
    deadlines.deadlines_scan(now=jst(2026, 7, 21, 9, 5))
    assert {n.recipient for n in notices("reminder")} == {teller, supervisor}
    assert case.deadlines.get().reminded_at == jst(2026, 7, 21, 9, 5)


def test_it_escalates_an_overdue_police_report_once_to_the_branch_supervisors(
    police, teller, supervisor, other_supervisor, monitoring_agent, compliance_officer
):
    now = DUE + timedelta(minutes=1)
    result = deadlines.deadlines_scan(now=now)
    assert [a.action for a in result.actions] == ["overdue", "escalated"]
    police.refresh_from_db()
    assert police.state == DeadlineState.ESCALATED and police.escalation_level == 1
    assert police.escalated_at == now
    assert police.next_action_at == now + timedelta(days=2)
    assert [n.recipient for n in notices("overdue")] == [teller]
    assert {n.recipient for n in notices("escalation")} == {supervisor, other_supervisor}
    body = notices("escalation").first().body
    assert "Teller" in body and "2026/07/21 15:00" in body  # who owns it, when it was due
    for later in (now + timedelta(minutes=1), now + timedelta(hours=3)):
        assert deadlines.deadlines_scan(now=later).actions == []
    assert notices("escalation").count() == 2
    kinds = list(
        police.case.events.filter(kind__startswith="deadline_").values_list("kind", flat=True)
    )
    assert kinds.count("deadline_escalated") == 1 and kinds.count("deadline_overdue") == 1


def test_after_branch_hours_the_escalation_goes_to_the_monitoring_center(
    teller, supervisor, monitoring_agent
):
    case = factories.stolen_card_case(teller, police="not_yet", withdrawals=())
    case.deadlines.all().delete()
    evening_due = jst(2026, 7, 21, 17, 30)
    deadlines.deadline_open(case=case, kind="police_report", due_at=evening_due, owner=teller)
    result = deadlines.deadlines_scan(now=evening_due + timedelta(minutes=1))
    assert [a.action for a in result.actions] == ["overdue", "escalated"]
    assert [n.recipient for n in notices("escalation")] == [monitoring_agent]
    event = case.events.get(kind="deadline_escalated")
    assert event.data["branch_hours"] is False and event.data["level"] == 1


def test_a_deadline_still_missed_escalates_again_to_compliance_after_the_delay(
    police, supervisor, compliance_officer
):
    deadlines.deadlines_scan(now=DUE)
    assert deadlines.deadlines_scan(now=DUE + timedelta(days=1)).actions == []
    result = deadlines.deadlines_scan(now=DUE + timedelta(days=2))
    assert [a.action for a in result.actions] == ["re_escalated"]
    assert [
        n.recipient for n in notices("escalation").filter(title__contains="再エスカレーション")
    ] == [compliance_officer]
    police.refresh_from_db()
    assert police.escalation_level == 2 and police.next_action_at is None
    assert deadlines.deadlines_scan(now=DUE + timedelta(days=30)).examined == 0


def test_the_escalation_waits_for_the_delay_the_administrator_set(police, supervisor):
    DeadlinePolicy.objects.filter(kind="police_report").update(escalate_after=timedelta(hours=1))
    assert [a.action for a in deadlines.deadlines_scan(now=DUE).actions] == ["overdue"]
    assert not notices("escalation").exists()
    assert deadlines.deadlines_scan(now=DUE + timedelta(minutes=59)).actions == []
    result = deadlines.deadlines_scan(now=DUE + timedelta(hours=1))
    assert [a.action for a in result.actions] == ["escalated"]


def test_a_scan_that_comes_late_skips_the_reminder_and_reports_the_miss(police, supervisor):
    result = deadlines.deadlines_scan(now=DUE + timedelta(hours=2))
    assert [a.action for a in result.actions] == ["overdue", "escalated"]
    assert not notices("reminder").exists()


def test_a_met_deadline_is_neither_reminded_nor_escalated(police, teller, supervisor):
    deadlines.deadline_meet(case=police.case, kind="police_report", actor=teller)
    assert deadlines.deadlines_scan(now=DUE + timedelta(days=5)).examined == 0
    assert not Notification.objects.filter(kind__in=["reminder", "overdue", "escalation"]).exists()


def test_meeting_a_deadline_after_it_was_escalated_closes_it(police, teller, supervisor):
    deadlines.deadlines_scan(now=DUE + timedelta(minutes=5))
    (met,) = deadlines.deadline_meet(case=police.case, kind="police_report", actor=teller)
    assert met.state == DeadlineState.MET
    assert (
        "期限 2026/07/21 15:00 を過ぎて完了" in police.case.events.get(kind="deadline_met").message
    )
    assert deadlines.deadlines_scan(now=DUE + timedelta(days=5)).examined == 0


def test_the_scan_reads_only_deadlines_whose_next_step_is_due(teller):
    case = factories.stolen_card_case(teller, police="not_yet")
    later = timezone.now() + timedelta(days=60)
    for _n in range(30):
        other = factories.stolen_card_case(teller, police="not_yet", withdrawals=())
        Deadline.objects.filter(case=other).update(due_at=later, next_action_at=later)
    Deadline.objects.filter(case=case).update(next_action_at=DUE, due_at=DUE + timedelta(days=1))
    assert sorted(deadlines.deadlines_due_ids(now=DUE)) == sorted(
        case.deadlines.values_list("pk", flat=True)
    )


def test_the_due_selection_is_answered_by_the_partial_index():
    ids_query = Deadline.objects.filter(next_action_at__lte=DUE).order_by("next_action_at")
    sql, params = ids_query.values_list("pk", flat=True)[:5000].query.sql_with_params()
    with connection.cursor() as cursor:
        # The table is tiny here; forbid the sequential scan to see which index the query can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "deadline_next_action" in plan


def test_a_retried_scan_task_acts_once(police, supervisor):
    from incidents.tasks import scan_deadlines

    now = (DUE + timedelta(minutes=1)).isoformat()
    first = scan_deadlines.apply(kwargs={"now": now}).get()
    second = scan_deadlines.apply(kwargs={"now": now}).get()
    assert first["escalated"] == 1 and first["overdue"] == 1
    assert second == {"examined": 0, "reminded": 0, "overdue": 0, "escalated": 0, "re_escalated": 0}
    assert notices("escalation").count() == 1


def test_the_command_runs_one_scan_at_the_given_time_and_says_what_it_did(police, supervisor):
    out = StringIO()
    call_command("scan_deadlines", "--now", "2026-07-21T15:05", stdout=out)
    text = out.getvalue()
    assert "scan at 2026-07-21 15:05:00 JST" in text
    assert "overdue" in text and "escalated" in text and police.case.number in text
    assert "supervisor" in text
    assert "examined 1, reminded 0, overdue 1, escalated 1, re-escalated 0" in text


def test_the_command_refuses_a_time_it_cannot_read():
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("scan_deadlines", "--now", "tomorrow")


def test_a_scan_step_costs_a_bounded_number_of_queries(
    police, supervisor, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        deadlines.deadlines_scan(now=DUE - timedelta(hours=2))
