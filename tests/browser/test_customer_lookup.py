"""At the counter, in a real browser: the teller types branch and account, presses 照会, checks
what the core returned with the customer, and saves the step; Enter in a field still saves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from incidents.models import Case
from tests import factories
from tests.browser.signing import sign_in
from tests.servers import core_banking, core_simulator

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_teller_looks_the_customer_up_confirms_and_saves(
    page: Page, live_server, teller, core_banking
):
    case = factories.draft(teller, customer_name="仮 名前", customer_name_kana="カリ ナマエ")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/cases/{case.pk}/intake/customer/")
    lookup = page.get_by_test_id("customer-lookup")
    lookup.get_by_label("店番").fill("001")
    lookup.get_by_label("口座番号").fill("1234567")
    page.get_by_test_id("lookup").click()
    expect(page.get_by_label("氏名（漢字）")).to_have_value("山田 太郎")
    expect(page.get_by_label("氏名（カナ）")).to_have_value("ヤマダ タロウ")
    expect(page.get_by_label("住所")).to_have_value("東京都千代田区丸の内1-1-1")
    assert Case.objects.get(pk=case.pk).customer_name == "仮 名前"  # not saved by the look-up
    page.get_by_label("電話番号").press("Enter")  # Enter saves the step, it does not look up
    page.wait_for_url(f"**/cases/{case.pk}/intake/items/**")
    saved = Case.objects.get(pk=case.pk)
    assert (saved.customer_name, saved.customer_postal_code) == ("山田 太郎", "100-0005")
