"""After submission the intake is frozen: the branch completes or corrects a case through the case
page's own versioned forms (the intake's forms, at /cases/<id>/correct/<section>/)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidents.cases import services
from incidents.models.choices import CaseStatus
from tests import factories
from tests.desk.conftest import call
from tests.incidents.test_intake_views import day, step_url, tx_post

pytestmark = pytest.mark.django_db


def correct_url(case, section: str) -> str:
    return f"/cases/{case.pk}/correct/{section}/"


def test_a_picked_up_after_hours_call_is_completed_with_its_transactions(
    client, teller, monitoring_agent
):
    case = call(monitoring_agent, customer_name="夜間 花子")
    services.case_pickup(case=case, user=teller, assignee=teller)
    client.force_login(teller)
    page = client.get(case.get_absolute_url()).content.decode()
    assert correct_url(case, "customer") in page  # the button to complete the details
    item = case.items.get()
    response = client.post(
        correct_url(case, "items"),
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "20",
            "items-0-id": str(item.pk),
            "items-0-kind": "cash_card",
            "items-0-state": "stolen",
            "items-0-account_branch": "001",
            "items-0-account_number": "1234567",
            "items-0-occurred_on": day(-1),
            "items-0-noticed_on": day(0),
            "version": str(case.version),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    response = client.post(
        correct_url(case, "transactions"),
        {**tx_post(item, occurred_at=f"{day(-1)}T23:10"), "version": str(case.version)},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    assert case.transactions.get().amount == 200000
    saved = case.events.filter(kind="step_saved", actor=teller)
    assert saved.filter(data__step="transactions").exists()


def test_a_correction_returns_to_the_case_page(teller_client, teller):
    case = factories.stolen_card_case(teller)
    response = teller_client.post(
        correct_url(case, "checklist"),
        {"card": ["pin_memo_with_card"], "version": str(case.version)},
    )
    assert response.url == case.get_absolute_url()
    case.refresh_from_db()
    assert case.checklist == ["pin_memo_with_card"]


def test_the_notification_time_and_the_submission_cannot_be_redone(teller_client, teller):
    case = factories.stolen_card_case(teller)
    notified_at = case.notified_at
    data = {
        "channel": "phone",
        "reporter_relation": "self",
        "notified_at": f"{day(-9)}T10:00",
        "version": str(case.version),
    }
    for step in ("reporter", "review"):
        assert teller_client.post(correct_url(case, step), data).status_code == 404
        response = teller_client.post(step_url(case, step), data)
        assert response.url == case.get_absolute_url()
    case.refresh_from_db()
    assert case.notified_at == notified_at and case.channel == "counter"


def test_the_intake_steps_of_a_submitted_case_are_read_only(teller_client, teller):
    case = factories.stolen_card_case(teller)
    data = {
        "customer_type": "individual",
        "customer_name": "別人",
        "customer_name_kana": "ベツジン",
        "version": str(case.version),
    }
    for step in ("customer", "items", "transactions", "police", "checklist"):
        response = teller_client.post(step_url(case, step), data)
        assert response.status_code == 302
        assert response.url == case.get_absolute_url()
    case.refresh_from_db()
    assert case.customer_name == "山田 太郎"
    assert teller_client.get(step_url(case, "customer")).url == case.get_absolute_url()


def test_a_case_in_review_can_no_longer_be_changed_here(teller_client, teller):
    case = factories.stolen_card_case(teller)
    services.case_transition(case=case, user=teller, to=CaseStatus.IN_REVIEW)
    case.refresh_from_db()
    response = teller_client.post(
        correct_url(case, "customer"),
        {
            "customer_type": "individual",
            "customer_name": "別人",
            "customer_name_kana": "ベツジン",
            "version": str(case.version),
        },
    )
    assert response.url == case.get_absolute_url()
    case.refresh_from_db()
    assert case.customer_name == "山田 太郎"
    page = teller_client.get(case.get_absolute_url()).content.decode()
    assert correct_url(case, "customer") not in page


def test_another_branch_cannot_reach_the_edit_steps(client, teller, other_teller):
    case = factories.stolen_card_case(teller)
    client.force_login(other_teller)
    assert client.get(correct_url(case, "customer")).status_code == 404
    assert client.get(step_url(case, "customer")).status_code == 404


def test_a_new_item_after_submission_proposes_its_stop_on_the_case_page(teller_client, teller):
    case = factories.stolen_card_case(teller)
    item = case.items.get()
    stolen_on = (factories.today() - timedelta(days=2)).isoformat()
    data = {
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "20",
        "version": str(case.version),
        "items-0-id": str(item.pk),
        "items-0-kind": "cash_card",
        "items-0-state": "stolen",
        "items-0-account_branch": "001",
        "items-0-account_number": "1234567",
        "items-0-occurred_on": stolen_on,
        "items-0-noticed_on": day(-1),
        "items-1-kind": "passbook",
        "items-1-state": "stolen",
        "items-1-account_branch": "001",
        "items-1-account_number": "1234567",
        "items-1-occurred_on": stolen_on,
        "items-1-noticed_on": day(-1),
    }
    assert teller_client.post(correct_url(case, "items"), data).status_code == 302
    assert set(case.actions.filter(status="proposed").values_list("kind", flat=True)) == {
        "payment_stop",
        "seal_check",
    }
    stops_page = teller_client.get(f"/cases/{case.pk}/stops/")
    assert [a.kind for a in stops_page.context["actions"] if a.status == "proposed"] == [
        "payment_stop",
        "seal_check",
    ]
