"""A supervisor opens the dashboard: the SVG charts render beside the tables of their numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from compensation import services as compensation_services
from compensation.reports.dashboard import dashboard_refresh
from incidents.cases import services
from tests import factories
from tests.browser.signing import sign_in
from tests.reports.support import decide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_supervisor_sees_the_dashboard_charts_with_their_numbers(
    page: Page, live_server, teller, supervisor, other_supervisor, other_teller
):
    compensation_services.policy_version_default_ensure()  # a flushed database lost the seed
    people = {"preparer": teller, "supervisor": supervisor, "approver": other_supervisor}
    decide(factories.stolen_card_case(teller), fault="none", **people)
    decide(factories.stolen_card_case(teller), fault="negligence", **people)
    investigating = factories.stolen_card_case(teller, withdrawals=[(80_000, 0)])
    services.case_transition(case=investigating, user=supervisor, to="investigating")
    factories.stolen_card_case(other_teller, withdrawals=[(999_999, 0)])  # another branch
    dashboard_refresh()

    sign_in(page, live_server, "supervisor", "役席")
    page.get_by_test_id("nav-dashboard").click()
    expect(page.get_by_test_id("dashboard-scope")).to_have_text("001 本店営業部")
    status = page.get_by_test_id("status-chart")
    expect(status).to_be_visible()
    expect(status.locator("rect.chart-bar")).to_have_count(5)  # one bar per open status
    decided_bar = status.locator("rect.chart-bar").nth(4)
    assert decided_bar.get_attribute("data-value") == "2"
    box = decided_bar.bounding_box()
    assert box is not None
    assert box["width"] > 100  # the longest bar is drawn across
    money = page.get_by_test_id("money-chart")
    expect(money.locator("rect.chart-bar.series-0")).to_have_count(13)  # 12 months and legend
    expect(page.get_by_test_id("days-chart").locator("circle.chart-point")).to_have_count(1)
    expect(page.get_by_test_id("open-total")).to_have_text("3件")
    # The numbers behind the charts: 500,440 + 500,440 + 80,000 claimed (the other branch's
    # 999,999 is not here); 500,440 in full and 375,330 (75%) compensated.
    expect(page.get_by_test_id("claimed-total")).to_have_text("1,080,880")
    expect(page.get_by_test_id("compensated-total")).to_have_text("875,770")
    expect(page.get_by_test_id("status-table")).to_contain_text("調査中")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
