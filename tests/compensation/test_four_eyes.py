"""Four eyes: the preparer submits, a different supervisor of the branch approves or sends back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from compensation import services
from compensation.choices import DecisionStatus
from compensation.models import Decision
from incidents.models import TimelineEvent
from incidents.models.choices import CaseStatus
from tests import factories
from tests.compensation.support import compensation_tab

from .support import confirm_suggested_faults, fresh, set_checklist

pytestmark = pytest.mark.django_db


def test_a_teller_submits_and_another_supervisor_approves_the_decision(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)

    decision = services.decision_submit(case=fresh(case), user=teller, note="ご本人確認済み")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert decision.status == DecisionStatus.SUBMITTED and decision.prepared_by == teller

    approved = services.decision_approve(decision=decision, user=other_supervisor)
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert approved.status == DecisionStatus.APPROVED
    assert approved.reviewed_by == other_supervisor
    # 200,220 + 300,220 yen at 75% (PIN memo kept with the card), rounded down per line.
    assert approved.claimed_total == 500440
    assert approved.compensation_total == 200220 * 75 // 100 + 300220 * 75 // 100
    assert approved.outcome == "partial"
    assert approved.rules_version and approved.facts["notified_on"] == case.notified_on.isoformat()
    messages = list(case.events.values_list("message", flat=True))
    assert any("審査を依頼" in m for m in messages)
    assert any("を承認" in m for m in messages)


def test_the_preparer_cannot_approve_their_own_decision(supervisor, teller):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    with pytest.raises(services.DecisionError, match="審査を依頼した本人"):
        services.decision_approve(decision=decision, user=supervisor)
    with pytest.raises(services.DecisionError, match="審査を依頼した本人"):
        services.decision_return(decision=decision, user=supervisor, comment="自分で戻す")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED


def test_the_database_refuses_a_reviewer_who_prepared_the_decision(supervisor, teller):
    case = factories.stolen_card_case(teller)
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    with (
        pytest.raises(IntegrityError, match="decision_reviewer_is_not_preparer"),
        transaction.atomic(),
    ):
        Decision.objects.filter(pk=decision.pk).update(reviewed_by=supervisor)


def test_a_teller_cannot_approve(teller, supervisor):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    with pytest.raises(PermissionDenied):
        services.decision_approve(decision=decision, user=teller)


def test_a_supervisor_of_another_branch_gets_404_on_every_compensation_page(
    client, teller, supervisor, foreign_supervisor
):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=teller)
    client.force_login(foreign_supervisor)
    urls = [
        ("get", reverse("compensation:findings", args=[case.pk])),
        ("post", reverse("compensation:findings", args=[case.pk])),
        ("post", reverse("compensation:submit", args=[case.pk])),
        ("get", reverse("compensation:review", args=[case.pk])),
        ("post", reverse("compensation:review", args=[case.pk])),
        ("get", reverse("compensation:paid", args=[case.pk])),
        ("get", reverse("compensation:decision", args=[case.pk, decision.pk])),
        ("get", reverse("compensation:letter", args=[case.pk, decision.pk])),
        ("get", reverse("compensation:decision_facts", args=[case.pk, decision.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url, {"action": "approve", "confirmed": "on"})
        assert response.status_code == 404, (method, url)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED


def test_approval_through_the_page_by_a_second_supervisor(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    client.force_login(teller)
    response = client.post(
        reverse("compensation:submit", args=[case.pk]), factories.stamped(case, note="")
    )
    assert response.status_code == 302
    decision = Decision.objects.get(case=case)

    client.force_login(teller)
    assert client.get(reverse("compensation:review", args=[case.pk])).status_code == 403

    client.force_login(other_supervisor)
    page = client.get(reverse("compensation:review", args=[case.pk]))
    assert page.status_code == 200
    fingerprint = page.context["evaluation"].fingerprint
    response = client.post(
        reverse("compensation:review", args=[case.pk]),
        factories.stamped(case, action="approve", fingerprint=fingerprint, confirmed="on"),
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert decision.reviewed_by == other_supervisor


def test_the_preparer_sees_why_they_cannot_approve_on_the_review_page(client, teller, supervisor):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("compensation:review", args=[case.pk]))
    assert page.status_code == 200
    assert "別の役席が行います" in page.content.decode()
    assert 'data-testid="approve-form"' not in page.content.decode()
    response = client.post(
        reverse("compensation:review", args=[case.pk]),
        {"action": "approve", "fingerprint": "x", "confirmed": "on"},
    )
    assert "審査を依頼した本人" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED


def test_sending_back_needs_a_comment_and_reopens_the_investigation(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    decision = services.decision_submit(case=fresh(case), user=teller)
    client.force_login(other_supervisor)
    url = reverse("compensation:review", args=[case.pk])
    response = client.post(url, {"action": "return", "comment": "  "})
    assert response.status_code == 200
    assert "差戻しの理由" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED

    response = client.post(
        url, factories.stamped(case, action="return", comment="警察の受理番号を確認してください")
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.status == DecisionStatus.RETURNED
    assert decision.review_comment == "警察の受理番号を確認してください"
    assert case.status == CaseStatus.INVESTIGATING
    assert TimelineEvent.objects.filter(case=case, message__contains="受理番号を確認").exists()

    # The preparer fixes it and submits again: a new decision, the returned one is kept.
    again = services.decision_submit(case=fresh(case), user=teller)
    assert again.number == decision.number + 1
    assert Decision.objects.filter(case=case).count() == 2


def test_approval_waits_for_the_faults_to_be_confirmed(teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    decision = services.decision_submit(case=fresh(case), user=teller)
    with pytest.raises(services.DecisionError, match="過失を認定してください"):
        services.decision_approve(decision=decision, user=other_supervisor)


def test_a_pending_case_cannot_be_approved(teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller, police="not_yet")
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=teller)
    with pytest.raises(services.DecisionError, match="被害届が未提出"):
        services.decision_approve(decision=decision, user=other_supervisor)


def test_an_approval_of_facts_changed_since_the_page_was_opened_is_refused(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=teller)
    from incidents.cases import services as incident_services

    from .support import evaluate

    seen = evaluate(case).fingerprint
    # The circumstances were corrected while the decision waited: not the facts submitted.
    incident_services.case_update(
        case=fresh(case), user=teller, step="checklist", fields={"circumstances_note": "追記"}
    )
    incident_services.case_update(
        case=fresh(case), user=teller, step="checklist", fields={"checklist": ["intoxicated"]}
    )
    with pytest.raises(services.DecisionError, match="変更され"):
        services.decision_approve(
            decision=decision, user=other_supervisor, expected_fingerprint=seen
        )
    # Not even on the newer page: what is approved must be what the preparer submitted.
    with pytest.raises(services.DecisionError, match="審査依頼の後に"):
        services.decision_approve(
            decision=decision,
            user=other_supervisor,
            expected_fingerprint=evaluate(case).fingerprint,
        )
    services.decision_return(decision=decision, user=other_supervisor, comment="状況を確認")
    again = services.decision_submit(case=fresh(case), user=teller)
    approved = services.decision_approve(decision=again, user=other_supervisor)
    assert approved.facts["checklist"] == ["intoxicated"]


def test_monitoring_and_compliance_take_no_part_in_decisions(
    client, teller, supervisor, other_supervisor, monitoring_agent, compliance_officer
):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = services.decision_submit(case=fresh(case), user=teller)
    decision = services.decision_approve(decision=decision, user=other_supervisor)
    client.force_login(monitoring_agent)
    assert client.post(reverse("compensation:submit", args=[case.pk])).status_code == 403
    assert client.get(reverse("compensation:review", args=[case.pk])).status_code == 403
    assert (
        client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).status_code == 403
    )
    page = client.get(compensation_tab(case)).content.decode()
    assert 'data-testid="compensation-panel"' not in page

    client.force_login(compliance_officer)
    page = client.get(compensation_tab(case)).content.decode()
    assert 'data-testid="compensation-panel"' in page
    assert 'data-testid="submit-for-review"' not in page
    assert 'data-testid="record-findings"' not in page
    assert client.post(reverse("compensation:submit", args=[case.pk])).status_code == 404
    assert client.get(reverse("compensation:findings", args=[case.pk])).status_code == 404
    assert (
        client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).status_code == 200
    )


def test_the_record_is_japanese_whatever_language_the_screen_is_in(
    teller, supervisor, other_supervisor
):
    from django.utils import translation

    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    with translation.override("en"):
        assert str(case.items.get()) != "キャッシュカード（盗難）"  # the screen is English
        confirm_suggested_faults(case, supervisor)
        decision = services.decision_submit(case=fresh(case), user=teller)
        decision = services.decision_approve(decision=decision, user=other_supervisor)
    confirmed = TimelineEvent.objects.get(case=case, data__compensation="fault_confirmed")
    assert "キャッシュカード（盗難）" in confirmed.message
    approval = TimelineEvent.objects.get(case=case, data__to="decided")
    assert "一部補償" in approval.message
    assert {line["channel_label"] for line in decision.result["lines"]} == {"ATM引出し"}


def test_a_supervisor_who_recorded_the_findings_cannot_approve_what_a_teller_submitted(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)  # the supervisor's findings…
    decision = services.decision_submit(case=fresh(case), user=teller)  # …the teller's request
    with pytest.raises(services.DecisionError, match="認定事項"):
        services.decision_approve(decision=decision, user=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("compensation:review", args=[case.pk])).content.decode()
    assert 'data-testid="own-findings"' in page and 'data-testid="approve-form"' not in page
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED
    # The database refuses it too, whatever path the write takes.
    with pytest.raises(DatabaseError, match="reviewer recorded findings"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.APPROVED, reviewed_by=supervisor
        )
    # A second pair of eyes approves.
    approved = services.decision_approve(decision=decision, user=other_supervisor)
    assert approved.status == DecisionStatus.APPROVED
