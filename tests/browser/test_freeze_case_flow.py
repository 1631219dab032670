"""The receiving side of the Remedy Act in the browser: a supervisor freezes an account from the
links page, records the notice, the application period and two applications, submits the
distribution; a second supervisor approves it; the decision table shows each payment."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from compensation import services as compensation_services
from compensation.choices import DecisionStatus, FreezeStatus
from compensation.models import DistributionDecision, FreezeCase
from tests import factories
from tests.browser.signing import sign_in
from tests.freezes.conftest import transfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_freezes_an_account_and_a_second_approves_the_distribution(
    page: Page, live_server, teller, supervisor, branch
):
    compensation_services.policy_version_default_ensure()
    factories.staff("approver", "supervisor", branch)
    transfer(teller, "410001", amount=300_000)
    transfer(teller, "410002", amount=200_000)

    sign_in(page, live_server, "supervisor", "役席")
    page.get_by_test_id("nav-links").click()
    page.get_by_test_id("freeze-open").click()
    expect(page.get_by_role("heading", name="口座凍結の起票")).to_be_visible()
    page.get_by_label("凍結時の残高（円）").fill("400,000")
    page.get_by_test_id("freeze-confirm").click()
    expect(page.get_by_test_id("freeze-status")).to_have_text("凍結済")
    expect(page.get_by_test_id("freeze-reference")).to_contain_text("STP-")

    page.get_by_label("公告の求めの日").fill("2026-01-05")
    page.get_by_label("預金保険機構の受付番号").fill("DIC-2026-0105")
    page.get_by_label("公告日").fill("2026-01-09")
    page.get_by_test_id("save-notice").click()
    expect(page.get_by_test_id("notice-ends")).to_have_text("2026/03/10")  # 60 days, a Tuesday

    page.get_by_label("申請期間の初日").fill("2026-03-16")
    page.get_by_test_id("save-applications-open").click()
    expect(page.get_by_test_id("applications-end")).to_have_text("2026/04/15")  # 30 days

    for name, amount in (("被害 花子", "300000"), ("被害 太郎", "200000")):
        form = page.get_by_test_id("application-form")
        form.get_by_label("申請者の氏名").fill(name)
        form.get_by_label("受付日").fill("2026-03-20")
        form.get_by_label("被害額（申請額・円）").fill(amount)
        page.get_by_test_id("save-application").click()
        expect(page.get_by_test_id("application").filter(has_text=name)).to_have_count(1)
    for name in ("被害 花子", "被害 太郎"):
        row = page.get_by_test_id("application").filter(has_text=name)
        row.locator("input[name=decision][value=accept]").check()
        row.locator("textarea[name=reason]").fill("振込の記録と被害届の受理番号で確認")
        row.get_by_test_id("save-decision").click()
        expect(page.get_by_test_id("application").filter(has_text=name)).to_contain_text("認容")

    page.get_by_test_id("submit-distribution").click()
    expect(page.get_by_test_id("distribution")).to_contain_text("審査中")
    expect(page.get_by_test_id("approve-distribution")).to_have_count(0)  # never the preparer
    page.get_by_role("button", name="ログアウト").click()

    sign_in(page, live_server, "approver", "役席")
    page.get_by_test_id("nav-freezes").click()
    page.get_by_test_id("freeze-list").get_by_role("link").first.click()
    page.get_by_test_id("approve-distribution").click()
    expect(page.get_by_test_id("freeze-status")).to_have_text("分配決定済")
    # The timeline says what happened and who did it, the approval last.
    events = page.get_by_test_id("freeze-event")
    expect(events.first).to_contain_text("口座凍結")
    expect(events.last).to_contain_text("分配の承認")
    expect(events.last.get_by_test_id("freeze-event-actor")).to_have_text("Approver テスト")

    freeze = FreezeCase.objects.get()
    decision = DistributionDecision.objects.get(freeze_case=freeze)
    assert freeze.status == FreezeStatus.DECIDED
    assert decision.status == DecisionStatus.APPROVED
    assert decision.prepared_by == supervisor
    assert decision.reviewed_by is not None and decision.reviewed_by.username == "approver"

    page.get_by_test_id("open-table").click()
    expect(page.get_by_test_id("decision-table")).to_contain_text("被害 花子")
    expect(page.get_by_test_id("table-payment")).to_have_text(["240,000円", "160,000円"])
    expect(page.get_by_test_id("table-paid")).to_have_text("400,000円")
    expect(page.get_by_test_id("table-draft")).to_have_count(0)
    expect(page.get_by_test_id("print-table")).to_be_visible()
