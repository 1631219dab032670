"""The supervisor's path of a transfer-fraud report (振り込め詐欺等, path A): the flagged report
is brought to a supervisor under the bell, who reads the flag, the approach and the assessment's
reason (the Depositor Protection Act does not cover the customer's own transfer; the Remedy Act
applies) and submits it; a second supervisor approves, and the letter gives the customer the
reason, never a silent 0 yen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from compensation import services as compensation_services
from compensation.choices import DecisionStatus
from compensation.models import Decision
from tests import factories
from tests.browser.signing import approve_as_reviewer, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_is_brought_a_flagged_transfer_fraud_report_and_a_second_approves_it(
    page: Page, live_server, teller, supervisor, other_supervisor
):
    compensation_services.policy_version_default_ensure()  # a flushed database lost the seed
    case = factories.transfer_fraud_case(teller)  # a refund scam: the ATM call was a "yes"

    sign_in(page, live_server, "supervisor", "役席")
    expect(page.get_by_test_id("bell-count")).to_be_visible()
    page.get_by_test_id("bell").click()
    notice = page.get_by_test_id("notification").filter(has_text="役席の確認が必要")
    expect(notice).to_have_count(1)
    notice.get_by_role("button", name=case.number or "").click()
    expect(page.get_by_test_id("case-number")).to_have_text(case.number or "")
    expect(page.get_by_test_id("supervisor-flag")).to_be_visible()
    expect(page.get_by_test_id("case-fraud")).to_contain_text("還付金詐欺")

    page.locator(".case-tabs [data-tab=compensation]").click()  # the 補償 tab
    panel = page.get_by_test_id("compensation-panel")
    expect(panel).to_contain_text("預金者保護法による補償の対象外")
    expect(panel).to_contain_text("振り込め詐欺救済法")
    expect(panel).not_to_contain_text("偽造カードのため")  # not a counterfeit card's reason
    panel.get_by_label("審査依頼のコメント（任意）").fill("振込先の金融機関へ凍結を依頼済み")
    panel.get_by_test_id("submit-review").click()
    expect(page.get_by_test_id("open-decision")).to_contain_text("審査中")
    expect(page.get_by_test_id("review-decision")).to_have_count(0)  # never the preparer
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, "supervisor2", "役席")
    # No fault to confirm (no finding could change what the Act does not cover): nothing in the
    # way of approval.
    approve_as_reviewer(page, live_server, case)

    decision = Decision.objects.get(case=case)
    assert decision.status == DecisionStatus.APPROVED
    assert (decision.prepared_by, decision.reviewed_by) == (supervisor, other_supervisor)
    assert decision.compensation_total == 0

    page.get_by_test_id("decision-letter").click()
    letter = page.get_by_test_id("letter")
    expect(letter).to_contain_text("預金者保護法による補償の対象外")
    expect(letter).to_contain_text("振り込め詐欺救済法")
