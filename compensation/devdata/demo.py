"""Demo data for compensation: one decided case and one waiting for review, on incidents' demo."""

from __future__ import annotations

from django.db import transaction

from compensation import selectors, services
from compensation.models import Decision
from incidents.models import Case, User
from incidents.models.choices import CaseStatus

# Customer numbers of incidents' demo cases (incidents/devdata/demo.py).
DECIDED_CUSTOMER = "100234"  # stolen card, PIN memo kept with the card: 75%
IN_REVIEW_CUSTOMER = "101500"  # counterfeit card: void, paid in full


def _demo_case(customer_number: str) -> Case | None:
    return (
        Case.objects.filter(customer_number=customer_number)
        .exclude(status__in=[CaseStatus.DRAFT, CaseStatus.WITHDRAWN])
        .select_related("branch")
        .prefetch_related("items", "transactions__item")
        .order_by("pk")
        .first()
    )


def _confirm_suggestions(case: Case, supervisor: User) -> None:
    for view in selectors.case_evaluate(case).items:
        services.item_fault_confirm(
            case=case,
            item=view.item,
            user=supervisor,
            fault=view.suggested or "none",
            reason="" if view.suggested else "ご説明と取引状況から過失は認められない",
        )


@transaction.atomic
def seed_demo_compensation() -> list[str]:
    """Decide one demo case and put another in review; a no-op for cases that already have one."""
    services.policy_version_default_ensure()
    done: list[str] = []
    try:
        teller = User.objects.get(username="teller")
        supervisor = User.objects.get(username="supervisor")
        supervisor2 = User.objects.get(username="supervisor2")
    except User.DoesNotExist:
        return done  # incidents' seed_demo has not run
    decided = _demo_case(DECIDED_CUSTOMER)
    if decided is not None and not Decision.objects.filter(case=decided).exists():
        _confirm_suggestions(decided, supervisor)
        decision = services.decision_submit(
            case=decided, user=teller, note="ご本人の説明・警察の受理番号を確認済み"
        )
        services.decision_approve(decision=decision, user=supervisor2)
        done.append(f"{decided.number}: decided")
    in_review = _demo_case(IN_REVIEW_CUSTOMER)
    if in_review is not None and not Decision.objects.filter(case=in_review).exists():
        _confirm_suggestions(in_review, supervisor)
        services.decision_submit(case=in_review, user=teller, note="偽造カードによる被害")
        done.append(f"{in_review.number}: in review")
    return done
