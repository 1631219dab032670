"""A victim's freeze request to an account at our own bank goes through the core as a payment stop
(docs/domain.md §9), by the outbox after the case's change commits (never inside the request):
the request waits, pending, until the core answers; the answer is recorded on the request and the
timeline, a resubmit makes no second stop, a core that is down gets the stop once it is back, and
other banks are never sent."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.cases import services
from incidents.cases.services import core_branch_for
from incidents.models import CoreRequest, FreezeRequest
from incidents.models.choices import CoreRequestState, EventKind
from tests import factories
from tests.servers import core_banking, core_simulator

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = pytest.mark.django_db


def our_bank_request(**fields) -> dict:
    return {
        "payee_bank": "まもり銀行",
        "payee_branch": "本店営業部",
        "payee_account_number": "7654321",
        "payee_account_name": "カ）サギショウカイ",
        "requested_at": "2026-04-30T10:00",
        "contact_name": "本店営業部 田中",
        "answer": "pending",
        **fields,
    }


def freeze_url(case) -> str:
    return reverse("incidents:case_freeze_requests", args=[case.pk])


WAITING = "勘定系へ凍結を依頼しました（回答待ち）"
ASKED = "当行の口座のため、勘定系へ凍結を依頼しました。"


def test_a_request_to_our_banks_account_is_frozen_through_the_core_once(
    core_banking, teller, teller_client, django_capture_on_commit_callbacks
):
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    assert ASKED in page
    # Nothing left inside the request: the stop is in the outbox, handed to Celery after commit.
    assert core_banking.stats()["total"] == 0 and len(callbacks) == 1
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.answer, freeze.answer_note) == ("pending", WAITING)
    request = CoreRequest.objects.get(freeze_request=freeze)
    assert request.action_id is None and request.state == CoreRequestState.PENDING
    assert services.core_requests_sweep().sent == {"confirmed": 1}
    freeze.refresh_from_db()
    assert freeze.answer == "frozen"
    assert freeze.answer_note.startswith("勘定系で支払停止（照会番号 CB-")
    reference = freeze.answer_note.removeprefix("勘定系で支払停止（照会番号 ").rstrip("）")
    assert reference in teller_client.get(freeze_url(case)).content.decode()
    assert case.actions.get(kind="receiving_freeze").reference == reference
    answered = case.events.get(kind=EventKind.FREEZE_ANSWERED)
    assert reference in answered.message and answered.data["core"] == reference
    # The same form again, then a new request for the same account: no second stop, and the
    # new request takes the core's answer under the same key at once.
    teller_client.post(freeze_url(case), data)
    teller_client.post(freeze_url(case), factories.stamped(case, our_bank_request()))
    assert services.core_requests_sweep().sent == {}
    assert core_banking.stats()["stops"] == {str(request.key): 1}
    second = FreezeRequest.objects.filter(case=case).exclude(pk=freeze.pk).get()
    assert (second.answer, second.answer_note) == ("frozen", freeze.answer_note)
    events = case.events.filter(kind=EventKind.FREEZE_REQUESTED).order_by("pk")
    assert events.count() == 2  # one line per request recorded, the replayed post none
    assert reference in events[1].message and events[1].data["core"] == reference


def test_a_refusal_by_the_core_is_recorded_with_its_reason(core_banking, teller, teller_client):
    core_banking.mode("unknown_account")
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request(payee_branch="001"))
    teller_client.post(freeze_url(case), data)
    assert services.core_requests_sweep().sent == {"refused": 1}
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.answer, freeze.answer_note) == ("refused", "勘定系：口座がありません")
    page = teller_client.get(freeze_url(case)).content.decode()
    assert "口座がありません" in page
    assert "凍結できない" in case.events.get(kind=EventKind.FREEZE_ANSWERED).message
    # Asked again (as a late callback would answer), the refusal stands once.
    assert services.core_requests_sweep(now=timezone.now() + timedelta(hours=1)).sent == {}
    assert case.events.filter(kind=EventKind.FREEZE_ANSWERED).count() == 1


def test_the_page_answers_at_once_while_the_core_is_slow(core_banking, teller, teller_client):
    core_banking.mode("slow", ms=3000)
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request())
    started = time.monotonic()
    response = teller_client.post(freeze_url(case), data)
    assert response.status_code == 302
    assert time.monotonic() - started < 2  # the core would take 3 s: it was not called
    assert core_banking.stats()["total"] == 0
    assert FreezeRequest.objects.get(case=case).answer == "pending"


def test_a_request_to_another_bank_never_calls_the_core(core_banking, teller, teller_client):
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request(payee_bank="みずほ銀行"))
    page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    assert "凍結依頼を記録しました。" in page
    assert core_banking.stats()["total"] == 0
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.answer, freeze.answer_note) == ("pending", "")


def test_a_core_that_is_down_gets_the_stop_once_it_is_back(core_banking, teller, teller_client):
    core_banking.stop()
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request())
    page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    assert ASKED in page
    assert services.core_requests_sweep().sent == {"retry": 1}
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.answer, freeze.answer_note) == ("pending", WAITING)
    request = CoreRequest.objects.get(freeze_request=freeze)
    assert request.attempts == 1 and request.last_error
    core_banking.start()  # back, with no memory of the request
    later = timezone.now() + timedelta(minutes=1)
    assert services.core_requests_sweep(now=later).sent == {"confirmed": 1}
    freeze.refresh_from_db()
    assert freeze.answer == "frozen"
    assert core_banking.stats()["stops"] == {str(request.key): 1}


def test_an_answer_recorded_by_hand_stops_the_request_and_is_never_overwritten(
    core_banking, teller, teller_client
):
    core_banking.mode("hold")
    case = factories.transfer_fraud_case(teller, submit=False)
    teller_client.post(freeze_url(case), factories.stamped(case, our_bank_request()))
    assert services.core_requests_sweep().sent == {"accepted": 1}
    freeze = FreezeRequest.objects.get(case=case)
    by_hand = our_bank_request(
        request_id=freeze.pk, answer="frozen", answer_note="本店に電話で確認"
    )
    response = teller_client.post(freeze_url(case), factories.stamped(case, by_hand))
    assert response.status_code == 302
    freeze.refresh_from_db()
    assert (freeze.answer, freeze.answer_note) == ("frozen", "本店に電話で確認")
    request = CoreRequest.objects.get(freeze_request=freeze)
    assert request.state == CoreRequestState.FAILED  # closed: not asked again
    assert services.core_requests_sweep(now=timezone.now() + timedelta(hours=1)).sent == {}
    # The core's late confirmation is taken, and the teller's answer stands.
    services.core_request_confirm(request_key=str(request.key), reference="CB-LATE")
    freeze.refresh_from_db()
    assert (freeze.answer, freeze.answer_note) == ("frozen", "本店に電話で確認")
    assert not case.events.filter(kind=EventKind.FREEZE_ANSWERED).exists()


def test_our_bank_is_known_by_its_name_and_a_branch_by_its_code_or_name(branch, other_branch):
    def sent(bank: str, name: str, answer: str = "pending"):
        return core_branch_for(bank=bank, branch=name, answer=answer)

    assert sent("まもり銀行", "００１") == branch  # full-width digits are the same code
    assert sent("ま も り 銀 行", "新宿") == other_branch
    assert sent("まもり銀行", "新宿支店") == other_branch
    assert sent("まもり銀行", "渋谷支店") is None  # not one of ours
    assert sent("みずほ銀行", "001") is None
    assert sent("まもり銀行", "001", answer="frozen") is None  # answered by hand


def test_a_freeze_request_left_unconfirmed_escalates_once_on_its_case(
    core_banking, teller, teller_client, supervisor
):
    core_banking.mode("hold")
    supervisor.language = "en"  # the notice in its reader's language, the line in the bank's
    supervisor.save(update_fields=["language"])
    case = factories.transfer_fraud_case(teller, submit=False)
    teller_client.post(freeze_url(case), factories.stamped(case, our_bank_request()))
    assert services.core_requests_sweep().sent == {"accepted": 1}
    later = timezone.now() + timedelta(minutes=16)
    assert len(services.core_requests_sweep(now=later).escalated) == 1
    assert services.core_requests_sweep(now=later + timedelta(minutes=1)).escalated == []
    freeze = FreezeRequest.objects.get(case=case)
    line = case.events.get(kind=EventKind.STOP_UNCONFIRMED)
    assert line.data["freeze_request"] == freeze.pk and "凍結依頼" in line.message
    notice = supervisor.notifications.get(dedupe_key__startswith="stop-unconfirmed:")
    assert notice.title.startswith(f"Stop unconfirmed: #{case.pk} Freeze request to the receiving")
    assert notice.link_label == "Open the case"
    assert FreezeRequest.objects.get(pk=freeze.pk).answer == "pending"
