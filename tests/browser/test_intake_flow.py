"""A teller signs in, takes a stolen-card report with two withdrawals, and prints the receipt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from incidents.models import Case
from tests import factories
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_teller_takes_a_stolen_card_report_and_prints_the_receipt(
    page: Page, live_server, teller
):
    today = factories.today()
    stolen_on = today - timedelta(days=2)
    sign_in(page, live_server, "teller", "窓口担当")

    page.get_by_test_id("new-case").click()
    page.get_by_label("窓口").check()
    page.get_by_label("ご本人").check()
    page.get_by_test_id("next").click()

    page.get_by_label("顧客番号").fill("100234")
    page.get_by_label("個人", exact=True).check()
    page.get_by_label("氏名（漢字）").fill("山田 太郎")
    page.get_by_label("氏名（カナ）").fill("やまだ たろう")  # hiragana: stored in katakana
    page.get_by_test_id("next").click()

    row = page.get_by_test_id("item-row").first
    row.locator("select[name$='-kind']").select_option("cash_card")
    row.get_by_label("事故の内容").select_option("stolen")
    row.get_by_label("店番").fill("001")
    row.get_by_label("口座番号").fill("1234567")
    row.get_by_label("盗難・紛失・盗取の日").fill(stolen_on.isoformat())
    row.get_by_label("気付いた日").fill(today.isoformat())
    page.get_by_test_id("next").click()

    stop = page.get_by_test_id("stop-row").first
    expect(stop).to_contain_text("カード利用停止")
    stop.get_by_label("実施状況").select_option("done")
    page.get_by_test_id("perform-stops").click()
    expect(page.get_by_test_id("done-stops")).to_contain_text("STP-")
    page.get_by_test_id("next").click()

    for n, (hour, amount) in enumerate([("15:02", "200,000"), ("15:09", "３００，０００")]):
        tx = page.get_by_test_id("tx-row").nth(n)
        tx.get_by_label("取引日時").fill(f"{stolen_on.isoformat()}T{hour}")
        tx.get_by_label("取引種類").select_option("atm_withdrawal")
        tx.get_by_label("金額（円）").fill(amount)
        tx.get_by_label("手数料（円）").fill("220")
        tx.get_by_label("ATM・店舗").fill("新宿駅前出張所ATM")
        if n == 0:
            page.get_by_role("button", name="行を追加").click()
    page.get_by_test_id("next").click()

    page.get_by_label("未届出").check()
    page.get_by_test_id("next").click()
    page.get_by_label("暗証番号を容易に第三者が認知できる形でメモし").check()
    page.get_by_test_id("next").click()

    expect(page.get_by_test_id("transactions")).to_contain_text("300,000")
    page.get_by_label("お客さまと内容を確認しました").check()
    page.get_by_test_id("submit").click()

    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_be_visible()
    case = Case.objects.get()
    assert case.number is not None
    assert case.customer_name_kana == "ヤマダ タロウ"
    expect(page.get_by_test_id("receipt-number")).to_have_text(case.number)
    expect(page.get_by_test_id("receipt-stops")).to_contain_text(case.actions.get().reference)
    expect(page.get_by_test_id("receipt-follow-ups")).to_contain_text("被害届")
    expect(receipt).to_contain_text("0120-")
    assert case.transactions.count() == 2
    assert sorted(case.transactions.values_list("amount", flat=True)) == [200000, 300000]
    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "receipt.png"), full_page=True)
    assert (ARTIFACTS / "receipt.png").stat().st_size > 10_000
