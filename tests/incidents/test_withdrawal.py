"""A stop in force is never orphaned: a draft with stops done is withdrawn on a supervisor's
confirmation (four eyes) with its stops lifted; before any stop, discarding asks first."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from incidents.cases import services
from incidents.models import WithdrawalRequest
from incidents.models.choices import ActionStatus, CaseStatus, EventKind, WithdrawalState
from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stop_ids(case) -> list[str]:
    return [str(pk) for pk in case.actions.filter(status="done").values_list("pk", flat=True)]


def request_withdrawal(client, case, **extra):
    data = {"reason": "カードが見つかったため", "stops": stop_ids(case), **extra}
    return client.post(
        reverse("incidents:case_withdrawal", args=[case.pk]), factories.stamped(case, data)
    )


def test_discarding_a_draft_before_any_stop_asks_for_confirmation_first(teller_client, teller):
    case = factories.draft(teller)
    url = reverse("incidents:case_discard", args=[case.pk])
    page = teller_client.get(url)
    assert page.status_code == 200
    assert 'name="confirm"' in page.content.decode()
    unconfirmed = teller_client.post(url, factories.stamped(case))
    assert unconfirmed.status_code == 200
    assert "破棄する場合はチェックを入れてください。" in unconfirmed.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    confirmed = teller_client.post(url, factories.stamped(case, confirm="on"))
    assert confirmed.url == reverse("incidents:home")
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_the_discard_page_of_a_draft_with_stops_in_force_leads_to_the_withdrawal_request(
    teller_client, teller
):
    case = factories.stolen_card_case(teller, submit=False)
    page = teller_client.get(reverse("incidents:case_discard", args=[case.pk]))
    assert page.url == reverse("incidents:case_withdrawal", args=[case.pk])
    form = teller_client.get(page.url).content.decode()
    assert 'data-testid="withdrawal-request"' in form
    reference = case.actions.get(status="done").reference
    assert reference in form


def test_a_withdrawal_must_name_every_stop_in_force(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False)
    response = request_withdrawal(teller_client, case, stops=[])
    assert response.status_code == 200
    assert "解除する措置を選んでください。" in response.content.decode()
    assert "カードが見つかったため" in response.content.decode()  # what was typed is kept
    assert not WithdrawalRequest.objects.filter(case=case).exists()


def test_the_requester_cannot_confirm_their_own_withdrawal(client, supervisor):
    # A supervisor takes the report and asks for its withdrawal: another supervisor confirms.
    case = factories.stolen_card_case(supervisor, submit=False)
    own = signed_in(supervisor)
    assert request_withdrawal(own, case).status_code == 302
    withdrawal = WithdrawalRequest.objects.get(case=case)
    page = own.get(reverse("incidents:case_withdrawal", args=[case.pk])).content.decode()
    assert 'data-testid="withdrawal-confirm"' not in page
    decide = reverse("incidents:withdrawal_decide", args=[case.pk, withdrawal.pk])
    assert own.post(decide, factories.stamped(case, decision="confirm")).status_code == 403
    with pytest.raises(services.WithdrawalError):
        services.withdrawal_confirm(withdrawal=withdrawal, user=supervisor)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.actions.filter(status=ActionStatus.DONE).count() == 1


def test_a_teller_cannot_confirm_a_withdrawal(teller, supervisor):
    case = factories.stolen_card_case(supervisor, submit=False)
    request_withdrawal(signed_in(supervisor), case)
    withdrawal = WithdrawalRequest.objects.get(case=case)
    decide = reverse("incidents:withdrawal_decide", args=[case.pk, withdrawal.pk])
    response = signed_in(teller).post(decide, factories.stamped(case, decision="confirm"))
    assert response.status_code == 403
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.PENDING


def test_a_supervisors_confirmation_lifts_the_stops_and_withdraws_the_report(
    teller_client, teller, supervisor
):
    case = factories.stolen_card_case(teller, submit=False)
    reference = case.actions.get(status="done").reference
    assert request_withdrawal(teller_client, case).status_code == 302
    withdrawal = WithdrawalRequest.objects.get(case=case)
    assert withdrawal.state == WithdrawalState.PENDING
    boss = signed_in(supervisor)
    page = boss.get(reverse("incidents:case_withdrawal", args=[case.pk])).content.decode()
    assert "カードが見つかったため" in page
    decide = reverse("incidents:withdrawal_decide", args=[case.pk, withdrawal.pk])
    clicked = factories.stamped(case, decision="confirm")
    assert boss.post(decide, clicked).url == reverse("incidents:home")
    assert boss.post(decide, clicked).status_code == 302  # a double click changes nothing more
    case.refresh_from_db()
    withdrawal.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert withdrawal.state == WithdrawalState.CONFIRMED
    assert withdrawal.decided_by == supervisor
    assert not case.actions.filter(status=ActionStatus.DONE).exists()
    assert case.actions.get(reference=reference).status == ActionStatus.LIFTED
    confirmed = case.events.filter(kind=EventKind.WITHDRAWAL_CONFIRMED)
    assert confirmed.count() == 1
    assert reference in confirmed.get().message
    assert case.events.filter(kind=EventKind.WITHDRAWAL_REQUESTED).count() == 1


def test_a_rejected_withdrawal_keeps_the_draft_and_its_stops(teller_client, teller, supervisor):
    case = factories.stolen_card_case(teller, submit=False)
    request_withdrawal(teller_client, case)
    withdrawal = WithdrawalRequest.objects.get(case=case)
    decide = reverse("incidents:withdrawal_decide", args=[case.pk, withdrawal.pk])
    boss = signed_in(supervisor)
    no_reason = boss.post(decide, factories.stamped(case, decision="reject"))
    assert no_reason.status_code == 200
    assert "差し戻す場合は理由を入力してください。" in no_reason.content.decode()
    boss.post(decide, factories.stamped(case, decision="reject", comment="お客さまに再確認"))
    case.refresh_from_db()
    withdrawal.refresh_from_db()
    assert withdrawal.state == WithdrawalState.REJECTED
    assert case.status == CaseStatus.DRAFT
    assert case.actions.filter(status=ActionStatus.DONE).count() == 1
    # The teller may ask again, once.
    assert request_withdrawal(teller_client, case).status_code == 302
    assert WithdrawalRequest.objects.filter(case=case, state="pending").count() == 1


def test_a_stop_carried_out_after_the_request_blocks_the_confirmation(teller, supervisor):
    case = factories.stolen_card_case(teller, submit=False)
    withdrawal = services.withdrawal_request_create(
        case=case, user=teller, reason="見つかった", stop_ids=[int(pk) for pk in stop_ids(case)]
    )
    services.case_add_item(
        case=case,
        user=teller,
        fields={
            "kind": "passbook",
            "state": "lost",
            "account_branch": "001",
            "account_number": "7654321",
        },
        stop=True,
    )
    with pytest.raises(services.WithdrawalError):
        services.withdrawal_confirm(withdrawal=withdrawal, user=supervisor)
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_another_branch_sees_no_withdrawal(client, teller, other_teller):
    case = factories.stolen_card_case(teller, submit=False)
    client.force_login(other_teller)
    assert client.get(reverse("incidents:case_withdrawal", args=[case.pk])).status_code == 404


def test_the_branchs_other_supervisors_are_told_a_withdrawal_awaits_them(
    teller_client, teller, supervisor, other_supervisor
):
    from notifications.models import Notification

    case = factories.stolen_card_case(teller, submit=False)
    request_withdrawal(teller_client, case)
    told = Notification.objects.filter(title__startswith="取下げの承認依頼")
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "supervisor",
        "supervisor2",
    ]
    assert told.first().url == reverse("incidents:case_withdrawal", args=[case.pk])
