"""Reads of one case: the case with its rows, what the intake still needs."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _

from incidents.access.predicates import may_merge
from incidents.cases.checklist import (
    CARD_QUESTIONS,
    LABELS,
    ONLINE_BANKING_FACTORS,
    PASSBOOK_QUESTIONS,
)
from incidents.cases.merge_rules import SURVIVOR_STATUSES, decided_ever_q, same_customer
from incidents.cases.protection import elderly_policy_for
from incidents.models import (
    Case,
    CaseMerge,
    ProtectiveAction,
    ReportedItem,
    UnauthorizedTransaction,
    User,
)
from incidents.models.choices import (
    DUPLICATE_STATUSES,
    STOPPABLE,
    ItemKind,
)
from incidents.models.querysets import ASSIGN
from incidents.models.search import normalize


def case_get_full(*, user: User, pk: int, action: str = "view", page: bool = False) -> Case:
    """One case the user may see, with everything the case page shows; 404 otherwise.

    ``page``: also whether a merge stands on it and whether another open report may be of the
    same customer (``has_merges``, ``may_have_duplicates``), so the page asks for those rows
    only when there are some.
    """
    from django.shortcuts import get_object_or_404

    queryset = Case.objects.restrict(user, action)
    if page:
        queryset = queryset.annotate(
            has_merges=_merge_stands(),
            may_have_duplicates=_may_have_duplicates(),
        )
    # The supervisor's findings (one-to-ones that compensation declares, named here as strings, no
    # import) are joined so that the compensation panel needs no query for them: the case's
    # "assessment", each item's "fault", each transaction's rate. The page itself shows neither
    # the panel (its 補償 tab is loaded when opened) nor who created or submitted the case (the
    # receipt does), so its look reads none of them.
    findings = not page
    queryset = queryset.select_related(
        "branch",
        "assigned_to",
        *(["created_by", "submitted_by", "assessment"] if findings else []),
    )
    if page:
        queryset = queryset.defer(*HEADER_UNUSED)
    queryset = queryset.prefetch_related(
        Prefetch(
            "items",
            queryset=(
                ReportedItem.objects.select_related("fault__confirmed_by")
                if findings
                else ReportedItem.objects.all()
            ).order_by("position", "pk"),
        ),
        Prefetch("actions", queryset=ProtectiveAction.objects.select_related("performed_by")),
        # Never select_related() with no names: that follows every foreign key (the case, its
        # branch and creator, the item and its case again) for each transaction.
        Prefetch(
            "transactions",
            queryset=UnauthorizedTransaction.objects.select_related("case_by_case_rate__set_by")
            if findings
            else UnauthorizedTransaction.objects.all(),
        ),
    )
    case = get_object_or_404(queryset, pk=pk)
    _link_items(case)
    return case


# What the case page and its tabs never show of the joined branch and assignee: the header shows
# the branch's code and name and the assignee's name (User.display_name), nothing else (the
# password hash, the login times… need not travel with every look).
HEADER_UNUSED = (
    "branch__phone",
    "branch__is_active",
    *(
        f"assigned_to__{name}"
        for name in (
            "password",
            "last_login",
            "is_superuser",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "role",
            "branch",
            "language",
        )
    ),
)


def _merge_stands() -> Exists:
    return Exists(
        CaseMerge.objects.filter(
            Q(survivor=OuterRef("pk")) | Q(merged=OuterRef("pk")), undone_at__isnull=True
        )
    )


def case_get_for_tab(*, user: User, pk: int, documents: bool = False) -> Case:
    """One case the user may see, with what a tab loaded when opened shows under the header; 404
    otherwise.

    ``documents``: also whether a merge stands on it (``has_merges``) and its transactions with
    their items, for the links to other cases (期限・書類).
    """
    from django.shortcuts import get_object_or_404

    queryset = (
        Case.objects.restrict(user, "view")
        .select_related("branch", "assigned_to")
        .defer(*HEADER_UNUSED)
    )
    if documents:
        queryset = queryset.annotate(has_merges=_merge_stands()).prefetch_related(
            Prefetch(
                "transactions", queryset=UnauthorizedTransaction.objects.select_related("item")
            )
        )
    return get_object_or_404(queryset, pk=pk)


def _link_items(case: Case) -> None:
    """Each stop's and transaction's item from the case's items already read (no join, no query)."""
    items = {item.pk: item for item in case.items.all()}
    rows: list[ProtectiveAction | UnauthorizedTransaction] = [
        *case.actions.all(),
        *case.transactions.all(),
    ]
    for row in rows:
        item = items.get(row.item_id) if row.item_id is not None else None
        if item is not None:
            row.item = item


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
    pending = [a for a in case.actions.select_related("item") if a.status in STOPPABLE]
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


def _may_have_duplicates() -> ExpressionWrapper:
    """Whether another report of the branch open to a merge has the case's customer number, none
    at all (a night call's), or its kana: three probes of the partial indexes on (branch, number)
    and (branch, kana), where one EXISTS with an OR scanned every open case of the branch."""
    others = Case.objects.filter(branch=OuterRef("branch"), status__in=DUPLICATE_STATUSES).exclude(
        pk=OuterRef("pk")
    )
    return ExpressionWrapper(
        Q(Exists(others.filter(customer_number=OuterRef("customer_number"))))
        | Q(Exists(others.filter(customer_number="")))
        | Q(Exists(others.filter(customer_name_kana=OuterRef("customer_name_kana")))),
        output_field=BooleanField(),
    )


def merge_candidates(*, user: User, case: Case, limit: int = 10) -> list[Case]:
    """Open cases of the same customer that ``user`` may merge into ``case`` (the case page
    offers them to a supervisor of the branch); empty for anyone else."""
    if case.status not in SURVIVOR_STATUSES or not may_merge(user, case):
        return []
    if not getattr(case, "may_have_duplicates", True):
        return []
    kana = normalize(case.customer_name_kana)
    # The same number, or (a night call often has none) the same kana name: same_customer
    # then compares the phone numbers.
    same = Q(customer_number="", search_text__contains=f"|{kana}|") if kana else Q(pk=None)
    if case.customer_number:
        same |= Q(customer_number=case.customer_number)
    elif kana:
        same = Q(search_text__contains=f"|{kana}|")
    rows = (
        Case.objects.restrict(user, ASSIGN)
        .filter(same, status__in=DUPLICATE_STATUSES)
        # Neither side ever decided (merge_refusal), asked in this one query.
        .exclude(decided_ever_q(OuterRef("pk")))
        .exclude(decided_ever_q(case.pk))
        .exclude(pk=case.pk)
        .order_by("-notified_at", "-id")[: limit * 2]
    )
    return [row for row in rows if same_customer(case, row)][:limit]


def case_merged_reports(*, case: Case, merges: list[CaseMerge]) -> list[CaseMerge]:
    """The standing merges into ``case`` (from ``merges``, its standing merges) and into each
    report merged into it, however deep: A merged into B and B into this case, A's timeline and
    documents are this case's too. One query per level, none without a merge."""
    found = [m for m in merges if m.survivor_id == case.pk]
    seen = {case.pk, *(m.merged_id for m in found)}
    frontier = [m.merged_id for m in found]
    while frontier:
        deeper = [
            m
            for m in CaseMerge.objects.filter(survivor_id__in=frontier, undone_at__isnull=True)
            .select_related("merged")
            .order_by("merged_at", "pk")
            if m.merged_id not in seen
        ]
        found += deeper
        seen.update(m.merged_id for m in deeper)
        frontier = [m.merged_id for m in deeper]
    return found


def case_standing_merges(*, case: Case) -> list[CaseMerge]:
    """The merges that stand on this case: into it (it is the survivor) or out of it."""
    if not getattr(case, "has_merges", True):
        return []
    return list(
        CaseMerge.objects.filter(Q(survivor=case) | Q(merged=case), undone_at__isnull=True)
        .select_related("survivor", "merged", "merged_by")
        .order_by("merged_at", "pk")
    )
