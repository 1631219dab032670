"""The stops step: each fact once on the timeline, and every proposed stop in one action."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from incidents.cases import services
from incidents.models.choices import ActionStatus, EventKind
from tests import factories

pytestmark = pytest.mark.django_db


def step_url(case, step="stops"):
    return reverse("incidents:intake_step", args=[case.pk, step])


def form_data(page: str) -> dict:
    """The stops form as the page renders it: hidden fields, chosen options and typed values."""
    data: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'<input type="text" name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def passbook_draft(teller):
    case = factories.draft(teller)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": "passbook",
                "state": "stolen",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": factories.today(),
                "noticed_on": factories.today(),
            }
        ],
    )
    return case


def test_a_declined_stop_is_written_to_the_timeline_once_however_often_the_step_is_saved(
    teller_client, teller
):
    case = passbook_draft(teller)
    seal = case.actions.get(kind="seal_check")
    first = form_data(teller_client.get(step_url(case)).content.decode())
    first.update(
        {
            f"stop-{seal.pk}-decision": "declined",
            f"stop-{seal.pk}-decline_reason": "印鑑は手元にある",
            "save_only": "1",
        }
    )
    assert teller_client.post(step_url(case), first).status_code == 302
    for _again in range(2):
        page = teller_client.get(step_url(case)).content.decode()
        assert (
            teller_client.post(step_url(case), {**form_data(page), "save_only": "1"}).status_code
            == 302
        )
    declined = case.events.filter(kind=EventKind.STOP_DECLINED)
    assert declined.count() == 1
    assert "印鑑は手元にある" in declined.get().message
    seal.refresh_from_db()
    assert seal.status == ActionStatus.DECLINED


def passbook_and_seal_draft(teller):
    case = factories.draft(teller)
    row = {
        "state": "stolen",
        "account_branch": "001",
        "account_number": "1234567",
        "occurred_on": factories.today(),
        "noticed_on": factories.today(),
    }
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {"kind": "cash_card", **row},
            {"kind": "passbook", **row},
            {"kind": "seal", **row},
            {"kind": "passbook", **row, "account_number": "7654321"},
        ],
    )
    return case


def test_the_passbook_and_seal_of_one_account_propose_one_payment_stop(teller):
    case = passbook_and_seal_draft(teller)
    payment = case.actions.filter(kind="payment_stop")
    assert sorted(payment.values_list("item__account_number", flat=True)) == [
        "1234567",
        "7654321",
    ]
    assert sorted(case.actions.values_list("kind", flat=True)) == sorted(
        ["card_suspend", "payment_stop", "seal_check", "seal_change", "payment_stop", "seal_check"]
    )


def test_a_payment_stop_carried_out_on_the_seal_is_not_proposed_again_for_the_passbook(teller):
    case = factories.draft(teller)
    row = {
        "state": "stolen",
        "account_branch": "001",
        "account_number": "1234567",
        "occurred_on": factories.today(),
        "noticed_on": factories.today(),
    }
    (seal,) = services.case_save_items(case=case, user=teller, rows=[{"kind": "seal", **row}])
    services.action_perform(action=case.actions.get(kind="payment_stop"), user=teller)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[{"id": seal.pk, "kind": "seal", **row}, {"kind": "passbook", **row}],
    )
    stops = case.actions.filter(kind="payment_stop")
    assert stops.count() == 1
    assert stops.get().item_id == seal.pk and stops.get().status == ActionStatus.DONE


def test_perform_every_proposed_stop_in_one_action_each_with_its_reference(teller_client, teller):
    case = passbook_and_seal_draft(teller)
    seal_check = case.actions.filter(kind="seal_check").first()
    page = teller_client.get(step_url(case)).content.decode()
    assert 'data-testid="perform-all-stops"' in page
    data = form_data(page)
    # One stop was already done at the core terminal: its reference is typed, not issued again.
    data[f"stop-{seal_check.pk}-reference"] = "HOST-123"
    response = teller_client.post(step_url(case), {**data, "perform_all": "1"}, follow=True)
    # On to the next step at once, the references said there.
    assert response.redirect_chain[-1][0] == step_url(case, "transactions")
    actions = list(case.actions.all())
    assert len(actions) == 6
    assert all(a.status == ActionStatus.DONE and a.reference for a in actions)
    seal_check.refresh_from_db()
    assert seal_check.reference == "HOST-123"
    done = case.events.filter(kind=EventKind.STOP_DONE)
    assert done.count() == 6
    assert all(a.reference in " ".join(done.values_list("message", flat=True)) for a in actions)
    assert case.edits.filter(action="step:stops").count() == 1  # one guarded write
    assert "HOST-123" in response.content.decode()
    assert (
        'data-testid="perform-all-stops"' not in teller_client.get(step_url(case)).content.decode()
    )


def first_submit_button(page: str) -> str:
    form = page[page.index('data-testid="step-form"') :]
    found = re.search(r'<button[^>]*type="submit"[^>]*>', form)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize("step", ["customer", "items", "stops", "transactions", "police"])
def test_enter_in_a_field_saves_the_step_never_adds_a_row_or_performs_a_stop(
    teller_client, teller, step
):
    case = passbook_and_seal_draft(teller)
    page = teller_client.get(step_url(case, step)).content.decode()
    # Enter submits a form with its first submit button (HTML's implicit submission).
    assert 'name="next"' in first_submit_button(page)


def test_rows_are_added_on_the_page_from_the_formsets_empty_form(teller_client, teller):
    case = passbook_and_seal_draft(teller)
    for step, prefix in (("items", "items"), ("transactions", "tx")):
        page = teller_client.get(step_url(case, step)).content.decode()
        template = page[page.index("<template data-row-template>") :]
        template = template[: template.index("</template>")]
        assert f'name="{prefix}-__prefix__-' in template
        assert "data-row-remove" in page and "intake-rows.js" in page
    # The transaction row added on the page starts on the first item's account.
    assert 'name="tx-__prefix__-account_number" value="1234567"' in template


def test_perform_all_leaves_the_receiving_accounts_freeze_to_the_freeze_request(
    teller_client, teller
):
    # The draft's other stops are declined: only the freeze of the receiving account is open.
    case = factories.transfer_fraud_case(teller, submit=False)
    freeze = case.actions.get(kind="receiving_freeze")
    assert freeze.status == ActionStatus.PROPOSED
    page = teller_client.get(step_url(case)).content.decode()
    assert 'data-testid="freeze-link"' in page
    assert 'data-testid="perform-all-stops"' not in page  # nothing it could carry out
    teller_client.post(step_url(case), {**form_data(page), "perform_all": "1"})
    freeze.refresh_from_db()
    assert freeze.status == ActionStatus.PROPOSED and not freeze.reference
    assert not freeze.core_requests.exists() and not case.freeze_requests.exists()


def test_the_receiving_accounts_freeze_cannot_be_chosen_as_done_on_the_stops_step(
    teller_client, teller
):
    case = factories.transfer_fraud_case(teller, submit=False)
    freeze = case.actions.get(kind="receiving_freeze")
    page = teller_client.get(step_url(case)).content.decode()
    data = {**form_data(page), f"stop-{freeze.pk}-decision": ActionStatus.DONE, "perform": "1"}
    response = teller_client.post(step_url(case), data)
    assert response.status_code == 200  # refused on the form, nothing sent to the core
    freeze.refresh_from_db()
    assert freeze.status == ActionStatus.PROPOSED and not freeze.core_requests.exists()


def test_recording_the_freeze_request_marks_the_receiving_accounts_freeze_done(teller):
    case = factories.transfer_fraud_case(teller, submit=False)
    factories.freeze_request_to_our_bank(case, teller)
    freeze = case.actions.get(kind="receiving_freeze")
    assert freeze.status == ActionStatus.DONE and freeze.reference
