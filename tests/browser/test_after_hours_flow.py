"""A monitoring-center agent takes an after-hours call and stops the card; the next morning the
branch teller finds the case at the top of the list and picks it up."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from incidents.models import Case
from tests import factories
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_after_hours_card_stop_is_picked_up_by_the_branch_the_next_morning(
    page: Page, live_server, teller, monitoring_agent
):
    cache.clear()
    older = factories.stolen_card_case(teller)
    assert older.number is not None

    sign_in(page, live_server, "monitoring", "監視センター")
    expect(page.get_by_test_id("handoff")).to_contain_text("引継ぎ待ちの仮受付はありません")
    page.get_by_test_id("new-call").click()
    page.get_by_label("顧客番号").fill("３３０１２１")
    page.get_by_label("氏名（漢字）").fill("夜間 花子")
    page.get_by_label("氏名（カナ）").fill("ﾔｶﾝ ﾊﾅｺ")
    row = page.get_by_test_id("call-item").first
    row.locator("select[name$='-kind']").select_option("cash_card")
    row.locator("select[name$='-state']").select_option("stolen")
    row.locator("input[name$='-account_branch']").fill("001")
    row.locator("input[name$='-account_number']").fill("7654321")
    expect(
        page.get_by_label("キャッシュカード・通帳・IBの緊急停止をただちに実施する")
    ).to_be_checked()
    page.get_by_test_id("open-preliminary").click()

    expect(page.get_by_text("で仮受付しました")).to_be_visible()
    expect(page.get_by_test_id("stop-reference").first).to_contain_text("STP-")
    number = page.get_by_test_id("case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.status == "preliminary" and case.after_hours
    page.get_by_role("link", name="監視センター").click()
    expect(page.get_by_test_id("handoff")).to_contain_text(number)
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, "teller", "窓口担当")
    first_row = page.get_by_test_id("open-cases").locator("tbody tr").first
    expect(first_row).to_contain_text(number)
    expect(first_row).to_contain_text("引継ぎ待ち")
    expect(page.get_by_test_id("open-cases")).to_contain_text(older.number)
    first_row.get_by_test_id("pickup").click()

    expect(page.get_by_text("時間外受付を引き継ぎ、受付済にしました")).to_be_visible()
    expect(page.get_by_test_id("case-number")).to_have_text(number)
    expect(page.locator("h1 .badge").first).to_have_text("受付済")
    page.get_by_test_id("tab-history").click()  # the change history is loaded when opened
    expect(page.get_by_test_id("history")).to_contain_text("仮受付")
    case.refresh_from_db()
    assert case.status == "reported" and case.assigned_to == teller
    actions = {a.kind: a.status for a in case.actions.all()}
    assert actions == {"card_suspend": "done"}
