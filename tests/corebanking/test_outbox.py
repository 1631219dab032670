"""Stops through the core-banking simulator (a real HTTP server): confirmed, refused, unknown
account, retried after a timeout without a second stop, a double-clicked retry sent once, a
confirmation that arrives twice, a stop recorded by hand from the core's terminal."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.cases import services
from incidents.cases.edits import EditStamp
from incidents.cases.selectors import case_submission_problems
from incidents.models import CoreRequest
from incidents.models.choices import ActionStatus, CaseStatus, CoreRequestState, EventKind
from tests import factories
from tests.servers import core_banking, core_simulator

from .conftest import card_stop, case_with_proposed_stops, held_stop

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = pytest.mark.django_db


def request_and_send(action, user):
    """The teller asks for the stop; the outbox sends it (as the task after commit would)."""
    services.action_perform(action=action, user=user)
    action.refresh_from_db()
    request = CoreRequest.objects.get(action=action, state__in=["pending", "accepted"])
    outcome = services.core_request_send(request_id=request.pk)
    action.refresh_from_db()
    return request, outcome


def test_a_stop_is_requested_in_the_outbox_and_leaves_only_after_commit(
    core_banking, teller, django_capture_on_commit_callbacks
):
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.action_perform(action=action, user=teller)
    action.refresh_from_db()
    assert action.status == ActionStatus.REQUESTED and action.requested_at is not None
    assert len(callbacks) == 1  # the send is handed to Celery once the case's change commits
    assert core_banking.stats()["total"] == 0  # nothing left inside the transaction
    assert case.events.filter(kind=EventKind.STOP_REQUESTED).count() == 1
    # A second click while the request is in flight asks nothing more.
    services.action_perform(action=action, user=teller)
    assert CoreRequest.objects.filter(action=action).count() == 1


def test_a_stop_confirmed_by_the_core_is_done_with_the_cores_reference(core_banking, teller):
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    request, outcome = request_and_send(action, teller)
    assert outcome == "confirmed"
    assert action.status == ActionStatus.DONE
    assert action.reference.startswith("CB-") and action.performed_at is not None
    request.refresh_from_db()
    assert request.state == CoreRequestState.CONFIRMED and request.next_attempt_at is None
    assert core_banking.stats()["stops"] == {str(request.key): 1}
    done = case.events.get(kind=EventKind.STOP_DONE)
    assert action.reference in done.message


def test_the_cores_confirmation_does_not_make_the_tellers_next_step_stale(core_banking, teller):
    case, action, request = held_stop(core_banking, teller, "hold")
    case.refresh_from_db()
    rendered, changed_at = case.version, case.updated_at  # the transactions step on screen
    services.action_confirm(request_key=str(request.key), reference="CB-CALLBACK-1")
    case.refresh_from_db()
    # The stop stands and the case shows as changed (the API's list of changes follows
    # updated_at), but no form rendered before the answer is refused for it.
    assert case.version == rendered and case.updated_at > changed_at
    saved = services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": action.item_id,
                "occurred_at": factories.at(factories.today() - timedelta(days=1), 14),
                "account_branch": "001",
                "account_number": "1234567",
                "channel": "atm_withdrawal",
                "amount": 200_000,
                "fee": 0,
                "interest": 0,
            }
        ],
        stamp=EditStamp(version=rendered, key=uuid.uuid4()),
    )
    assert [tx.amount for tx in saved] == [200_000]
    assert case.actions.get(pk=action.pk).status == ActionStatus.DONE


def test_a_draft_whose_stop_awaits_the_core_is_neither_discarded_nor_withdrawn_until_it_stands(
    core_banking, teller, teller_client
):
    case, action, request = held_stop(core_banking, teller, "hold")
    # Discarding now would orphan the card stop the core is about to confirm.
    url = reverse("incidents:case_discard", args=[case.pk])
    refused = teller_client.post(url, factories.stamped(case, confirm="on"), follow=True)
    assert "勘定系の確認を待っている措置（停止）があります。" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    with pytest.raises(services.WithdrawalError, match="確認されるまで"):
        services.withdrawal_request_create(
            case=case, user=teller, reason="カードが見つかったため", stop_ids=[action.pk]
        )
    # Once the core confirms, the stop stands and the report is withdrawn with it lifted.
    services.action_confirm(request_key=str(request.key), reference="CB-CALLBACK-1")
    assert teller_client.get(url).url == reverse("incidents:case_withdrawal", args=[case.pk])
    withdrawal = services.withdrawal_request_create(
        case=case, user=teller, reason="カードが見つかったため", stop_ids=[action.pk]
    )
    assert list(withdrawal.stops.values_list("pk", flat=True)) == [action.pk]


def test_a_refused_stop_is_failed_with_the_cores_reason_and_the_page_says_it(
    core_banking, teller, teller_client
):
    core_banking.mode("refuse")
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    _request, outcome = request_and_send(action, teller)
    assert outcome == "refused"
    assert action.status == ActionStatus.FAILED
    assert action.failure_code == "refused"
    assert "取引制限中" in action.failure_reason
    assert case.events.filter(kind=EventKind.STOP_FAILED).count() == 1
    for name in ("incidents:case_detail", "incidents:case_stops"):
        page = teller_client.get(reverse(name, args=[case.pk])).content.decode()
        assert 'data-testid="stop-failure"' in page and "取引制限中" in page
    # A refused stop still has to be dealt with before the report is complete.
    assert any("カード利用停止" in p for p in case_submission_problems(case))


def test_an_unknown_account_is_failed_with_its_code(core_banking, teller, teller_client):
    core_banking.mode("unknown_account")
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    _request, outcome = request_and_send(action, teller)
    assert outcome == "refused"
    assert (action.status, action.failure_code) == (ActionStatus.FAILED, "unknown_account")
    page = teller_client.get(reverse("incidents:case_stops", args=[case.pk])).content.decode()
    assert "口座がありません" in page and "unknown_account" in page


def made_once_after_the_backoff(core_banking, action, request) -> None:
    """A sweep after the backoff asks again under the same key: confirmed, made once."""
    result = services.core_requests_sweep(now=timezone.now() + timedelta(minutes=1))
    assert result.sent == {"confirmed": 1}
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert core_banking.stats()["stops"] == {str(request.key): 1}


def test_a_stop_whose_answer_was_lost_is_retried_under_its_key_and_made_once(core_banking, teller):
    # The core makes the stop but answers after our timeout: we do not know it is done.
    core_banking.mode("slow", ms=1500)
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    request, outcome = request_and_send(action, teller)
    assert outcome == "retry"
    assert action.status == ActionStatus.REQUESTED
    request.refresh_from_db()
    assert request.attempts == 1 and request.last_error
    assert request.next_attempt_at > timezone.now()
    core_banking.mode("normal")
    # Not due yet: a sweep now sends nothing; one after the backoff resends under the same key.
    assert services.core_requests_sweep().sent == {}
    made_once_after_the_backoff(core_banking, action, request)


def test_a_core_answering_500_makes_no_stop_and_the_stop_is_made_once_it_recovers(
    core_banking, teller
):
    core_banking.mode("fail")
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    request, outcome = request_and_send(action, teller)
    # A failure is not a refusal: the stop stays requested and is asked again after the backoff.
    assert outcome == "retry"
    assert action.status == ActionStatus.REQUESTED
    request.refresh_from_db()
    assert request.attempts == 1 and "500" in request.last_error
    assert core_banking.stats()["stops"] == {}
    core_banking.mode("normal")
    made_once_after_the_backoff(core_banking, action, request)


def test_a_double_clicked_retry_of_a_refused_stop_sends_once(core_banking, teller, teller_client):
    core_banking.mode("refuse")
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    request_and_send(action, teller)
    assert action.status == ActionStatus.FAILED
    core_banking.mode("normal")
    url = reverse("incidents:case_stops", args=[case.pk])
    page = teller_client.get(url).content.decode()
    assert "再依頼する" in page
    click = factories.stamped(case, perform=str(action.pk))
    assert teller_client.post(url, click).status_code == 302
    assert teller_client.post(url, click).status_code == 302  # the same form again
    # A retry from another tab, not yet knowing of the first, adds nothing either.
    services.action_perform(action=action, user=teller)
    retries = CoreRequest.objects.filter(action=action).exclude(state=CoreRequestState.FAILED)
    assert retries.count() == 1
    assert services.core_requests_sweep().sent == {"confirmed": 1}
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    # The refused request made no stop; the retry made one.
    assert core_banking.stats()["stops"] == {str(retries.get().key): 1}


def test_a_confirmation_arriving_twice_changes_nothing_the_second_time(core_banking, teller):
    core_banking.mode("hold")
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    request, outcome = request_and_send(action, teller)
    assert outcome == "accepted" and action.status == ActionStatus.REQUESTED
    first = services.action_confirm(request_key=str(request.key), reference="CB-CALLBACK-1")
    case.refresh_from_db()
    version = case.version
    again = services.action_confirm(request_key=str(request.key), reference="CB-CALLBACK-2")
    case.refresh_from_db()
    assert first.reference == again.reference == "CB-CALLBACK-1"
    assert case.version == version
    assert case.events.filter(kind=EventKind.STOP_DONE).count() == 1
    # A refusal after the confirmation is refused and does not undo the stop.
    with pytest.raises(services.CoreAnswerConflict):
        services.action_fail(request_key=str(request.key), code="refused", reason="late")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    with pytest.raises(services.CoreRequestNotFound):
        services.action_confirm(request_key="not-a-key", reference="x")


def test_a_stop_made_at_the_cores_terminal_is_recorded_by_its_reference(
    core_banking, teller, teller_client
):
    core_banking.mode("unknown_account")
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    request_and_send(action, teller)
    url = reverse("incidents:case_stops", args=[case.pk])
    assert 'data-testid="manual-stop"' in teller_client.get(url).content.decode()
    teller_client.post(url, factories.stamped(case, manual=str(action.pk), reference="T-0042"))
    action.refresh_from_db()
    assert (action.status, action.reference) == (ActionStatus.DONE, "T-0042")
    # A stop still in flight, recorded by hand, is not sent again.
    core_banking.mode("hold")
    other = card_stop(case_with_proposed_stops(teller, account="7654321"))
    services.action_perform(action=other, user=teller)
    services.action_perform(action=other, user=teller, reference="T-0043")
    assert services.core_requests_sweep().sent == {}
    assert core_banking.stats()["total"] == 0
    # Hostile values are refused with a message, not a server error.
    for manual, reference in (
        (str(action.pk), "\x00"),
        ("²", "T-1"),
        ("99999999999999999999", "T-1"),
        (str(action.pk), "x" * 41),
        ("", ""),
    ):
        response = teller_client.post(
            url, factories.stamped(case, manual=manual, reference=reference), follow=True
        )
        assert response.status_code == 200


def test_the_after_hours_calls_emergency_stops_go_through_the_core(
    core_banking, monitoring_agent, branch
):
    case, _created = services.case_open_preliminary(
        user=monitoring_agent,
        token=__import__("uuid").uuid4(),
        fields={
            "customer_number": "100555",
            "customer_name": "井上 直樹",
            "customer_name_kana": "イノウエ ナオキ",
            "police_status": "not_yet",
        },
        items=[
            {
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": "001",
                "account_number": "5550001",
            }
        ],
    )
    stops = list(case.actions.exclude(status=ActionStatus.PROPOSED))
    assert stops and all(a.status == ActionStatus.REQUESTED for a in stops)
    assert services.core_requests_sweep().sent == {"confirmed": len(stops)}
    assert core_banking.stats()["total"] == len(stops)


def test_performing_every_proposed_stop_at_the_counter_requests_them_from_the_core(
    core_banking, teller, teller_client
):
    case = case_with_proposed_stops(teller)
    actions = list(case.actions.all())
    fields = {}
    for a in actions:
        fields.update({f"stop-{a.pk}-decision": "", f"stop-{a.pk}-reference": ""})
        fields[f"stop-{a.pk}-decline_reason"] = ""
    url = reverse("incidents:intake_step", args=[case.pk, "stops"])
    page = teller_client.post(url, factories.stamped(case, fields, perform_all="1"), follow=True)
    assert f"{len(actions)}件の措置を勘定系へ依頼しました" in page.content.decode()
    assert set(case.actions.values_list("status", flat=True)) == {ActionStatus.REQUESTED}


def test_retries_back_off_and_beat_sweeps_often_enough_to_keep_the_promise(settings):
    from incidents.cases.services.outbox import retry_delay

    delays = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:3] == [5, 10, 20] and max(delays) == 300 and delays == sorted(delays)
    sweep = settings.CELERY_BEAT_SCHEDULE["sweep-core-requests"]
    assert sweep["task"] == "incidents.tasks.sweep_core_requests"
    assert sweep["schedule"] < settings.MAMORI_STOP_CONFIRM_MINUTES * 60


def test_the_admin_lists_the_outbox_read_only_by_state_and_key(
    core_banking, teller, administrator, client
):
    core_banking.mode("unknown_account")
    case = case_with_proposed_stops(teller)
    request, _outcome = request_and_send(card_stop(case), teller)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    url = reverse("admin:incidents_corerequest_changelist")
    page = client.get(url, {"state__exact": "failed"}).content.decode()
    assert str(request.key) in page and "unknown_account" in page
    assert str(request.key) not in client.get(url, {"state__exact": "pending"}).content.decode()
    assert str(request.key) in client.get(url, {"q": str(request.key)}).content.decode()
    for term in ("not-a-key", "' OR 1=1", str(request.key)[:8]):
        response = client.get(url, {"q": term})
        assert response.status_code == 200 and str(request.key) not in response.content.decode()
    assert client.get(url, {"q": "\x00"}).status_code == 200  # refused by the admin's form
    change = reverse("admin:incidents_corerequest_change", args=[request.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"state": "confirmed"}).status_code == 403
    assert client.get(reverse("admin:incidents_corerequest_add")).status_code == 403
    request.refresh_from_db()
    assert request.state == CoreRequestState.FAILED


def test_a_deployment_naming_the_adapters_former_path_still_gets_the_recording_adapter(settings):
    from incidents.cases.corebanking import RecordingAdapter, get_adapter

    # Settings written before the redesign name incidents.corebanking.RecordingAdapter.
    settings.MAMORI_CORE_BANKING_ADAPTER = "incidents.corebanking.RecordingAdapter"
    assert isinstance(get_adapter(), RecordingAdapter)


def test_a_receiving_accounts_freeze_left_requested_is_not_recorded_by_hand_as_a_stop(
    teller, teller_client
):
    # One sent to the core before the freeze was kept off the stops (older data): the request to
    # the receiving bank records it, never a reference typed on the stops page.
    case = factories.transfer_fraud_case(teller)
    freeze = case.actions.get(kind="receiving_freeze")
    case.actions.filter(pk=freeze.pk).update(
        status=ActionStatus.REQUESTED, requested_at=timezone.now(), decline_reason=""
    )
    url = reverse("incidents:case_stops", args=[case.pk])
    assert 'data-testid="manual-stop"' not in teller_client.get(url).content.decode()
    response = teller_client.post(
        url, factories.stamped(case, manual=str(freeze.pk), reference="T-9"), follow=True
    )
    assert response.status_code == 200
    assert "記録する措置が見つかりません" in response.content.decode()
    freeze.refresh_from_db()
    assert (freeze.status, freeze.reference) == (ActionStatus.REQUESTED, "")
