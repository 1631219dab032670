"""Signing in through the real form, as a member of staff would (no OTP in test settings)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories


def sign_in(page: Page, live_server, username: str = "teller", role: str | None = None) -> None:
    """Sign ``username`` in and wait for the page that names them (with ``role`` when given),
    fully loaded, so a test that counts page loads afterwards does not count this one."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(factories.PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    if role is None:
        expect(page.get_by_test_id("current-user")).to_be_visible()
    else:
        expect(page.get_by_test_id("current-user")).to_contain_text(role)
    page.wait_for_load_state("load")


def approve_as_reviewer(page: Page, live_server, case) -> None:
    """As the signed-in second supervisor: open the case's 補償 tab, find nothing in the way of
    approval, approve, and see the decision approved."""
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.locator(".case-tabs [data-tab=compensation]").click()  # the 補償 tab
    page.get_by_test_id("review-decision").click()
    expect(page.get_by_test_id("approval-problems")).to_have_count(0)
    page.get_by_label("事実認定・過失の認定・補償額を確認し、この補償決定を承認します。").check()
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("current-decision")).to_contain_text("承認済")
