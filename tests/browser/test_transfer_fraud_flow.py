"""A teller takes a transfer-fraud report (振り込め詐欺等, path A): the customer was told on the
phone to operate an ATM, transferred the money, and the bank asks the receiving bank to freeze."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from incidents.models import Case
from tests import factories
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teller_takes_a_transfer_fraud_report_and_records_the_freeze_request(
    page: Page, live_server, teller
):
    today = factories.today()
    sent_on = today - timedelta(days=1)
    sign_in(page, live_server, "teller", "窓口担当")

    page.get_by_test_id("new-case").click()
    page.get_by_label("窓口").check()
    page.get_by_label("ご本人").check()
    page.get_by_test_id("next").click()

    page.get_by_label("個人", exact=True).check()
    page.get_by_label("氏名（漢字）").fill("佐藤 花子")
    page.get_by_label("氏名（カナ）").fill("サトウ ハナコ")
    page.get_by_test_id("next").click()

    row = page.get_by_test_id("item-row").first
    row.locator("select[name$='-kind']").select_option("transfer_fraud")
    row.get_by_label("事故の内容").select_option("deceived")
    row.get_by_label("店番").fill("001")
    row.get_by_label("口座番号").fill("7654321")
    row.get_by_label("盗難・紛失・盗取の日").fill(sent_on.isoformat())
    row.get_by_label("気付いた日").fill(today.isoformat())
    page.get_by_test_id("next").click()

    # The fraud step: a call that sent the customer to an ATM, a refund scam.
    expect(page.get_by_text("ATMで還付金は受け取れません")).to_be_visible()
    page.locator("input[name='sign_atm_call'][value='True']").check()
    page.locator("input[name='sign_home_visit'][value='False']").check()
    page.locator("input[name='sign_pin_asked'][value='False']").check()
    page.get_by_label("だまされて振り込んだ場合の手口").select_option("refund")
    page.get_by_test_id("next").click()

    # The stops: the freeze request is recorded on its page, the limits lowered.
    stops = page.get_by_test_id("stop-row")
    expect(stops).to_have_count(3)
    expect(page.get_by_test_id("stop-limit").first).to_contain_text("200,000")
    page.get_by_test_id("freeze-link").click()
    form = page.get_by_test_id("freeze-form")
    form.get_by_label("振込先金融機関").fill("みずほ銀行")
    form.get_by_label("振込先支店").fill("渋谷支店")
    form.get_by_label("振込先口座番号").fill("1112223")
    form.get_by_label("振込先口座名義（カナ）").fill("ヤマダ ジロウ")
    form.get_by_label("先方の担当者").fill("佐藤")
    form.get_by_label("先方の回答").select_option("pending")
    page.get_by_test_id("save-freeze").click()
    expect(page.get_by_test_id("freeze-requests")).to_contain_text("みずほ銀行")
    page.get_by_role("link", name="即時措置に戻る").click()
    expect(page.get_by_test_id("done-stops")).to_contain_text("振込先口座の凍結依頼")
    for n in range(page.get_by_test_id("stop-row").count()):
        page.get_by_test_id("stop-row").nth(n).get_by_label("実施状況").select_option("done")
    page.get_by_test_id("perform-stops").click()
    expect(page.get_by_test_id("done-stops")).to_contain_text("ATM利用限度額の引下げ")
    page.get_by_test_id("next").click()

    tx = page.get_by_test_id("tx-row").first
    tx.get_by_label("取引日時").fill(f"{sent_on.isoformat()}T14:05")
    tx.get_by_label("取引種類").select_option("atm_transfer")
    tx.get_by_label("金額（円）").fill("1,500,000")
    tx.get_by_label("振込先金融機関").fill("みずほ銀行")
    tx.get_by_label("振込先支店").fill("渋谷支店")
    tx.get_by_label("振込先口座番号").fill("1112223")
    tx.get_by_label("振込先口座名義（カナ）").fill("ヤマダ ジロウ")
    page.get_by_test_id("next").click()

    page.get_by_label("届出済").check()
    page.get_by_label("届出警察署").fill("渋谷警察署")
    page.get_by_label("届出日").fill(today.isoformat())
    page.get_by_test_id("next").click()

    page.get_by_label("お客さまと内容を確認しました").check()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()

    case = Case.objects.get()
    assert case.supervisor_flagged and case.fraud_approach == "refund"
    assert case.freeze_requests.get().contact_name == "佐藤"
    assert case.deadlines.filter(kind="freeze_follow_up", state="open").exists()
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.get_by_test_id("supervisor-flag")).to_be_visible()
    expect(page.get_by_test_id("case-fraud")).to_contain_text("還付金詐欺")
