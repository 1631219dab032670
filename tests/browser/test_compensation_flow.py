"""A teller submits a stolen-card case for review; a supervisor confirms the fault and approves;
the printed decision letter shows the amounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from compensation import services as compensation_services
from compensation.choices import DecisionStatus
from compensation.models import Decision
from incidents.cases import services
from tests import factories
from tests.browser.signing import approve_as_reviewer, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_teller_submits_and_a_second_supervisor_approves_and_prints_the_letter(
    page: Page, live_server, teller, supervisor, other_supervisor
):
    compensation_services.policy_version_default_ensure()  # a flushed database lost the seed
    case = factories.stolen_card_case(teller)
    services.case_update(
        case=case, user=teller, step="checklist", fields={"checklist": ["pin_memo_with_card"]}
    )

    # The supervisor confirms the fault first: what the teller submits is what is approved.
    sign_in(page, live_server, "supervisor", "役席")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.locator(".case-tabs [data-tab=compensation]").click()  # the 補償 tab
    page.get_by_test_id("record-findings").click()
    fault = page.get_by_test_id("fault-form")
    expect(fault.get_by_test_id("fault-suggestion")).to_have_text("過失")
    fault.get_by_label("認定する過失").select_option("negligence")
    page.get_by_test_id("save-findings").click()
    expect(page.get_by_test_id("assessment-item")).to_contain_text("Supervisor")
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, "teller", "窓口担当")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.locator(".case-tabs [data-tab=compensation]").click()  # the 補償 tab
    panel = page.get_by_test_id("compensation-panel")
    expect(panel.get_by_test_id("assessment-outcome")).to_have_text("一部補償")
    expect(panel.get_by_test_id("compensation-total")).to_have_text("375,330円")
    expect(panel.get_by_test_id("record-findings")).to_have_count(0)  # a supervisor's task
    panel.get_by_label("審査依頼のコメント（任意）").fill("ご本人・警察の受理番号を確認済み")
    panel.get_by_test_id("submit-review").click()
    expect(page.get_by_test_id("open-decision")).to_contain_text("審査中")
    expect(page.get_by_test_id("review-decision")).to_have_count(0)  # never the preparer
    page.get_by_role("button", name="ログアウト").click()

    # Not the supervisor who recorded the findings: a second pair of eyes over them.
    sign_in(page, live_server, "supervisor2", "役席")
    approve_as_reviewer(page, live_server, case)

    decision = Decision.objects.get(case=case)
    assert decision.status == DecisionStatus.APPROVED
    assert decision.prepared_by == teller and decision.reviewed_by == other_supervisor
    assert decision.compensation_total == 375330

    page.get_by_test_id("decision-letter").click()
    letter = page.get_by_test_id("letter")
    expect(letter).to_contain_text("補償に関するご連絡")
    expect(letter).to_contain_text("山田 太郎 様")
    expect(page.get_by_test_id("letter-total")).to_have_text("375,330円")
    lines = page.get_by_test_id("letter-line")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("150,165円")
    expect(lines.nth(1)).to_contain_text("225,165円")
    expect(letter).to_contain_text("暗証番号を記載したメモをカードと一緒に保管されていたため")
    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "decision-letter.png"), full_page=True)
    assert (ARTIFACTS / "decision-letter.png").stat().st_size > 10_000
