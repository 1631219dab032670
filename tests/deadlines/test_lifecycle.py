"""Deadlines open, are met and are cancelled as the case moves (docs/domain.md §5.2, §6)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from incidents import deadlines
from incidents.casepage.receipt_selectors import receipt_follow_ups
from incidents.cases import services
from incidents.models import Deadline, DeadlinePolicy
from incidents.models.choices import CaseStatus, DeadlineKind, DeadlineState
from notifications.models import Notification
from tests import factories
from tests.deadlines.conftest import jst, preliminary_case

pytestmark = pytest.mark.django_db


def owed(case):
    return {d.kind: d for d in case.deadlines.filter(state__in=["open", "overdue", "escalated"])}


def test_police_report_and_documents_deadlines_open_when_a_report_is_submitted(
    police_pending_case, teller
):
    case = police_pending_case
    found = owed(case)
    assert set(found) == {DeadlineKind.POLICE_REPORT, DeadlineKind.CUSTOMER_DOCUMENTS}
    police = found[DeadlineKind.POLICE_REPORT]
    assert police.owner == teller and police.branch == case.branch
    assert police.due_at == deadlines.deadline_due_at(
        kind=DeadlineKind.POLICE_REPORT, start=case.submitted_at
    )
    assert timezone.localtime(police.due_at).time() == time(15, 0)
    assert police.next_action_at == police.due_at - timedelta(days=1)
    opened = case.events.filter(kind="deadline_opened")
    assert opened.count() == 2
    assert "警察への被害届" in " ".join(opened.values_list("message", flat=True))


def test_a_report_with_the_police_report_filed_and_no_withdrawals_owes_nothing(teller):
    case = factories.stolen_card_case(teller, withdrawals=())
    assert not case.deadlines.exists()


def test_due_times_follow_the_bank_calendar_and_the_policy():
    thursday = jst(2026, 4, 30, 11, 0)
    assert deadlines.deadline_due_at(kind="police_report", start=thursday) == jst(2026, 5, 7, 15)
    # 14 days from 22 April is the 振替休日 of 6 May: the customer has until the 7th.
    assert deadlines.deadline_due_at(kind="customer_documents", start=jst(2026, 4, 22, 10)) == jst(
        2026, 5, 7, 15
    )
    assert deadlines.deadline_due_at(kind="supervisor_review", start=thursday) == jst(
        2026, 5, 7, 16
    )
    assert deadlines.deadline_due_at(
        kind="after_hours_pickup", start=jst(2026, 7, 17, 23, 0)
    ) == jst(2026, 7, 21, 10)
    DeadlinePolicy.objects.filter(kind="police_report").update(days=10, due_time=time(12, 0))
    assert deadlines.deadline_due_at(kind="police_report", start=thursday) == jst(2026, 5, 11, 12)


def test_a_kind_switched_off_by_the_administrator_opens_no_deadline(teller):
    DeadlinePolicy.objects.filter(kind="police_report").update(is_active=False)
    case = factories.stolen_card_case(teller, police="not_yet")
    assert set(owed(case)) == {DeadlineKind.CUSTOMER_DOCUMENTS}


def test_a_missing_policy_row_is_seeded_again_with_the_defaults():
    DeadlinePolicy.objects.filter(kind="customer_documents").delete()
    policy = deadlines.policy_for("customer_documents")
    assert policy.days == 14 and policy.counting == "calendar_days"


def test_the_branch_supervisors_hear_of_a_new_report_but_not_the_one_who_took_it(
    teller, supervisor, other_supervisor, other_teller
):
    case = factories.stolen_card_case(teller, police="not_yet")
    notices = Notification.objects.filter(kind="new_case")
    assert sorted(n.recipient.username for n in notices) == ["supervisor", "supervisor2"]
    notice = notices.get(recipient=supervisor)
    assert case.number in notice.title and notice.url == case.get_absolute_url()
    assert "警察への被害届" in notice.body
    assert "山田" not in notice.title + notice.body  # no customer's name in a notice


def test_an_after_hours_call_gets_a_pickup_deadline_at_the_branch(
    monitoring_agent, branch, teller, supervisor
):
    case = preliminary_case(monitoring_agent, branch, at=jst(2026, 7, 17, 22, 30))
    (pickup,) = case.deadlines.all()
    assert pickup.kind == DeadlineKind.AFTER_HOURS_PICKUP
    assert pickup.branch == branch and pickup.owner is None
    assert pickup.due_at == jst(2026, 7, 21, 10, 0)
    handoffs = Notification.objects.filter(kind="handoff")
    assert {n.recipient for n in handoffs} == {teller, supervisor}


def test_picking_up_an_after_hours_case_meets_the_pickup_and_starts_the_follow_ups(
    monitoring_agent, branch, teller
):
    case = preliminary_case(monitoring_agent, branch)
    services.case_transition(case=case, user=teller, to=CaseStatus.REPORTED)
    pickup = case.deadlines.get(kind=DeadlineKind.AFTER_HOURS_PICKUP)
    assert pickup.state == DeadlineState.MET and pickup.next_action_at is None
    police = case.deadlines.get(kind=DeadlineKind.POLICE_REPORT)
    assert police.state == DeadlineState.OPEN
    assert police.owner is None  # the agent who took the call does not own the branch's follow-up


def test_review_opens_a_supervisor_review_deadline_and_leaving_review_meets_it(teller, supervisor):
    case = factories.stolen_card_case(teller)
    services.case_transition(case=case, user=teller, to=CaseStatus.IN_REVIEW)
    review = case.deadlines.get(kind=DeadlineKind.SUPERVISOR_REVIEW)
    assert review.state == DeadlineState.OPEN
    assert timezone.localtime(review.due_at).time() == time(16, 0)
    services.case_transition(case=case, user=supervisor, to=CaseStatus.DECIDED)
    review.refresh_from_db()
    assert review.state == DeadlineState.MET and review.closed_at is not None


def test_withdrawing_a_case_cancels_every_owed_deadline_even_an_escalated_one(
    police_pending_case, teller
):
    case = police_pending_case
    Deadline.objects.filter(case=case, kind="police_report").update(
        state="escalated", escalation_level=1
    )
    services.case_transition(case=case, user=teller, to=CaseStatus.WITHDRAWN, reason="誤届")
    states = set(case.deadlines.values_list("state", flat=True))
    assert states == {DeadlineState.CANCELLED}
    assert not case.deadlines.filter(next_action_at__isnull=False).exists()
    assert case.events.filter(kind="deadline_cancelled").count() == 2


def test_recording_the_police_report_meets_its_deadline(police_pending_case, teller):
    case = police_pending_case
    services.case_update(
        case=case,
        user=teller,
        step="police",
        fields={
            "police_status": "filed",
            "police_station": "丸の内警察署",
            "police_filed_on": factories.today(),
            "police_receipt_number": "R-9",
        },
    )
    police = case.deadlines.get(kind="police_report")
    assert police.state == DeadlineState.MET
    assert case.deadlines.get(kind="customer_documents").state == DeadlineState.OPEN
    met = case.events.get(kind="deadline_met")
    assert met.actor == teller and "警察への被害届" in met.message


def test_a_deadline_still_owed_is_not_opened_twice(police_pending_case):
    case = police_pending_case
    first = case.deadlines.get(kind="police_report")
    Deadline.objects.filter(pk=first.pk).update(state="overdue")
    again = deadlines.deadline_open(case=case, kind="police_report")
    assert again.pk == first.pk
    assert case.deadlines.filter(kind="police_report").count() == 1


def test_the_receipt_gives_the_customer_the_deadlines_due_dates(police_pending_case):
    case = police_pending_case
    Deadline.objects.filter(case=case, kind="police_report").update(due_at=jst(2030, 1, 7, 15))
    follow_ups = receipt_follow_ups(case)
    assert follow_ups[0].due.isoformat() == "2030-01-07"
    documents = case.deadlines.get(kind="customer_documents")
    assert follow_ups[1].due == timezone.localdate(documents.due_at)


def test_a_changed_policy_moves_the_reminders_of_deadlines_already_owed(police_pending_case):
    police = police_pending_case.deadlines.get(kind="police_report")
    policy = DeadlinePolicy.objects.get(kind="police_report")
    policy.remind_before = timedelta(hours=3)
    policy.save()
    assert deadlines.deadline_policy_reschedule(policy=policy) == 1
    police.refresh_from_db()
    assert police.next_action_at == police.due_at - timedelta(hours=3)
