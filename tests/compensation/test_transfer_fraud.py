"""A customer deceived into transferring (振り込め詐欺等, docs/domain.md §9) on the compensation
panel, the four-eyes decision and the letter: the rules' reason — the Depositor Protection Act
does not cover a transfer the customer made, the Remedy Act applies — never a counterfeit card's,
no two-year limit, and no fault finding asked for where none can change the result."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compensation import selectors, services
from compensation.services import DecisionError
from tests import factories
from tests.compensation.support import compensation_tab

from .support import evaluate, fresh, submit_and_approve
from .test_english_screens import ENGLISH_WORDS, article, in_english, japanese_in, section

pytestmark = pytest.mark.django_db

# The rules' reason why the item has no window and no two-year limit (compensation/rules/wording.py).
NO_LIMIT = (
    "お客さまご自身が行ったお振込みは預金者保護法の対象外のため、"
    "補償の対象期間と2年の期限はありません。振り込め詐欺救済法が適用されます。"
)
NOT_COVERED = (
    "お客さまご自身が（だまされて）行ったお振込みのため、預金者保護法による補償の対象外です。"
)


def panel_of(client, case) -> str:
    return section(client.get(compensation_tab(case)).content.decode(), "compensation-panel")


def test_the_panel_says_a_customers_own_transfer_has_no_limit_because_the_act_does_not_cover_it(
    client, teller
):
    case = factories.transfer_fraud_case(teller)
    client.force_login(teller)
    panel = panel_of(client, case)
    window = panel.split('data-testid="assessment-window"', 1)[1].split("</dd>", 1)[0]
    assert NO_LIMIT in window
    limit = panel.split('data-testid="item-limit"', 1)[1].split("</td>", 1)[0]
    assert "制限なし" in limit and NO_LIMIT in limit
    assert "まで" not in limit and "から2年" not in limit  # no two-year limit is shown
    # Never a counterfeit card's sentence.
    assert "偽造カードのため" not in panel and "偽造・変造カードによる被害" not in panel
    assert NOT_COVERED in panel and "振り込め詐欺救済法" in panel


def test_a_counterfeit_card_keeps_its_own_reason_for_having_no_limit(client, teller):
    case = factories.stolen_card_case(teller)
    case.items.update(state="counterfeit")
    client.force_login(teller)
    panel = panel_of(client, case)
    window = panel.split('data-testid="assessment-window"', 1)[1].split("</dd>", 1)[0]
    assert "偽造・変造カードによる被害のため" in window
    assert "預金者保護法の対象外" not in window


def test_the_panel_in_english_gives_the_reason_with_no_japanese(client, teller, supervisor):
    case = factories.transfer_fraud_case(teller)
    client.force_login(in_english(supervisor))
    panel = panel_of(client, case)
    window = panel.split('data-testid="assessment-window"', 1)[1].split("</dd>", 1)[0]
    assert "not covered by the Depositor Protection Act" in window and "Remedy Act" in window
    assert "two-year limit" in window and "counterfeit" not in window.lower()
    assert japanese_in(panel, supervisor.display_name, teller.display_name) == []


def test_a_transfer_fraud_case_needs_no_fault_finding_and_is_no_estimate(teller):
    case = factories.transfer_fraud_case(teller)
    evaluation = evaluate(case)
    (view,) = evaluation.items
    assert not view.needs_finding and view.confirmed is None
    assert selectors.evaluation_approval_problems(evaluation) == []
    assert not evaluation.is_estimate
    assert evaluation.outcome == "none" and evaluation.compensation_total == 0


def test_a_transfer_fraud_decision_is_approved_by_a_second_supervisor_without_a_fault_finding(
    teller, supervisor, other_supervisor
):
    case = factories.transfer_fraud_case(teller)
    decision = services.decision_submit(case=fresh(case), user=supervisor, note="")
    # Four eyes stay: the preparer cannot approve their own decision.
    with pytest.raises(DecisionError):
        services.decision_approve(decision=decision, user=supervisor)
    approved = services.decision_approve(decision=decision, user=other_supervisor)
    assert approved.status == "approved" and approved.compensation_total == 0
    assert approved.outcome == "none"


def test_a_stolen_card_still_needs_its_fault_confirmed_before_approval(teller):
    case = factories.stolen_card_case(teller)
    evaluation = evaluate(case)
    problems = selectors.evaluation_approval_problems(evaluation)
    assert any("過失を認定してください" in problem for problem in problems)


def test_the_findings_page_asks_no_fault_for_a_customers_own_transfer(client, teller, supervisor):
    case = factories.transfer_fraud_case(teller)
    client.force_login(supervisor)
    html = client.get(reverse("compensation:findings", args=[case.pk])).content.decode()
    assert 'data-testid="fault-form"' not in html
    assert 'data-testid="no-fault-form"' in html and "過失の認定は不要です" in html


def test_the_letter_of_a_transfer_fraud_decision_states_the_reason_in_japanese(
    client, teller, supervisor, other_supervisor
):
    case = factories.transfer_fraud_case(teller)
    decision = submit_and_approve(case, supervisor, other_supervisor)
    for reader in (teller, in_english(supervisor)):
        client.force_login(reader)
        url = reverse("compensation:letter", args=[case.pk, decision.pk])
        letter = article(client.get(url).content.decode(), "letter")
        assert NOT_COVERED in letter
        assert "振り込め詐欺救済法" in letter and "預金者保護法" in letter
        assert "偽造カードのため" not in letter and "偽造・変造カードによる被害" not in letter
        assert ENGLISH_WORDS.findall(letter) == []
