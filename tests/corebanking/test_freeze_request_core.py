"""A victim's freeze request to an account at our own bank goes through the core as a payment stop
(docs/domain.md §9): its answer is recorded on the request, a resubmit makes no second stop, a
core that is down leaves the request unanswered for the teller, and other banks are never sent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.cases.services import core_branch_for
from incidents.models import FreezeRequest
from incidents.models.choices import EventKind
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


def test_a_request_to_our_banks_account_is_frozen_through_the_core_once(
    core_banking, teller, teller_client
):
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request())
    page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    assert "当行の口座のため、勘定系で支払停止し凍結しました。" in page
    assert core_banking.stats()["total"] == 1
    freeze = FreezeRequest.objects.get(case=case)
    assert freeze.answer == "frozen"
    assert freeze.answer_note.startswith("勘定系で支払停止（照会番号 CB-")
    reference = freeze.answer_note.removeprefix("勘定系で支払停止（照会番号 ").rstrip("）")
    assert reference in page
    assert case.actions.get(kind="receiving_freeze").reference == reference
    # The same form again, then a new request for the same account: no second stop.
    teller_client.post(freeze_url(case), data)
    teller_client.post(freeze_url(case), factories.stamped(case, our_bank_request()))
    assert core_banking.stats()["total"] == 1
    events = case.events.filter(kind=EventKind.FREEZE_REQUESTED).order_by("pk")
    assert reference in events[0].message and events[0].data["core"] == reference
    assert events.count() == 2  # one line per request recorded, the replayed post none


def test_a_refusal_by_the_core_is_recorded_with_its_reason(core_banking, teller, teller_client):
    core_banking.mode("unknown_account")
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request(payee_branch="001"))
    page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.answer, freeze.answer_note) == ("refused", "勘定系：口座がありません")
    assert "勘定系は凍結を受け付けませんでした。" in page and "口座がありません" in page
    assert "凍結できない" in case.events.get(kind=EventKind.FREEZE_REQUESTED).message


def test_a_request_to_another_bank_never_calls_the_core(core_banking, teller, teller_client):
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request(payee_bank="みずほ銀行"))
    page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    assert "凍結依頼を記録しました。" in page
    assert core_banking.stats()["total"] == 0
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.answer, freeze.answer_note) == ("pending", "")


def test_a_core_that_is_down_records_nothing_frozen_and_the_teller_records_by_hand(
    core_banking, teller, teller_client
):
    core_banking.stop()
    case = factories.transfer_fraud_case(teller, submit=False)
    data = factories.stamped(case, our_bank_request())
    page = teller_client.post(freeze_url(case), data, follow=True).content.decode()
    assert "勘定系で凍結を確認できませんでした。" in page
    freeze = FreezeRequest.objects.get(case=case)
    assert freeze.answer == "pending" and "接続できず" in freeze.answer_note
    by_hand = our_bank_request(
        request_id=freeze.pk, answer="frozen", answer_note="本店に電話で確認"
    )
    response = teller_client.post(freeze_url(case), factories.stamped(case, by_hand))
    assert response.status_code == 302
    freeze.refresh_from_db()
    assert (freeze.answer, freeze.answer_note) == ("frozen", "本店に電話で確認")


def test_our_bank_is_known_by_its_name_and_a_branch_by_its_code_or_name(branch, other_branch):
    def sent(bank: str, name: str, answer: str = "pending"):
        return core_branch_for(bank=bank, branch=name, answer=answer)

    assert sent("まもり銀行", "００１") == branch  # full-width digits are the same code
    assert sent("ま も り 銀 行", "新宿") == other_branch
    assert sent("まもり銀行", "新宿支店") == other_branch
    assert sent("まもり銀行", "渋谷支店") is None  # not one of ours
    assert sent("みずほ銀行", "001") is None
    assert sent("まもり銀行", "001", answer="frozen") is None  # answered by hand
