"""Intake fields (issue 13): kana, amounts, fields by channel and kind, the police number."""

from __future__ import annotations

import pytest

from tests import factories

from .test_intake_views import day, step_url, tx_post

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


def test_a_withdrawal_keeps_no_payee(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    item = case.items.get()
    data = factories.stamped(
        case, tx_post(item, payee_bank="どこか銀行", payee_account_name="ダレカ")
    )
    assert teller_client.post(step_url(case, "transactions"), data).status_code == 302
    tx = case.transactions.get()
    assert (tx.payee_bank, tx.payee_account_name) == ("", "")


def test_the_contents_offered_follow_the_kind_of_item(teller_client, teller):
    case = factories.draft(teller)
    page = teller_client.get(step_url(case, "items")).content.decode()
    assert "data-states-by-kind" in page and "credentials_stolen" in page
