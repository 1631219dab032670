"""Intake services: proposed stops, submission rules, idempotence."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection

from incidents.cases import services
from incidents.cases.edits import EditStamp
from incidents.models import Case, ProtectiveAction
from incidents.models.choices import ActionStatus, CaseStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _items(case, teller, *rows):
    day = factories.today() - timedelta(days=1)
    return services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "account_branch": "001",
                "account_number": "7654321",
                "occurred_on": day,
                "noticed_on": day,
                **row,
            }
            for row in rows
        ],
    )


def test_it_proposes_the_stops_each_item_calls_for(teller):
    case = factories.draft(teller)
    _items(
        case,
        teller,
        {"kind": "cash_card", "state": "counterfeit"},
        {"kind": "passbook", "state": "stolen"},
        {"kind": "seal", "state": "lost"},
        {"kind": "online_banking", "state": "credentials_stolen"},
        {
            "kind": "id_document",
            "state": "stolen",
            "id_document_kind": "driving_licence",
            "account_branch": "",
            "account_number": "",
        },
    )
    proposed = sorted((a.item.kind, a.kind) for a in case.actions.select_related("item"))
    assert proposed == sorted(
        [
            ("cash_card", "card_suspend"),
            ("cash_card", "card_reissue_ic"),
            ("passbook", "payment_stop"),
            ("passbook", "seal_check"),
            ("seal", "seal_change"),
            # The seal's account is the passbook's: one payment stop for the account.
            ("online_banking", "ib_suspend"),
            ("online_banking", "ib_reset"),
        ]
    )


def test_removing_an_item_drops_its_untouched_stops_but_keeps_a_stop_already_done(teller):
    case = factories.draft(teller)
    card, passbook = _items(
        case,
        teller,
        {"kind": "cash_card", "state": "stolen"},
        {"kind": "passbook", "state": "stolen"},
    )
    done = case.actions.get(kind="card_suspend")
    services.action_perform(action=done, user=teller)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "id": card.pk,
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": "001",
                "account_number": "7654321",
                "occurred_on": card.occurred_on,
                "noticed_on": card.noticed_on,
            },
            {"id": passbook.pk, "DELETE": True},
        ],
    )
    assert list(case.actions.values_list("kind", "status")) == [("card_suspend", "done")]


def test_it_refuses_to_submit_until_every_stop_is_done_or_declined(teller):
    case = factories.stolen_card_case(teller, submit=False)
    ProtectiveAction.objects.filter(case=case).update(
        status="proposed", performed_at=None, reference=""
    )
    with pytest.raises(services.SubmissionError) as error:
        services.case_submit(case_id=case.pk, user=teller)
    assert "カード利用停止" in error.value.problems[0]
    action = case.actions.get()
    services.action_decline(
        action=action, user=teller, reason="お客さまが既にコールセンターで停止済み"
    )
    submitted = services.case_submit(case_id=case.pk, user=teller)
    assert submitted.status == CaseStatus.REPORTED


def test_performing_a_stop_twice_stops_once_with_one_reference(teller):
    case = factories.draft(teller)
    _items(case, teller, {"kind": "cash_card", "state": "stolen"})
    action = case.actions.get()
    first = services.action_perform(action=action, user=teller)
    again = services.action_perform(action=action, user=teller)
    assert first.status == ActionStatus.DONE
    assert first.reference.startswith("STP-")
    assert again.reference == first.reference
    assert case.events.filter(kind="stop_done").count() == 1


def test_a_stop_recorded_by_hand_keeps_the_core_systems_reference(teller):
    case = factories.draft(teller)
    _items(case, teller, {"kind": "cash_card", "state": "stolen"})
    action = case.actions.get()
    services.action_perform(action=action, user=teller, reference="HOST-998877")
    action.refresh_from_db()
    assert (action.status, action.reference, action.performed_by) == ("done", "HOST-998877", teller)


def test_submitting_twice_yields_one_case_and_one_number(teller):
    case = factories.stolen_card_case(teller, submit=False)
    first = services.case_submit(case_id=case.pk, user=teller)
    second = services.case_submit(case_id=case.pk, user=teller)
    assert first.number == second.number
    assert Case.objects.exclude(number=None).count() == 1
    assert case.events.filter(kind="submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_draft_give_one_number(teller):
    case = factories.stolen_card_case(teller, submit=False)
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def submit():
        try:
            barrier.wait()
            numbers.append(services.case_submit(case_id=case.pk, user=teller).number)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(numbers)) == 1
    assert Case.objects.get(pk=case.pk).events.filter(kind="submitted").count() == 1


def test_starting_a_draft_again_with_the_same_token_returns_the_same_draft(teller):
    token = uuid.uuid4()
    fields = {
        "channel": "phone",
        "reporter_relation": "self",
        "notified_at": factories.at(factories.today()),
    }
    first, created = services.case_start_draft(user=teller, token=token, fields=fields)
    second, created_again = services.case_start_draft(user=teller, token=token, fields=fields)
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert Case.objects.count() == 1


def test_a_transaction_cannot_name_another_cases_item(teller):
    mine = factories.draft(teller)
    other = factories.stolen_card_case(teller, submit=False)
    foreign_item = other.items.get()
    with pytest.raises(ValueError):
        services.case_save_transactions(
            case=mine,
            user=teller,
            rows=[
                {
                    "item": foreign_item.pk,
                    "occurred_at": factories.at(factories.today()),
                    "account_branch": "001",
                    "account_number": "1234567",
                    "channel": "atm_withdrawal",
                    "amount": 1000,
                    "fee": 0,
                    "interest": 0,
                }
            ],
        )


def test_withdrawing_a_draft_keeps_it_on_record(teller):
    case = factories.draft(teller)
    services.case_discard_draft(case=case, user=teller)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_the_life_cycle_refuses_a_jump_and_records_each_move(teller):
    case = factories.stolen_card_case(teller)
    with pytest.raises(services.TransitionError):
        services.case_transition(case=case, user=teller, to=CaseStatus.PAID)
    services.case_transition(
        case=case, user=teller, to=CaseStatus.INVESTIGATING, reason="被害届待ち"
    )
    event = case.events.filter(kind="status_changed").get()
    assert event.data == {"from": "reported", "to": "investigating", "reason": "被害届待ち"}


def test_a_stale_edit_is_refused_and_never_overwrites_the_newer_one(teller, other_supervisor):
    case = factories.draft(teller)
    opened_at = case.version
    services.case_update(
        case=case,
        user=other_supervisor,
        step="customer",
        fields={"customer_phone": "03-1111-2222"},
        stamp=EditStamp(version=opened_at),
    )
    with pytest.raises(services.StaleCaseError) as error:
        services.case_update(
            case=case,
            user=teller,
            step="customer",
            fields={"customer_phone": "090-9999-9999"},
            stamp=EditStamp(version=opened_at),
        )
    assert error.value.current.customer_phone == "03-1111-2222"
    case.refresh_from_db()
    assert case.customer_phone == "03-1111-2222"


def test_saving_some_fields_leaves_the_others_alone(teller):
    case = factories.draft(teller)
    stale = Case.objects.get(pk=case.pk)
    services.case_update(
        case=case, user=teller, step="customer", fields={"customer_name": "新しい 名前"}
    )
    services.case_update(
        case=stale, user=teller, step="police", fields={"police_status": "not_yet"}
    )
    case.refresh_from_db()
    assert (case.customer_name, case.police_status) == ("新しい 名前", "not_yet")
