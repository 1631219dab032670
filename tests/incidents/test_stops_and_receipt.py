"""A stop in force is never orphaned by discarding its draft, and the receipt's "printed" is the
print button's fact, not a side effect of looking at the receipt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.cases import services
from incidents.models.choices import ActionStatus, CaseStatus, EventKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_draft_with_a_stop_carried_out_cannot_be_discarded(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False)
    assert case.actions.filter(status=ActionStatus.DONE).exists()
    response = teller_client.post(
        reverse("incidents:case_discard", args=[case.pk]),
        factories.stamped(case, confirm="on"),
        follow=True,
    )
    assert "実施済みの措置（停止）があるため、この届出は破棄できません" in response.content.decode()
    # The teller lands on the withdrawal request instead.
    assert response.redirect_chain[-1][0] == reverse("incidents:case_withdrawal", args=[case.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    with pytest.raises(services.DiscardRefusedError):
        services.case_discard_draft(case=case, user=teller)


def test_a_draft_before_any_stop_is_discarded_once(teller_client, teller):
    case = factories.draft(teller)
    clicked = factories.stamped(case, confirm="on")
    url = reverse("incidents:case_discard", args=[case.pk])
    assert teller_client.post(url, clicked).url == reverse("incidents:home")
    assert teller_client.post(url, clicked).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.events.filter(message="下書きを破棄しました").count() == 1


def test_looking_at_the_receipt_prints_nothing(client, teller, compliance_officer):
    case = factories.stolen_card_case(teller)
    for user in (teller, compliance_officer):
        client.force_login(user)
        page = client.get(reverse("incidents:case_receipt", args=[case.pk]))
        assert page.status_code == 200
    assert not case.events.filter(kind=EventKind.RECEIPT_PRINTED).exists()
    assert case.accesses.filter(view="receipt").count() == 2
    # Compliance reads the receipt; only the counter has a print button.
    assert 'data-testid="print-receipt"' not in page.content.decode()


def test_each_press_of_the_print_button_is_recorded_once(teller_client, teller):
    case = factories.stolen_card_case(teller)
    page = teller_client.get(reverse("incidents:case_receipt", args=[case.pk])).content.decode()
    assert 'data-testid="print-receipt"' in page
    url = reverse("incidents:case_receipt_print", args=[case.pk])
    pressed = {"edit_key": str(factories.uuid.uuid4())}
    answer = teller_client.post(url, pressed, HTTP_X_REQUESTED_WITH="fetch")
    assert answer.json()["ok"] is True
    teller_client.post(url, pressed, HTTP_X_REQUESTED_WITH="fetch")  # the same press, resent
    teller_client.post(url, {"edit_key": answer.json()["next_key"]})  # a second press, no script
    printed = case.events.filter(kind=EventKind.RECEIPT_PRINTED)
    assert printed.count() == 2 and {e.actor for e in printed} == {teller}


def test_compliance_cannot_record_a_print(client, teller, compliance_officer):
    case = factories.stolen_card_case(teller)
    client.force_login(compliance_officer)
    response = client.post(reverse("incidents:case_receipt_print", args=[case.pk]))
    assert response.status_code in (403, 404)
    assert not case.events.filter(kind=EventKind.RECEIPT_PRINTED).exists()
