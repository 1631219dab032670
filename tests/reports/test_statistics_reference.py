"""The statistics' one statement against a plain Python count of the same rows, on seeded data.

The hand-computed tests (test_statistics.py) check one counting rule at a time; this one checks
that the set-based statement and a straightforward per-transaction computation agree on every
cell, over the bench seed (hundreds of cases over five years) with holders made to repeat, cases
without a customer number, lost items, recoveries, exclusions, drafts and withdrawn reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from compensation.models import CaseAssessment, Decision
from compensation.reports.periods import TOKYO, Period, Quarter, current_fiscal_year
from compensation.reports.statistics import (
    CATEGORY_ITEMS,
    COMPENSATED,
    LEVEL_QUARTER,
    LEVEL_TOTAL,
    LEVEL_YEAR,
    NOT_COUNTED,
    Cell,
    statistics_figures,
)
from compensation.rules.vocab import EXCLUDED_TAKERS
from incidents.models import Branch, UnauthorizedTransaction, User

from .support import jst, report, taken_by

pytestmark = pytest.mark.django_db

CATEGORY_OF = {items: category for category, items in CATEGORY_ITEMS.items()}

TRANSFER_CHANNEL = {
    "cash_card": "atm_transfer",
    "passbook": "counter_transfer",
    "online_banking": "online_transfer",
}


@dataclass
class Holder:
    """What the reference keeps of one holder in one cell while it walks the transactions."""

    amount: int = 0
    undecided: bool = False
    compensated: bool = False


def reference_figures(period: Period, branch_id: int | None = None) -> dict:
    """The figures by the definition (docs/domain.md §7), one transaction at a time in Python."""
    excluded = set(
        CaseAssessment.objects.filter(taken_by__in=EXCLUDED_TAKERS).values_list(
            "case_id", flat=True
        )
    )
    in_force: dict[int, tuple[int, str | None]] = {}  # the latest approval of each case
    for case_id, number, approved in Decision.objects.filter(status="approved").values_list(
        "case_id", "number", "outcome"
    ):
        if case_id not in in_force or number > in_force[case_id][0]:
            in_force[case_id] = (number, approved)
    holders: dict[tuple, Holder] = defaultdict(Holder)
    transactions = UnauthorizedTransaction.objects.filter(
        occurred_at__gte=period.start_at(), occurred_at__lt=period.end_at()
    ).select_related("case", "item")
    for tx in transactions:
        case, item = tx.case, tx.item
        if case.status in NOT_COUNTED or case.pk in excluded:
            continue
        if branch_id is not None and case.branch_id != branch_id:
            continue
        category = CATEGORY_OF.get((item.kind, item.state))
        if category is None:
            continue
        quarter = Quarter.of(tx.occurred_at.astimezone(TOKYO).date())
        holder = case.customer_number or f"case {case.pk}"
        amount = tx.amount - tx.recovered_amount if category == "online_banking" else tx.amount
        outcome = in_force.get(case.pk, (0, None))[1]
        levels: list[tuple[int, int | None]] = [
            (LEVEL_QUARTER, quarter.index),
            (LEVEL_YEAR, quarter.fiscal_year),
            (LEVEL_TOTAL, None),
        ]
        for level, key in levels:
            one = holders[(level, category, case.customer_type, key, holder)]
            one.amount += amount
            one.undecided = one.undecided or outcome is None
            one.compensated = one.compensated or outcome in COMPENSATED
    figures: dict[tuple, Cell] = defaultdict(Cell)
    for (level, category, customer, key, _holder), one in holders.items():
        decided = not one.undecided
        figures[(level, category, customer, key)] += Cell(
            1, one.amount, int(decided), int(decided and one.compensated)
        )
    return dict(figures)


def nonzero(figures: dict) -> dict:
    return {key: cell for key, cell in figures.items() if cell != Cell()}


@pytest.fixture
def seeded(teller, compliance_officer):
    """The bench seed, with holders that repeat and cases that have no customer number, and
    a few hand-made cases for what the seed leaves out (lost items, recoveries by category)."""
    call_command("seed_bench", cases=320, branches=4, chunk=320, stdout=StringIO())
    call_command("seed_bench_compensation", stdout=StringIO())
    with connection.cursor() as cursor:
        # Every third case belongs to one of 7 holders; every eleventh has no customer number.
        cursor.execute(
            "UPDATE incidents_case SET customer_number = lpad((id %% 7)::text, 6, '7')"
            " WHERE id %% 3 = 0 AND number LIKE %s",
            ["1__-%"],
        )
        cursor.execute(
            "UPDATE incidents_case SET customer_number = '' WHERE id %% 11 = 0 AND number LIKE %s",
            ["1__-%"],
        )
    year = current_fiscal_year() - 1
    for number, month, items in (
        ("990001", 5, [("cash_card", "lost")]),
        ("990001", 11, [("passbook", "lost")]),
        ("", 8, [("online_banking", "credentials_stolen")]),
        ("990002", 2, [("cash_card", "stolen"), ("passbook", "stolen")]),
    ):
        at = jst(year + 1 if month < 4 else year, month, 3)
        case = report(
            teller,
            customer_number=number,
            items=items,
            transactions=[
                # Money comes back (組戻し) only from a transfer: the first item's transfer channel.
                {
                    "at": at,
                    "amount": 120_000,
                    "recovered": 20_000,
                    "channel": TRANSFER_CHANNEL[items[0][0]],
                },
                {"at": at, "amount": 30_000, "item": len(items) - 1},
            ],
        )
        if month == 2:
            taken_by(case, "other")
    return year


def test_the_figures_equal_a_plain_count_of_every_transaction_for_every_scope_and_period(
    seeded, compliance_officer
):
    year = seeded
    # The data has what the rules count apart: decided and undecided holders, lost items,
    # corporate customers, and holders who lost money in several quarters of one year.
    cells = reference_figures(Period(Quarter(year - 3, 1), Quarter(year, 4)))
    assert any(c.decided and c.compensated < c.decided for c in cells.values())
    assert any(c.investigating for c in cells.values())
    assert {key[1] for key in cells} >= {"lost_card", "stolen_card", "online_banking"}
    assert any(key[2] == "corporate" for key in cells)
    one_year = reference_figures(Period.fiscal_year(year))
    quarters = sum(c.cases for key, c in one_year.items() if key[0] == LEVEL_QUARTER)
    assert quarters > sum(c.cases for key, c in one_year.items() if key[0] == LEVEL_YEAR)
    supervisor = User.objects.get(username="bench_supervisor_101_0")
    branch = Branch.objects.get(code="101")
    periods = [
        Period.fiscal_year(year),
        Period.fiscal_year(year - 1),
        Period(Quarter(year - 1, 3), Quarter(year, 2)),  # across a fiscal year's end
        Period(Quarter(year - 3, 1), Quarter(year, 4)),  # four years: quarters, years, total
    ]
    assert sum(1 for p in periods for _ in p.fiscal_years) > len(periods)
    for period in periods:
        expected = reference_figures(period)
        assert expected, period  # the seed reaches every period
        assert nonzero(statistics_figures(user=compliance_officer, period=period)) == expected
        own = reference_figures(period, branch.pk)
        assert own, period
        assert (
            nonzero(statistics_figures(user=supervisor, period=period, branch_id=branch.pk)) == own
        )
        assert nonzero(statistics_figures(user=supervisor, period=period, branch_id=None)) == own
        picked = statistics_figures(user=compliance_officer, period=period, branch_id=branch.pk)
        assert nonzero(picked) == own
