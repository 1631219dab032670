"""Four eyes over the findings, not only the button: what is approved is what its preparer
submitted, the reviewer cannot change the findings under review, and the database refuses both."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from compensation import services
from compensation.choices import DecisionStatus
from compensation.models import CaseAssessment, Decision, ItemFault
from incidents.models.choices import CaseStatus
from tests import factories

from .support import fresh

pytestmark = pytest.mark.django_db


def findings_form(case, fault: str, reason: str = "") -> dict:
    item = case.items.get()
    return factories.stamped(
        case,
        {
            "prompt_notice": "on",
            "explanation": "on",
            "taken_by": "",
            "unavoidable_days": "0",
            "note": "",
            f"fault-{item.pk}-fault": fault,
            f"fault-{item.pk}-reason": reason,
        },
    )


def test_the_reviewer_cannot_change_the_findings_and_approves_only_what_was_submitted(
    client, teller, supervisor, other_supervisor
):
    """The reported bypass: A finds no fault and submits; B posts gross negligence, then approves.
    B's findings are refused; the approval pays what A submitted, prepared by A, reviewed by B."""
    case = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    url = reverse("compensation:findings", args=[case.pk])
    reason = "カードは自宅で保管されていた"
    assert client.post(url, findings_form(case, "none", reason)).status_code == 302
    client.post(reverse("compensation:submit", args=[case.pk]), factories.stamped(case, note=""))
    decision = Decision.objects.get(case=case, status=DecisionStatus.SUBMITTED)

    client.force_login(other_supervisor)
    refused = client.post(url, findings_form(case, "gross_negligence", "暗証番号を他人に教えた"))
    assert refused.status_code == 200
    assert "審査中のため、事実認定は変更できません" in refused.content.decode()
    assert ItemFault.objects.get(item__case=case).fault == "none"
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED

    review = client.get(reverse("compensation:review", args=[case.pk]))
    client.post(
        reverse("compensation:review", args=[case.pk]),
        factories.stamped(
            case,
            action="approve",
            fingerprint=review.context["evaluation"].fingerprint,
            confirmed="on",
        ),
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert (decision.prepared_by, decision.reviewed_by) == (supervisor, other_supervisor)
    assert decision.outcome == "full" and decision.compensation_total == 500440


def test_the_preparer_changing_the_findings_withdraws_the_pending_decision(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    services.item_fault_confirm(
        case=fresh(case), item=case.items.get(), user=supervisor, fault="none", reason="自宅保管"
    )
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    services.findings_save(case=fresh(case), user=supervisor, fields={"unavoidable_days": 5})
    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.status == DecisionStatus.WITHDRAWN
    assert case.status == CaseStatus.INVESTIGATING
    assert case.events.filter(message__contains="審査依頼を取り下げ").exists()
    with pytest.raises(services.DecisionError, match="すでに審査済み"):
        services.decision_approve(decision=decision, user=other_supervisor)
    again = services.decision_submit(case=fresh(case), user=supervisor)
    approved = services.decision_approve(decision=again, user=other_supervisor)
    assert approved.facts["unavoidable_days"] == 5


def test_posting_the_same_findings_under_review_withdraws_nothing(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    services.item_fault_confirm(
        case=fresh(case), item=case.items.get(), user=supervisor, fault="none", reason="自宅保管"
    )
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    services.findings_save(case=fresh(case), user=other_supervisor, fields={"unavoidable_days": 0})
    services.findings_save(case=fresh(case), user=supervisor, fields={"unavoidable_days": 0})
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED


def test_the_database_refuses_findings_written_under_review(teller, supervisor):
    case = factories.stolen_card_case(teller)
    services.item_fault_confirm(
        case=fresh(case), item=case.items.get(), user=supervisor, fault="none", reason="自宅保管"
    )
    services.decision_submit(case=fresh(case), user=supervisor)
    with pytest.raises(DatabaseError, match="under review"), transaction.atomic():
        ItemFault.objects.filter(item__case=case).update(fault="gross_negligence")
    with pytest.raises(DatabaseError, match="under review"), transaction.atomic():
        CaseAssessment.objects.update_or_create(case=case, defaults={"unavoidable_days": 9})
    assert ItemFault.objects.get(item__case=case).fault == "none"


def test_the_database_refuses_an_approval_whose_findings_changed_after_submission(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    services.item_fault_confirm(
        case=fresh(case), item=case.items.get(), user=supervisor, fault="none", reason="自宅保管"
    )
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    # As if the findings had moved on behind the application's back since the submission.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE compensation_decision SET findings_version = findings_version + 7 "
            "WHERE id = %s",
            [decision.pk],
        )
    with (
        pytest.raises(DatabaseError, match="findings changed after submission"),
        transaction.atomic(),
    ):
        services.decision_approve(decision=decision, user=other_supervisor)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED


def test_a_withdrawn_decision_is_final_in_the_database(teller, supervisor):
    case = factories.stolen_card_case(teller)
    services.item_fault_confirm(
        case=fresh(case), item=case.items.get(), user=supervisor, fault="none", reason="自宅保管"
    )
    decision = services.decision_submit(case=fresh(case), user=supervisor)
    services.findings_save(case=fresh(case), user=supervisor, fields={"note": "追加の確認"})
    with pytest.raises(DatabaseError, match="withdrawn"), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.SUBMITTED)
