"""Approved decisions are immutable in the database; a change is a new decision that supersedes."""

from __future__ import annotations

import datetime

import pytest
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse

from compensation import selectors, services
from compensation.choices import DecisionStatus
from compensation.models import Decision
from incidents.models.choices import CaseStatus
from tests import factories
from tests.compensation.support import compensation_tab

from .support import confirm_suggested_faults, fresh, set_checklist, submit_and_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    return submit_and_approve(case, teller, other_supervisor)


def test_the_database_refuses_to_update_an_approved_decision(approved):
    with pytest.raises(ProgrammingError, match="cannot be changed"), transaction.atomic():
        Decision.objects.filter(pk=approved.pk).update(compensation_total=1)
    with (
        pytest.raises(ProgrammingError, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE compensation_decision SET facts = '{}'::jsonb WHERE id = %s",
            [approved.pk],
        )
    approved.refresh_from_db()
    assert approved.compensation_total == 500440
    assert approved.facts["transactions"]


def test_the_database_refuses_to_delete_an_approved_or_returned_decision(
    approved, teller, other_supervisor
):
    returned_case = factories.stolen_card_case(teller)
    returned = services.decision_submit(case=fresh(returned_case), user=teller)
    services.decision_return(decision=returned, user=other_supervisor, comment="再確認")
    for decision in (approved, returned):
        with (
            pytest.raises(ProgrammingError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM compensation_decision WHERE id = %s", [decision.pk])
    assert Decision.objects.filter(pk__in=[approved.pk, returned.pk]).count() == 2


def test_an_approved_decision_cannot_be_inserted_incomplete(teller, supervisor):
    case = factories.stolen_card_case(teller)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError, match="approved_decision_is_complete"), transaction.atomic():
        Decision.objects.create(
            case=case,
            number=1,
            status=DecisionStatus.APPROVED,
            prepared_by=teller,
            reviewed_by=supervisor,
        )


def test_a_change_after_approval_is_a_new_decision_that_supersedes_the_old(
    client, approved, teller, supervisor, other_supervisor
):
    case = approved.case
    # Reopening needs a reason and a supervisor; a teller cannot reopen a decided case.
    with pytest.raises(services.DecisionError, match="変更する理由"):
        services.decision_submit(case=fresh(case), user=supervisor, note="")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decision_submit(case=fresh(case), user=teller, note="変更したい")

    # The newer facts are recorded first, then submitted: what is approved is what was submitted.
    set_checklist(case, teller, ["pin_memo_with_card"])
    services.item_fault_confirm(
        case=fresh(case), item=case.items.get(), user=supervisor, fault="negligence"
    )
    second = services.decision_submit(
        case=fresh(case), user=supervisor, note="暗証番号メモの所持が判明したため"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    newer = services.decision_approve(decision=second, user=other_supervisor)

    assert newer.supersedes == approved
    approved.refresh_from_db()
    assert approved.status == DecisionStatus.APPROVED  # kept, untouched
    assert approved.compensation_total == 500440
    assert newer.compensation_total == 200220 * 75 // 100 + 300220 * 75 // 100
    decisions = selectors.case_decisions(case)
    assert selectors.decision_current(decisions) == newer
    assert [d.number for d in decisions] == [1, 2]

    client.force_login(teller)
    page = client.get(compensation_tab(case)).content.decode()
    assert page.count('data-testid="decision-row"') == 2
    assert "現在の決定" in page and "変更済" in page
    old_letter = client.get(reverse("compensation:letter", args=[case.pk, approved.pk]))
    assert "決定 #2 により変更されています" in old_letter.content.decode()


def test_the_case_page_warns_when_the_facts_differ_from_the_approved_decision(
    client, approved, teller
):
    case = approved.case
    client.force_login(teller)
    assert (
        'data-testid="differs-from-decision"'
        not in client.get(compensation_tab(case)).content.decode()
    )
    set_checklist(case, teller, ["pin_memo_with_card"])
    assert (
        'data-testid="differs-from-decision"' in client.get(compensation_tab(case)).content.decode()
    )


def test_marking_paid_records_the_amount_on_the_timeline(client, approved, teller):
    case = approved.case
    client.force_login(teller)
    url = reverse("compensation:paid", args=[case.pk])
    tomorrow = factories.today() + datetime.timedelta(days=1)
    refused = client.post(
        url, factories.stamped(case, paid_on=tomorrow.isoformat(), reference="FX-1")
    )
    assert refused.status_code == 200 and "未来の日付" in refused.content.decode()
    response = client.post(
        url, factories.stamped(case, paid_on=factories.today().isoformat(), reference="FX-1")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PAID
    event = case.events.filter(data__to="paid").get()
    assert "500,440円" in event.message and "FX-1" in event.message
    assert event.actor == teller
    assert client.get(url).status_code == 403  # already paid


def test_nothing_to_pay_cannot_be_marked_paid(teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_told_to_someone"])  # gross negligence: nothing
    confirm_suggested_faults(case, supervisor)
    decision = submit_and_approve(case, teller, other_supervisor)
    assert decision.outcome == "none" and decision.compensation_total == 0
    with pytest.raises(services.DecisionError, match="0円"):
        services.case_mark_paid(case=fresh(case), user=teller, paid_on=factories.today())


def test_only_one_decision_can_be_open_at_a_time(teller, supervisor):
    case = factories.stolen_card_case(teller)
    services.decision_submit(case=fresh(case), user=teller)
    with pytest.raises(services.DecisionError, match="すでに審査中"):
        services.decision_submit(case=fresh(case), user=supervisor)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError, match="one_open_decision_per_case"), transaction.atomic():
        Decision.objects.create(case=case, number=9, prepared_by=supervisor)


def test_a_teller_who_has_nothing_to_do_with_the_case_cannot_submit_it(teller, branch):
    colleague = factories.staff("teller_c", "teller", branch)
    case = factories.stolen_card_case(teller)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decision_submit(case=fresh(case), user=colleague)
