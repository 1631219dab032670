"""A teller is reminded under the bell, opens the case and records the police report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from incidents import deadlines
from tests import factories
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_reminded_teller_records_the_police_report_and_the_deadline_is_met(
    page: Page, live_server, teller
):
    case = factories.stolen_card_case(teller, police="not_yet")
    assert case.number is not None
    police = case.deadlines.get(kind="police_report")
    deadlines.deadlines_scan(now=police.due_at - timedelta(hours=3))

    sign_in(page, live_server, "teller", "窓口担当")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    expect(page.get_by_test_id("owed-deadlines")).to_contain_text("警察への被害届")
    page.get_by_test_id("bell").click()
    notice = page.get_by_test_id("notification").first
    expect(notice).to_contain_text("期限が近づいています")
    notice.get_by_role("button", name=case.number).click()

    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    expect(page.get_by_test_id("bell")).not_to_contain_text("1")
    expect(page.get_by_test_id("deadlines")).to_have_count(0)  # 期限・書類 is loaded when opened
    page.get_by_test_id("tab-documents").click()
    expect(page.get_by_test_id("deadline-police_report")).to_contain_text("対応待ち")
    page.locator(".case-tabs [data-tab=report]").click()  # the police form is the report's
    record = page.get_by_test_id("police-record")
    record.get_by_role("button", name="警察への届出を記録").click()
    expect(page.locator("#police-record-form")).to_have_class("collapse show")
    record.get_by_label("届出警察署").fill("丸の内警察署")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-deadlines.png"), full_page=True)
    record.get_by_label("届出日").fill(factories.today().isoformat())
    record.get_by_label("受理番号").fill("R-2026-77")
    page.get_by_test_id("record-police").click()

    expect(page.get_by_text("警察への届出を記録しました。")).to_be_visible()
    page.get_by_test_id("tab-documents").click()
    expect(page.get_by_test_id("deadline-police_report")).to_contain_text("完了")
    page.get_by_test_id("tab-timeline").click()  # loaded when opened, without a reload
    expect(page.get_by_test_id("timeline")).to_contain_text("警察への被害届」が完了しました")
    expect(page.get_by_test_id("police-record")).to_have_count(0)
