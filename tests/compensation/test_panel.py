"""The case page's compensation panel: per-line result and reasons, window and 2-year limit,
recomputed from the current facts on every render, in a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from compensation import services
from incidents.cases import services as incident_services
from incidents.models import Case
from tests import factories
from tests.compensation.support import compensation_tab

from .support import confirm_suggested_faults, fresh, set_checklist, submit_and_approve

pytestmark = pytest.mark.django_db


def panel_html(client, case) -> str:
    html = client.get(compensation_tab(case)).content.decode()
    start = html.index('data-testid="compensation-panel"')
    return html[start : html.index("</section>", start)]


def test_the_panel_shows_each_line_with_its_reasons_the_window_and_the_limit(teller_client, teller):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    panel = panel_html(teller_client, case)
    notified = case.notified_on
    start = notified - timedelta(days=30)
    assert f"{start.year}年{start.month}月{start.day}日以降のお取引" in panel
    stolen_on = case.items.get().occurred_on
    limit = stolen_on.replace(year=stolen_on.year + 2)
    assert limit.strftime("%Y/%m/%d") + "まで" in panel
    assert panel.count('data-testid="assessment-line"') == 2
    assert "150,165円" in panel and "225,165円" in panel  # 75% of 200,220 and 300,220 yen
    assert "暗証番号を記載したメモをカードと一緒に保管されていたため" in panel
    assert "一部補償" in panel
    assert "375,330円" in panel


def test_the_panel_follows_every_change_of_the_case(teller_client, teller, supervisor):
    case = factories.stolen_card_case(teller)
    assert "全額補償" in panel_html(teller_client, case)
    set_checklist(case, teller, ["pin_told_to_someone"])
    panel = panel_html(teller_client, case)
    assert "補償なし" in panel and "重大な過失" in panel
    services.findings_save(case=fresh(case), user=supervisor, fields={"bank_at_fault": True})
    panel = panel_html(teller_client, case)
    assert "全額補償" in panel and "当行に過失があったため" in panel


def test_a_transaction_before_the_window_is_shown_and_explained(teller_client, teller):
    case = factories.stolen_card_case(teller)
    tx = case.transactions.order_by("occurred_at").first()
    incident_services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "id": t.pk,
                "item": t.item_id,
                "occurred_at": t.occurred_at - timedelta(days=40 if t.pk == tx.pk else 0),
                "account_branch": t.account_branch,
                "account_number": t.account_number,
                "channel": t.channel,
                "amount": t.amount,
                "fee": t.fee,
                "interest": t.interest,
            }
            for t in case.transactions.all()
        ],
    )
    panel = panel_html(teller_client, case)
    assert panel.count('data-testid="assessment-line"') == 2
    assert "対象外" in panel and "より前のお取引のため、補償の対象外です。" in panel


def test_transactions_are_dated_by_their_day_in_japan(teller):
    from compensation.selectors import case_facts

    case = factories.stolen_card_case(teller, withdrawals=((1000, 0),))
    tx = case.transactions.get()
    # 00:30 in Tokyo is still the previous day in UTC: the rules must see the Tokyo day.
    early = timezone.make_aware(timezone.datetime(2026, 3, 1, 0, 30))
    incident_services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "id": tx.pk,
                "item": tx.item_id,
                "occurred_at": early,
                "account_branch": "001",
                "account_number": "1234567",
                "channel": tx.channel,
                "amount": 1000,
                "fee": 0,
                "interest": 0,
            }
        ],
    )
    (engine_tx,) = case_facts(fresh(case)).facts.transactions
    assert engine_tx.date == date(2026, 3, 1)


def test_the_facts_map_the_teller_record_and_the_supervisors_findings(teller, supervisor):
    from compensation.selectors import case_facts

    case = factories.stolen_card_case(teller, police="not_yet")
    incident_services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                **{
                    k: getattr(item, k)
                    for k in (
                        "kind",
                        "state",
                        "account_branch",
                        "account_number",
                        "occurred_on",
                        "noticed_on",
                    )
                },
                "id": item.pk,
            }
            for item in case.items.all()
        ]
        + [
            {
                "kind": "seal",
                "state": "stolen",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": None,
                "noticed_on": None,
            }
        ],
    )
    set_checklist(case, teller, ["pin_memo_with_card", "seal_kept_with_passbook"])
    services.findings_save(
        case=fresh(case),
        user=supervisor,
        fields={"prompt_notice": False, "unavoidable_days": 5, "taken_by": "cohabitant"},
    )
    mapped = case_facts(fresh(case))
    facts = mapped.facts
    (item,) = facts.items  # the seal cannot take money: not an item of the rules
    assert item.kind == "stolen_card" and item.fault is None
    assert facts.notified_on == case.notified_on
    assert facts.requirements.police_report is False
    assert facts.requirements.prompt_notice is False and facts.requirements.explanation is True
    assert facts.unavoidable_days == 5 and facts.taken_by == "cohabitant"
    assert facts.checklist == frozenset({"pin_memo_with_card", "seal_kept_with_passbook"})
    assert {tx.item for tx in facts.transactions} == {item.id}
    assert mapped.problems == []


def test_the_case_page_with_the_panel_needs_a_bounded_number_of_queries(
    client, teller, supervisor, other_supervisor, django_assert_max_num_queries
):
    case = factories.stolen_card_case(teller, withdrawals=[(10000 * n, 110) for n in range(1, 9)])
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)
    submit_and_approve(case, teller, other_supervisor)
    second = services.decision_submit(case=fresh(case), user=supervisor, note="再確認")
    services.decision_return(decision=second, user=other_supervisor, comment="変更なし")
    client.force_login(supervisor)
    # The 補償 tab, loaded when opened (a whole page without script): session and user (2), the
    # case with its findings, items, stops and transactions (4), the access log entry (1), the
    # deadlines for the header (1), the policy (1), the decisions (1).
    with django_assert_max_num_queries(10):
        response = client.get(compensation_tab(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="assessment-line"') == 8
    assert html.count('data-testid="decision-row"') == 2


def test_drafts_have_no_panel(teller_client, teller):
    draft = factories.stolen_card_case(teller, submit=False)
    html = teller_client.get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="compensation-panel"' not in html
    assert Case.objects.get(pk=draft.pk).is_draft


def test_before_the_facts_are_confirmed_the_panel_shows_an_estimate_never_a_green_promise(
    teller_client, teller, supervisor
):
    case = factories.stolen_card_case(teller)
    panel = panel_html(teller_client, case)
    outcome = panel[panel.index('data-testid="assessment-outcome"') - 80 :]
    outcome = outcome[: outcome.index("</span>")]
    assert "見込み：全額補償" in outcome
    assert "text-bg-success" not in outcome
    assert 'data-testid="assessment-estimate"' in panel
    confirm_suggested_faults(case, supervisor)
    panel = panel_html(teller_client, case)
    assert "見込み" not in panel
    assert 'text-bg-success" data-testid="assessment-outcome">全額補償' in panel


def test_an_online_banking_case_before_any_finding_shows_an_estimate_never_a_promise(
    teller_client, teller
):
    """The case the counter saw a green 全額補償 on: money moved out of online banking, no
    supervisor's finding yet."""
    case = factories.online_banking_case(teller)
    panel = panel_html(teller_client, case)
    outcome = panel[panel.index('data-testid="assessment-outcome"') - 80 :]
    outcome = outcome[: outcome.index("</span>")]
    assert "見込み" in outcome and "text-bg-success" not in outcome
    assert 'data-testid="assessment-estimate"' in panel
