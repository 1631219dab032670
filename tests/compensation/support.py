"""Builders for compensation tests, going through the same services the pages call."""

from __future__ import annotations

from django.urls import reverse

from compensation import selectors, services
from compensation.models import Decision
from incidents.cases import services as incident_services
from incidents.models import Case, User
from tests import factories


def compensation_tab(case: Case) -> str:
    """The case page's 補償 tab (loaded when opened), as a whole page with the header."""
    return reverse("incidents:case_compensation", args=[case.pk])


def fresh(case: Case) -> Case:
    """The case as a page would load it (items and transactions prefetched)."""
    return (
        Case.objects.select_related("branch")
        .prefetch_related("items", "transactions__item")
        .get(pk=case.pk)
    )


def evaluate(case: Case) -> selectors.Evaluation:
    return selectors.case_evaluate(fresh(case))


def confirm_suggested_faults(case: Case, supervisor: User) -> None:
    """The supervisor confirms every item's fault as the checklist suggests."""
    evaluation = evaluate(case)
    for view in evaluation.items:
        services.item_fault_confirm(
            case=fresh(case),
            item=view.item,
            user=supervisor,
            fault=view.suggested or "none",
            reason="" if view.suggested else "状況から過失なしと判断",
        )


def set_checklist(case: Case, user: User, codes: list[str]) -> None:
    incident_services.case_update(
        case=case, user=user, step="checklist", fields={"checklist": codes}
    )


def submit_and_approve(case: Case, preparer: User, approver: User, note: str = "") -> Decision:
    """Submit the case for review and approve it as a second supervisor."""
    decision = services.decision_submit(case=fresh(case), user=preparer, note=note)
    return services.decision_approve(decision=decision, user=approver)


def approved_pin_memo_case(teller: User, supervisor: User, approver: User) -> tuple[Case, Decision]:
    """A stolen card kept with a note of its PIN (negligence, 75%), its faults confirmed by
    ``supervisor``, submitted by ``teller`` and approved by ``approver``."""
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)
    return case, submit_and_approve(case, teller, approver)
