"""A supervisor merges the night call's duplicate into the branch's report and undoes it; a teller
finds a case by phone number typed with full-width digits and long-vowel dashes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from incidents.models import Case
from tests import factories
from tests.browser.signing import sign_in
from tests.browser.test_deadline_follow_up import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_merges_a_duplicate_report_and_undoes_the_merge(
    page: Page, live_server, teller, supervisor
):
    survivor = factories.stolen_card_case(teller)
    duplicate = factories.stolen_card_case(teller, withdrawals=((50000, 110),))
    assert survivor.number and duplicate.number
    sign_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}{survivor.get_absolute_url()}")

    candidate = page.get_by_test_id("merge-candidate")
    expect(candidate).to_contain_text(str(duplicate.number))
    candidate.get_by_test_id("merge-submit").click()
    expect(page.get_by_text(f"受付番号 {duplicate.number} の届出を統合しました。")).to_be_visible()
    expect(page.get_by_test_id("merged-case")).to_contain_text(str(duplicate.number))
    page.get_by_test_id("tab-timeline").click()  # the timeline is loaded when opened
    expect(page.get_by_test_id("timeline")).to_contain_text("重複した届出を統合")
    expect(page.get_by_test_id("event-merged").first).to_contain_text(str(duplicate.number))
    assert Case.objects.get(pk=duplicate.pk).status == "merged"
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_test_id("merge-panel").screenshot(path=str(ARTIFACTS / "merge-panel.png"))

    # The duplicate: read-only, with the link to the survivor and the undo.
    page.goto(f"{live_server.url}{duplicate.get_absolute_url()}")
    banner = page.get_by_test_id("merged-banner")
    expect(banner).to_contain_text(str(survivor.number))
    expect(page.get_by_test_id("edit-details")).to_have_count(0)
    banner.get_by_test_id("merge-undo").click()
    expect(
        page.get_by_text(f"受付番号 {duplicate.number} の統合を取り消しました。")
    ).to_be_visible()
    expect(page.get_by_test_id("merged-case")).to_have_count(0)
    expect(page.get_by_test_id("merge-candidate")).to_contain_text(str(duplicate.number))
    assert Case.objects.get(pk=duplicate.pk).status == "reported"
    assert Case.objects.get(pk=duplicate.pk).items.count() == 1


def test_a_teller_finds_a_case_by_phone_number_however_typed(page: Page, live_server, teller):
    case = factories.stolen_card_case(teller)  # phone 090-1234-5678
    assert case.number
    sign_in(page, live_server, "teller")
    page.get_by_test_id("nav-search").click()
    page.get_by_test_id("search-kind").select_option("phone")
    page.get_by_test_id("search-q").fill("０９０ー１２３４ー５６７８")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-row")).to_have_count(1)
    expect(page.get_by_test_id("search-results")).to_contain_text(str(case.number))
    page.get_by_test_id("search-kind").select_option("birth")
    page.get_by_test_id("search-q").fill("昭和55年2月30日")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-error")).to_contain_text("生年月日は")
