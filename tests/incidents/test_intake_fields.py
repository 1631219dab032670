"""Intake fields (issue 13): kana, amounts, fields by channel and kind, the police number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.cases import services
from tests import factories

from .test_intake_views import day, errors_of, step_url, tx_post

pytestmark = pytest.mark.django_db


def test_hiragana_in_a_kana_field_becomes_katakana(teller_client, teller):
    case = factories.draft(teller)
    data = factories.stamped(
        case,
        customer_type="individual",
        customer_name="山田 花子",
        customer_name_kana="やまだ　はなこ",
        next="1",
    )
    assert teller_client.post(step_url(case, "customer"), data).status_code == 302
    case.refresh_from_db()
    assert case.customer_name_kana == "ヤマダ ハナコ"


def test_the_police_receipt_number_is_half_width_at_intake(teller_client, teller):
    case = factories.draft(teller)
    data = factories.stamped(
        case,
        police_status="filed",
        police_station="丸の内警察署",
        police_filed_on=day(-1),
        police_receipt_number="第１２３４号",
        next="1",
    )
    assert teller_client.post(step_url(case, "police"), data).status_code == 302
    case.refresh_from_db()
    assert case.police_receipt_number == "第1234号"


def test_amounts_are_shown_with_thousands_separators_and_stored_in_whole_yen(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=((1234567, 220),))
    page = teller_client.get(step_url(case, "transactions")).content.decode()
    assert 'value="1,234,567"' in page
    assert "data-yen" in page and "intake-fields.js" in page
    assert case.transactions.get().amount == 1234567


def test_a_payee_on_a_withdrawal_is_refused_with_a_message_and_the_typed_row_kept(
    teller_client, teller
):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    item = case.items.get()
    data = factories.stamped(
        case, tx_post(item, payee_bank="どこか銀行", payee_account_name="ダレカ")
    )
    response = teller_client.post(step_url(case, "transactions"), data)
    assert response.status_code == 200
    assert "振込先は振込の取引（ATM振込・IB振込・窓口振込）にだけ入力します。" in errors_of(
        response
    )
    page = response.content.decode()
    assert 'value="どこか銀行"' in page and 'value="200,000"' in page  # kept as typed
    assert not case.transactions.exists()


def test_the_same_row_as_a_transfer_keeps_its_payee(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    item = case.items.get()
    payee = {
        "payee_bank": "どこか銀行",
        "payee_branch": "本店",
        "payee_account_number": "7654321",
        "payee_account_name": "ダレカ",
    }
    data = factories.stamped(case, tx_post(item, channel="atm_transfer", **payee))
    assert teller_client.post(step_url(case, "transactions"), data).status_code == 302
    tx = case.transactions.get()
    assert (tx.payee_bank, tx.payee_account_name) == ("どこか銀行", "ダレカ")


def test_the_service_refuses_a_payee_on_a_withdrawal(teller):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    item = case.items.get()
    row = {
        "item": item.pk,
        "occurred_at": timezone.now() - timedelta(days=1),
        "account_branch": "001",
        "account_number": "1234567",
        "channel": "atm_withdrawal",
        "amount": 10_000,
        "payee_bank": "どこか銀行",
    }
    with pytest.raises(services.TransactionRefused) as refused:
        services.case_save_transactions(case=case, user=teller, rows=[row])
    assert set(refused.value.errors) == {"payee_bank"}
    assert not case.transactions.exists()
    services.case_save_transactions(case=case, user=teller, rows=[{**row, "payee_bank": ""}])
    assert case.transactions.get().payee_bank == ""


def test_a_row_that_got_money_back_cannot_become_a_withdrawal(teller):
    online = factories.stolen_card_case(teller, submit=False, withdrawals=((100_000, 0),))
    tx = online.transactions.get()
    type(tx).objects.filter(pk=tx.pk).update(
        channel="atm_transfer", payee_bank="どこか銀行", recovered_amount=50_000
    )
    row = {name: getattr(tx, name) for name in services.TRANSACTION_FIELDS}
    row |= {"id": tx.pk, "item": tx.item_id, "channel": "atm_withdrawal", "payee_bank": ""}
    with pytest.raises(services.TransactionRefused) as refused:
        services.case_save_transactions(case=online, user=teller, rows=[row])
    assert set(refused.value.errors) == {"recovered_amount"}


def test_the_contents_offered_follow_the_kind_of_item(teller_client, teller):
    case = factories.draft(teller)
    page = teller_client.get(step_url(case, "items")).content.decode()
    assert "data-states-by-kind" in page and "credentials_stolen" in page
