"""Reads of one case: the case with its rows, what the intake still needs."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from incidents.cases.checklist import CARD_QUESTIONS, ONLINE_BANKING_FACTORS, PASSBOOK_QUESTIONS
from incidents.cases.protection import elderly_policy_for
from incidents.models import (
    Case,
    ProtectiveAction,
    ReportedItem,
    UnauthorizedTransaction,
    User,
)
from incidents.models.choices import (
    ActionStatus,
    ItemKind,
)


def case_get_full(*, user: User, pk: int, action: str = "view") -> Case:
    """One case the user may see, with everything the case page shows; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    queryset = (
        Case.objects.restrict(user, action)
        .select_related("branch", "created_by", "assigned_to", "submitted_by")
        .prefetch_related(
            Prefetch("items", queryset=ReportedItem.objects.order_by("position", "pk")),
            Prefetch(
                "actions",
                queryset=ProtectiveAction.objects.select_related("item", "performed_by"),
            ),
            Prefetch(
                "transactions",
                queryset=UnauthorizedTransaction.objects.select_related("item"),
            ),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def case_applicable_checklist(case: Case) -> dict[str, list]:
    """The checklist questions the case's items call for (no passbook questions without one)."""
    kinds = {item.kind for item in case.items.all()}
    return {
        "card": CARD_QUESTIONS if ItemKind.CASH_CARD in kinds else [],
        "passbook": PASSBOOK_QUESTIONS if kinds & {ItemKind.PASSBOOK, ItemKind.SEAL} else [],
        "online_banking": ONLINE_BANKING_FACTORS if ItemKind.ONLINE_BANKING in kinds else [],
    }


def case_checklist_labels(case: Case) -> list[str]:
    """The checklist answers as the questions read."""
    from incidents.cases.checklist import LABELS

    return [str(LABELS.get(code, code)) for code in [*case.checklist, *case.online_banking_factors]]


def case_has_money_items(case: Case) -> bool:
    """Whether any item can have been used to take money (and so transactions can be recorded)."""
    return any(item.rules_kind for item in case.items.all())


def case_fraud_step_applies(case: Case) -> bool:
    """Whether the intake asks the transfer-fraud step: a transfer-fraud item, a customer of the
    protection policy's age (docs/domain.md §10), or answers already given."""
    # Read afresh: the step after a save of the items must see the items just saved.
    if ReportedItem.objects.filter(case_id=case.pk, kind=ItemKind.TRANSFER_FRAUD).exists():
        return True
    if case.fraud_approach or case.supervisor_flagged:
        return True
    return elderly_policy_for(case) is not None


def case_submission_problems(case: Case) -> list[str]:
    """Why a draft cannot be submitted yet, in words a teller understands; empty when it can."""
    problems = []
    if not case.customer_name or not case.customer_name_kana:
        problems.append(_("お客さまの氏名（漢字・カナ）を入力してください。"))
    items = list(case.items.all())
    if not items:
        problems.append(_("届出の対象（カード・通帳など）を1件以上入力してください。"))
    pending = [a for a in case.actions.select_related("item") if a.status == ActionStatus.PROPOSED]
    for action in pending:
        problems.append(
            _("「%(action)s」を実施済または見送り（理由付き）として記録してください。")
            % {"action": action.get_kind_display()}
        )
    if any(item.kind == ItemKind.TRANSFER_FRAUD for item in items) and not case.fraud_approach:
        problems.append(_("振り込め詐欺等の被害の手口を選んでください。"))
    if not case.police_status:
        problems.append(_("警察への届出の状況を入力してください。"))
    return problems
