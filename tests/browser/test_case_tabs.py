"""The case page's tabs switch without a reload; the change history is fetched when opened and
paged in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tabs_switch_in_place_and_the_history_is_loaded_and_paged_when_opened(
    page: Page, live_server, teller
):
    case = factories.stolen_card_case(teller, withdrawals=[(1000 + n, 0) for n in range(60)])
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill("teller")
    page.get_by_label("パスワード").fill(factories.PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    expect(page.get_by_test_id("transactions")).to_be_visible()  # the first tab
    expect(page.get_by_test_id("compensation-panel")).to_be_hidden()
    page.locator(".case-tabs [data-tab=compensation]").click()
    expect(page.get_by_test_id("compensation-panel")).to_be_visible()
    expect(page.get_by_test_id("transactions")).to_be_hidden()
    assert case.number
    expect(page.get_by_test_id("case-header")).to_contain_text(case.number)  # it stays

    expect(page.get_by_test_id("history")).to_have_count(0)  # not rendered with the page
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history")).to_be_visible()
    first = page.get_by_test_id("history-line").first.inner_text()
    page.get_by_test_id("history-older").click()
    expect(page.get_by_test_id("history-older")).to_have_count(0)  # the last page
    assert page.get_by_test_id("history-line").first.inner_text() != first
    assert page.evaluate("window.__sameDocument === true")
    assert page.url.endswith("#tab-history")
