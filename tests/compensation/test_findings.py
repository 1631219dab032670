"""The supervisor's findings: the fault confirmed beside the checklist's suggestion, overrides with
a reason on the timeline, case-by-case rates with a reason, and stale forms refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from compensation import services
from compensation.models import CaseAssessment, CaseByCaseRate, ItemFault
from incidents.cases import services as incident_services
from incidents.models import TimelineEvent
from tests import factories
from tests.compensation.support import compensation_tab

from .support import confirm_suggested_faults, evaluate, fresh, set_checklist

pytestmark = pytest.mark.django_db


def test_overriding_the_suggestion_needs_a_reason_and_is_recorded(teller, supervisor):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    item = case.items.get()
    with pytest.raises(services.DecisionError, match="異なる認定には理由"):
        services.item_fault_confirm(case=fresh(case), item=item, user=supervisor, fault="none")
    assert not ItemFault.objects.exists()

    services.item_fault_confirm(
        case=fresh(case),
        item=item,
        user=supervisor,
        fault="none",
        reason="メモは暗証番号と分からない書き方だった",
    )
    fault = ItemFault.objects.get()
    assert fault.fault == "none" and fault.suggested_fault == "negligence" and fault.is_override
    event = TimelineEvent.objects.filter(case=case, data__compensation="fault_override").get()
    assert event.actor == supervisor
    assert "過失" in event.message and "メモは暗証番号と分からない書き方だった" in event.message
    assert event.data["reason"] == "メモは暗証番号と分からない書き方だった"
    assert event.at is not None
    # The engine now applies the supervisor's fault: full payment.
    assert [line.rate for line in evaluate(case).lines] == [100, 100]


def test_the_database_refuses_an_override_without_a_reason(teller, supervisor):
    case = factories.stolen_card_case(teller)
    with pytest.raises(IntegrityError, match="fault_override_has_reason"), transaction.atomic():
        ItemFault.objects.create(
            case=case,
            item=case.items.get(),
            fault="none",
            suggested_fault="negligence",
            confirmed_by=supervisor,
        )


def test_confirming_the_suggestion_needs_no_reason_and_is_noted_once(teller, supervisor):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    item = case.items.get()
    services.item_fault_confirm(case=fresh(case), item=item, user=supervisor, fault="negligence")
    again = services.item_fault_confirm(
        case=fresh(case), item=item, user=supervisor, fault="negligence"
    )
    assert again is None
    assert TimelineEvent.objects.filter(data__compensation="fault_confirmed").count() == 1


def test_a_changed_checklist_asks_for_the_fault_to_be_confirmed_again(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)  # none
    set_checklist(case, teller, ["pin_told_to_someone"])  # now gross negligence
    evaluation = evaluate(case)
    (view,) = evaluation.items
    assert view.needs_reconfirmation
    decision = services.decision_submit(case=fresh(case), user=teller)
    with pytest.raises(services.DecisionError, match="認定し直してください"):
        services.decision_approve(decision=decision, user=other_supervisor)


def test_only_a_supervisor_of_the_branch_records_findings(teller, supervisor, monitoring_agent):
    case = factories.stolen_card_case(teller)
    for user in (teller, monitoring_agent):
        with pytest.raises(PermissionDenied):
            services.findings_save(case=fresh(case), user=user, fields={"explanation": False})
    assert not CaseAssessment.objects.exists()


def test_the_findings_page_shows_the_suggestion_beside_the_confirmation(client, teller, supervisor):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    client.force_login(supervisor)
    url = reverse("compensation:findings", args=[case.pk])
    page = client.get(url).content.decode()
    assert "チェックリストによる判定" in page and "暗証番号を記載したメモ" in page
    item = case.items.get()
    form = {
        **factories.stamped(case),
        "prompt_notice": "on",
        "explanation": "on",
        "taken_by": "",
        "unavoidable_days": "０",  # full-width digits are fine
        "note": "",
        f"fault-{item.pk}-fault": "none",
        f"fault-{item.pk}-reason": "",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "異なる認定には理由を入力してください" in refused.content.decode()
    assert not ItemFault.objects.exists()
    form[f"fault-{item.pk}-reason"] = "メモは自宅に保管されていた"
    form["note"] = "ご本人に確認"
    saved = client.post(url, {**form, **factories.stamped(case)})
    assert saved.status_code == 302
    assert ItemFault.objects.get().override_reason == "メモは自宅に保管されていた"
    assert CaseAssessment.objects.get().note == "ご本人に確認"
    panel = client.get(compensation_tab(case)).content.decode()
    assert "判定と異なる認定" in panel and "メモは自宅に保管されていた" in panel


def test_a_stale_findings_form_is_refused_and_keeps_what_was_typed(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    url = reverse("compensation:findings", args=[case.pk])
    opened = client.get(url).context["version"]
    services.findings_save(case=fresh(case), user=other_supervisor, fields={"explanation": False})
    response = client.post(
        url,
        {
            "version": str(opened),
            "prompt_notice": "on",
            "explanation": "on",
            "unavoidable_days": "12",
            "note": "入院のため通知が遅れた",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "他の役席が更新しました" in html
    assert "入院のため通知が遅れた" in html
    assert CaseAssessment.objects.get().explanation is False  # the other save stands
    assert CaseAssessment.objects.get().unavoidable_days == 0


def test_findings_change_the_assessment(teller, supervisor):
    case = factories.stolen_card_case(teller)
    assert evaluate(case).outcome == "full"
    services.findings_save(case=fresh(case), user=supervisor, fields={"explanation": False})
    assert evaluate(case).outcome == "pending"
    services.findings_save(
        case=fresh(case), user=supervisor, fields={"explanation": True, "taken_by": "spouse"}
    )
    evaluation = evaluate(case)
    assert evaluation.outcome == "none"
    assert "配偶者" in evaluation.lines[0].reasons[0]
    event = TimelineEvent.objects.filter(data__compensation="findings").last()
    assert "払戻しを行った者" in event.message and "配偶者" in event.message


def test_other_facts_of_theft_stand_in_for_a_police_report(teller, supervisor):
    case = factories.stolen_card_case(teller, police="not_yet")
    assert evaluate(case).outcome == "pending"
    services.findings_save(case=fresh(case), user=supervisor, fields={"other_theft_evidence": True})
    assert evaluate(case).outcome == "full"


def corporate_case(teller):
    case = factories.stolen_card_case(teller, withdrawals=((100001, 0), (50000, 110)))
    incident_services.case_update(
        case=case, user=teller, step="customer", fields={"customer_type": "corporate"}
    )
    return case


def test_a_corporate_case_is_decided_case_by_case_with_a_rate_and_a_reason(
    teller, supervisor, other_supervisor
):
    case = corporate_case(teller)
    confirm_suggested_faults(case, supervisor)
    evaluation = evaluate(case)
    assert evaluation.outcome == "review" and evaluation.compensation_total is None
    assert all(line.is_case_by_case and line.rate is None for line in evaluation.lines)
    first, second = (tx for tx in case.transactions.order_by("occurred_at"))

    with pytest.raises(services.DecisionError, match="理由"):
        services.case_by_case_rate_set(
            case=fresh(case), tx=first, user=supervisor, rate=50, reason=" "
        )
    with pytest.raises(services.DecisionError, match="0〜100"):
        services.case_by_case_rate_set(
            case=fresh(case), tx=first, user=supervisor, rate=101, reason="x"
        )
    services.case_by_case_rate_set(
        case=fresh(case), tx=first, user=supervisor, rate=33, reason="法人の管理体制を考慮"
    )
    first_try = services.decision_submit(case=fresh(case), user=teller)
    with pytest.raises(services.DecisionError, match="個別判断です"):
        services.decision_approve(decision=first_try, user=other_supervisor)
    # Under review the rates are frozen: the reviewer sends it back, then the rate is set.
    with pytest.raises(services.DecisionError, match="審査中"):
        services.case_by_case_rate_set(
            case=fresh(case), tx=second, user=supervisor, rate=100, reason="全額とする"
        )
    services.decision_return(
        decision=first_try, user=other_supervisor, comment="2件目の補償率を決めてください"
    )
    services.case_by_case_rate_set(
        case=fresh(case), tx=second, user=supervisor, rate=100, reason="全額とする"
    )
    decision = services.decision_submit(case=fresh(case), user=teller)
    evaluation = evaluate(case)
    # floor(100,001 × 33 / 100) = 33,000 (33,000.33 rounded down to the yen).
    assert [line.compensation for line in evaluation.lines] == [33000, 50110]
    assert evaluation.outcome == "partial" and evaluation.compensation_total == 83110
    assert "33％にあたる33,000円" in evaluation.lines[0].reasons[-1]

    approved = services.decision_approve(decision=decision, user=other_supervisor)
    assert approved.compensation_total == 83110 and approved.outcome == "partial"
    stored = approved.result
    assert stored["assessment"]["outcome"] == "review"  # the engine's own answer, kept exact
    assert stored["assessment"]["compensation_total"] is None
    by_tx = {entry["transaction"]: entry for entry in stored["case_by_case"]}
    assert by_tx[f"t{first.pk}"]["rate"] == 33
    assert by_tx[f"t{first.pk}"]["reason"] == "法人の管理体制を考慮"
    assert by_tx[f"t{first.pk}"]["set_by"] == supervisor.username
    assert TimelineEvent.objects.filter(data__compensation="case_by_case_rate").count() == 2


def test_rates_are_set_on_the_findings_page(client, teller, supervisor):
    case = corporate_case(teller)
    first, _second = (tx for tx in case.transactions.order_by("occurred_at"))
    client.force_login(supervisor)
    url = reverse("compensation:findings", args=[case.pk])
    page = client.get(url)
    assert len(page.context["rate_forms"]) == 2
    base = {
        **factories.stamped(case),
        "prompt_notice": "on",
        "explanation": "on",
        "unavoidable_days": "0",
    }
    refused = client.post(url, {**base, f"rate-{first.pk}-rate": "50"})
    assert "補償率を決めた理由を入力してください" in refused.content.decode()
    assert not CaseByCaseRate.objects.exists()
    saved = client.post(
        url,
        {
            **base,
            f"rate-{first.pk}-rate": "５０",
            f"rate-{first.pk}-reason": "代表者個人の被害に準ずる",
        },
    )
    assert saved.status_code == 302
    rate = CaseByCaseRate.objects.get()
    assert rate.transaction == first and rate.rate == 50 and rate.set_by == supervisor


def test_a_lost_card_and_online_banking_by_policy_are_case_by_case(teller, supervisor):
    case = factories.draft(teller)
    day = factories.today() - timedelta(days=2)
    lost, online = incident_services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": "cash_card",
                "state": "lost",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": day,
                "noticed_on": day,
            },
            {
                "kind": "online_banking",
                "state": "credentials_stolen",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": day,
                "noticed_on": day,
            },
        ],
    )
    incident_services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": item.pk,
                "occurred_at": factories.at(day, 12 + n),
                "account_branch": "001",
                "account_number": "1234567",
                "channel": channel,
                "amount": 10000,
                "fee": 0,
                "interest": 0,
            }
            for n, (item, channel) in enumerate(
                [(lost, "atm_withdrawal"), (online, "online_transfer")]
            )
        ],
    )
    incident_services.case_update(
        case=case,
        user=teller,
        step="police",
        fields={
            "police_status": "filed",
            "police_station": "丸の内警察署",
            "police_filed_on": day,
            "police_receipt_number": "R-9",
        },
    )
    for action in case.actions.all():
        incident_services.action_perform(action=action, user=teller)
    case = incident_services.case_submit(case_id=case.pk, user=teller)
    services.item_fault_confirm(
        case=fresh(case),
        item=online,
        user=supervisor,
        fault="negligence",
        reason="フィッシング画面にワンタイムパスワードを入力",
    )
    lines = evaluate(case).lines
    assert [line.is_case_by_case for line in lines] == [True, True]
    assert "紛失" in lines[0].reasons[0]
    assert "個別に判断" in lines[1].reasons[0]
