"""The statistics' rows kept by the database (compensation 0007) stay equal to a computation from
scratch after every kind of write: intake and stops, submission, a recovery, findings, decisions
and a second decision, a merge and its undoing, a withdrawal, and a bulk repair outside the
services. The from-scratch side is plain Python over the source rows (docs/domain.md §7)."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from compensation.models import CaseAssessment, Decision, StatisticsCase, StatisticsQuarter
from compensation.reports.periods import TOKYO, Quarter
from compensation.reports.statistics import CATEGORY_ITEMS, COMPENSATED, NOT_COUNTED
from compensation.rules.vocab import EXCLUDED_TAKERS
from incidents.cases import services
from incidents.models import Case, UnauthorizedTransaction, WithdrawalRequest
from incidents.models.choices import CaseStatus
from tests import factories

from .support import decide, jst, report, taken_by

pytestmark = pytest.mark.django_db

CATEGORY_OF = {items: category for category, items in CATEGORY_ITEMS.items()}
QUARTER_COLUMNS = (
    "branch_id",
    "fiscal_year",
    "customer_type",
    "customer_number",
    "lone_case",
    "amount",
    "decided",
    "compensated",
)


def in_force() -> dict[int, str]:
    """Each case's outcome of its latest approved decision."""
    latest: dict[int, tuple[int, str]] = {}
    for case_id, number, outcome in Decision.objects.filter(status="approved").values_list(
        "case_id", "number", "outcome"
    ):
        if case_id not in latest or number > latest[case_id][0]:
            latest[case_id] = (number, outcome)
    return {case_id: outcome for case_id, (_n, outcome) in latest.items()}


def age_band(case: Case) -> str:
    if case.customer_birth_date is None:
        return "unknown"
    day, born = case.notified_at.astimezone(TOKYO).date(), case.customer_birth_date
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return "under_65" if years < 65 else "65_74" if years < 75 else "75_plus"


def from_scratch() -> tuple[dict, dict]:
    """({(case id, category, quarter index): row}, {case id: row}) by the definition, one source
    row at a time."""
    excluded = set(
        CaseAssessment.objects.filter(taken_by__in=EXCLUDED_TAKERS).values_list(
            "case_id", flat=True
        )
    )
    outcomes = in_force()
    quarters: dict[tuple, list] = {}
    for tx in UnauthorizedTransaction.objects.select_related("case", "item"):
        case, item = tx.case, tx.item
        category = CATEGORY_OF.get((item.kind, item.state))
        if case.status in NOT_COUNTED or case.pk in excluded or category is None:
            continue
        if item.case_id != tx.case_id:
            continue
        quarter = Quarter.of(tx.occurred_at.astimezone(TOKYO).date())
        outcome = outcomes.get(case.pk)
        amount = tx.amount - tx.recovered_amount if category == "online_banking" else tx.amount
        row = quarters.setdefault(
            (case.pk, category, quarter.index),
            [
                case.branch_id,
                quarter.fiscal_year,
                case.customer_type,
                case.customer_number,
                None if case.customer_number else case.pk,
                0,
                outcome is not None,
                outcome in COMPENSATED,
            ],
        )
        row[5] += amount
    cases = {}
    for case in Case.objects.exclude(status__in=NOT_COUNTED).prefetch_related("transactions"):
        total = sum(tx.amount for tx in case.transactions.all())
        cases[case.pk] = (case.branch_id, case.notified_at, age_band(case), total)
    return {key: tuple(row) for key, row in quarters.items()}, cases


def kept() -> tuple[dict, dict]:
    quarters = {
        row[:3]: tuple(row[3:])
        for row in StatisticsQuarter.objects.values_list(
            "case_id", "category", "quarter_index", *QUARTER_COLUMNS
        )
    }
    cases = {
        row[0]: tuple(row[1:])
        for row in StatisticsCase.objects.values_list(
            "case_id", "branch_id", "notified_at", "age_band", "amount"
        )
    }
    return quarters, cases


def assert_kept_right(step: str) -> tuple[dict, dict]:
    expected = from_scratch()
    assert kept() == expected, step
    return expected


def test_every_write_path_keeps_the_statistics_rows_equal_to_a_computation_from_scratch(
    teller, supervisor, other_supervisor, approver
):
    people = {"preparer": teller, "supervisor": supervisor, "approver": approver}
    # Intake with its stops, not yet submitted: a draft counts nowhere.
    card = report(
        teller,
        customer_number="500001",
        items=[("cash_card", "stolen"), ("passbook", "stolen")],
        transactions=[
            # Either side of a fiscal year's first instant in Japan time.
            {"at": jst(2025, 3, 31, 23, 59), "amount": 50_000},
            {"at": jst(2025, 4, 1, 0, 0), "amount": 70_000, "item": 1},
        ],
        submit=False,
    )
    quarters, cases = assert_kept_right("draft")
    assert not quarters and card.pk not in cases
    card = services.case_submit(case_id=card.pk, user=teller)
    quarters, cases = assert_kept_right("submitted")
    assert sorted(quarters) == [
        (card.pk, "stolen_card", Quarter(2024, 4).index),
        (card.pk, "stolen_passbook", Quarter(2025, 1).index),
    ]
    assert cases[card.pk][3] == 120_000

    # Online banking with a recovery recorded after submission; a holder without a number.
    online = report(
        teller,
        customer_number="",
        items=[("online_banking", "credentials_stolen")],
        transactions=[{"at": jst(2025, 6, 2), "amount": 300_000, "recovered": 120_000}],
    )
    quarters, _cases = assert_kept_right("recovery")
    (online_row,) = [row for key, row in quarters.items() if key[0] == online.pk]
    assert online_row[4] == online.pk and online_row[5] == 180_000

    # Findings and decisions: decided and compensated, then decided again with nothing paid.
    decide(card, fault="none", **people)
    quarters, _cases = assert_kept_right("decided")
    assert all(row[6] and row[7] for key, row in quarters.items() if key[0] == card.pk)
    decide(card, fault="gross_negligence", **people)
    quarters, _cases = assert_kept_right("decided again")
    assert all(row[6] and not row[7] for key, row in quarters.items() if key[0] == card.pk)

    # Money taken by the spouse leaves the statistics; another taker brings it back.
    taken_by(online, "spouse")
    quarters, _cases = assert_kept_right("taken by the spouse")
    assert not [key for key in quarters if key[0] == online.pk]
    taken_by(online, "other")
    assert_kept_right("taken by someone else")

    # A duplicate report of the same customer merged into the first one, then given back.
    first = report(
        teller, customer_number="500002", transactions=[{"at": jst(2025, 7, 1), "amount": 10_000}]
    )
    duplicate = report(
        teller, customer_number="500002", transactions=[{"at": jst(2025, 8, 1), "amount": 20_000}]
    )
    with transaction.atomic():
        merge = services.case_merge(survivor=first, duplicate=duplicate, user=supervisor)
    quarters, cases = assert_kept_right("merged")
    assert {key[0] for key, row in quarters.items() if row[3] == "500002"} == {first.pk}
    assert cases[first.pk][3] == 30_000
    with transaction.atomic():
        services.case_merge_undo(merge=merge, user=supervisor)
    quarters, cases = assert_kept_right("merge undone")
    assert cases[duplicate.pk][3] == 20_000

    # A draft with a stop in force, withdrawn on a second supervisor's confirmation.
    withdrawn = factories.stolen_card_case(teller, submit=False)
    with transaction.atomic():
        services.withdrawal_request_create(
            case=withdrawn,
            user=supervisor,
            reason="カードが見つかったため",
            stop_ids=list(withdrawn.actions.filter(status="done").values_list("pk", flat=True)),
        )
    with transaction.atomic():
        services.withdrawal_confirm(
            withdrawal=WithdrawalRequest.objects.get(case=withdrawn), user=other_supervisor
        )
    assert Case.objects.get(pk=withdrawn.pk).status == CaseStatus.WITHDRAWN
    _quarters, cases = assert_kept_right("withdrawn")
    assert withdrawn.pk not in cases

    # A repair outside the services (a bulk UPDATE) is followed too: the triggers are the
    # database's. The birth date moves the case into another age band; the category changes.
    Case.objects.filter(pk=card.pk).update(customer_birth_date=datetime.date(1940, 1, 1))
    card.items.filter(kind="cash_card").update(state="counterfeit")
    quarters, cases = assert_kept_right("repaired in bulk")
    assert cases[card.pk][2] == "75_plus"
    assert (card.pk, "counterfeit_card", Quarter(2024, 4).index) in quarters
    UnauthorizedTransaction.objects.filter(case=card).delete()
    quarters, cases = assert_kept_right("transactions deleted")
    assert not [key for key in quarters if key[0] == card.pk]
    assert cases[card.pk][3] == 0
