"""On a submitted case's stops page, Enter in the add-an-item form never adds the item and stops
it: only a click on 追加して停止 does."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enter_in_the_account_number_adds_nothing_and_the_button_adds_and_stops(
    page: Page, live_server, teller, monitoring_agent
):
    case = factories.stolen_card_case(teller)
    sign_in(page, live_server, "monitoring", "監視センター")
    page.goto(f"{live_server.url}/cases/{case.pk}/stops/")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    form = page.get_by_test_id("add-item")
    form.get_by_label("種類").select_option("online_banking")
    form.get_by_label("事故の内容").select_option("credentials_stolen")
    form.get_by_label("店番").fill("002")
    form.get_by_label("口座番号").fill("1112223")
    form.get_by_label("口座番号").press("Enter")
    page.wait_for_timeout(500)  # time for a submission, were there one
    assert page.evaluate("window.__sameDocument === true")
    assert case.items.count() == 1 and not case.actions.filter(kind="ib_suspend").exists()

    form.get_by_role("button", name="追加して停止").click()
    expect(page.get_by_test_id("add-item")).to_be_visible()
    assert case.items.count() == 2
    assert case.actions.get(kind="ib_suspend").status == "done"
