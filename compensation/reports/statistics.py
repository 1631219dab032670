"""The bankers' association's and the regulator's statistics: one SQL statement over the scoped cases."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    F,
    Field,
    Func,
    IntegerField,
    Max,
    Min,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.choices import DecisionStatus, Outcome
from compensation.reports.periods import TOKYO, Period, Quarter, average_man_yen, ratio
from compensation.rules import ITEM_KIND_LABELS
from compensation.rules.vocab import EXCLUDED_TAKERS
from incidents.models import Branch, Case, ReportedItem, UnauthorizedTransaction, User
from incidents.models.choices import CaseStatus, CustomerType
from incidents.models.querysets import VIEW, case_condition

CATEGORIES = ("counterfeit_card", "stolen_card", "stolen_passbook", "online_banking")
REFERENCE_CATEGORIES = ("lost_card", "lost_passbook")
CATEGORY_LABELS = {
    "counterfeit_card": _("偽造キャッシュカード"),
    "stolen_card": _("盗難キャッシュカード"),
    "stolen_passbook": _("盗難通帳"),
    "online_banking": _("インターネット・バンキング"),
    "lost_card": _("紛失キャッシュカード（参考）"),
    "lost_passbook": _("紛失通帳（参考）"),
}
# The item kind and state behind each category (incidents.models.RULES_KIND, in the database).
CATEGORY_ITEMS = {
    "counterfeit_card": ("cash_card", "counterfeit"),
    "stolen_card": ("cash_card", "stolen"),
    "lost_card": ("cash_card", "lost"),
    "stolen_passbook": ("passbook", "stolen"),
    "lost_passbook": ("passbook", "lost"),
    "online_banking": ("online_banking", "credentials_stolen"),
}
NOT_COUNTED = (CaseStatus.DRAFT, CaseStatus.WITHDRAWN)
COMPENSATED = (Outcome.FULL, Outcome.PARTIAL)


# --- The figures --------------------------------------------------------------------------------


@dataclass
class Cell:
    """One category's figures for one group of customers and one period."""

    cases: int = 0
    amount: int = 0
    decided: int = 0
    compensated: int = 0

    @property
    def not_compensated(self) -> int:
        return self.decided - self.compensated

    @property
    def investigating(self) -> int:
        return self.cases - self.decided

    @property
    def rate(self) -> Decimal | None:
        """補償率 = compensated ÷ decided."""
        return ratio(self.compensated, self.decided)

    @property
    def average_man_yen(self) -> Decimal | None:
        return average_man_yen(self.amount, self.cases)

    def share(self, part: int) -> Decimal | None:
        return ratio(part, self.cases)

    def __add__(self, other: Cell) -> Cell:
        return Cell(
            self.cases + other.cases,
            self.amount + other.amount,
            self.decided + other.decided,
            self.compensated + other.compensated,
        )


@dataclass
class Row:
    """One row of an association table: a quarter, a fiscal year or the whole period."""

    kind: str  # "quarter", "year" or "total"
    label: str
    fiscal_year: int | None
    quarter: Quarter | None
    individual: Cell
    corporate: Cell
    partial_year: bool = False


@dataclass
class CategoryTable:
    """The association's table for one category (and, for individuals, its decisions)."""

    category: str
    rows: list[Row]

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self.category])

    @property
    def total(self) -> Row:
        return self.rows[-1]


@dataclass
class Report:
    """Both shapes for one period and one branch (or all)."""

    period: Period
    branch: Branch | None
    tables: list[CategoryTable]
    reference: list[CategoryTable]
    regulator: list[tuple[str, Cell]]
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def regulator_total(self) -> Cell:
        total = Cell()
        for _category, cell in self.regulator:
            total = total + cell
        return total

    @property
    def scope_label(self) -> str:
        return str(self.branch) if self.branch else str(_("全店"))


def _category_expression() -> CaseWhen:
    """The statistics' category of an item (NULL for seals and identity documents)."""
    return CaseWhen(
        *(
            When(kind=kind, state=state, then=Value(category))
            for category, (kind, state) in CATEGORY_ITEMS.items()
        ),
        output_field=CharField(),
    )


def _quarter_index(period: Period) -> CombinedExpression:
    """The fiscal quarter of the transaction's Japan-time date, counted from year 0 (as
    ``Quarter.index``): the bucket of ``occurred_at`` among the period's quarter starts, found by
    comparing instants, so no row's time is converted to Japan time and taken apart."""
    starts = [
        datetime.datetime.combine(q.start, datetime.time(), tzinfo=TOKYO) for q in period.quarters
    ]
    bucket = Func(
        F("occurred_at"),
        Value(starts, output_field=Field()),
        function="width_bucket",
        output_field=IntegerField(),
    )
    # Bucket 1 is the period's first quarter (every row is inside the period).
    return Value(period.first.index - 1) + bucket


def _sql(queryset) -> tuple[str, tuple]:
    """A queryset's SQL and parameters (without ordering, unless DISTINCT ON needs it)."""
    if not queryset.query.distinct_fields:
        queryset = queryset.order_by()
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def statistics_parts(*, user: User, period: Period, branch_id: int | None = None) -> dict:
    """The querysets the statistics are made of, each the ORM's own (scoping included):

    - ``transactions``: the period's transactions the user may see;
    - ``amounts``: the period's transactions summed per case, item and fiscal quarter;
    - ``cases``: the cases the user may see (``restrict``) that count: not drafts or withdrawn;
    - ``items``: each reported item's category;
    - ``decisions``: each case's approved decision in force (the latest approval) and outcome;
    - ``excluded``: cases whose money was taken by the spouse, a relative, a cohabitant or a
      domestic servant.
    """
    from compensation.models import CaseAssessment, Decision

    transactions = UnauthorizedTransaction.objects.restrict(user, VIEW).filter(
        occurred_at__gte=period.start_at(), occurred_at__lt=period.end_at()
    )
    cases = Case.objects.restrict(user, VIEW).exclude(status__in=NOT_COUNTED)
    if branch_id is not None:
        transactions = transactions.filter(case__branch_id=branch_id)
        cases = cases.filter(branch_id=branch_id)
    amounts = (
        transactions.annotate(quarter_index=_quarter_index(period))
        .values("case_id", "item_id", "quarter_index")
        .annotate(amount=Sum("amount"), recovered=Sum("recovered_amount"))
    )
    items = (
        ReportedItem.objects.annotate(category=_category_expression())
        .filter(category__isnull=False)
        .values("case_id", "id", "category")
    )
    decisions = (
        Decision.objects.filter(status=DecisionStatus.APPROVED)
        .order_by("case_id", "-number")
        .distinct("case_id")
        .values("case_id", "outcome")
    )
    excluded = CaseAssessment.objects.filter(taken_by__in=sorted(EXCLUDED_TAKERS)).values("case_id")
    return {
        "transactions": transactions,
        "amounts": amounts,
        "cases": cases.values("id", "customer_type", "customer_number"),
        "items": items,
        "decisions": decisions,
        "excluded": excluded,
    }


# Django cannot aggregate an aggregated queryset again, and the account holder, not the case or
# the transaction, is the unit. The ORM builds the parts (statistics_parts); this statement joins
# them, counts holders per quarter, per fiscal year and (over several years) for the whole
# period in one sorted pass (ROLLUP: a holder's quarters, then its year, then its period), and
# then counts the cells per holder state.
#
# Speed at a million cases: the period's transactions are read from their covering index and
# summed per case first; cases, items and decisions are read by case id between the smallest and
# the largest case id those transactions name (ids grow with time, so that is about the period's
# cases, not the whole table), from covering indexes as well. The bounds are found first (one
# index-only scan) and passed as values. Every part then comes sorted by case id (items by case
# and item), so the joins are merges, and the holders are grouped by sorting on keys compared
# byte-wise (COLLATE "C": grouping needs equality, not the language's order).
FIGURES_SQL = """
WITH counted AS (
    SELECT i.category COLLATE "C" AS category, c.customer_type COLLATE "C" AS customer,
           c.customer_number COLLATE "C" AS customer_number,
           CASE WHEN c.customer_number = '' THEN c.id END AS lone_case,
           a.quarter_index, a.quarter_index / 4 AS fiscal_year,
           CASE WHEN i.category = 'online_banking' THEN a.amount - a.recovered
                ELSE a.amount END AS amount,
           d.outcome
    FROM ({amounts}) a
    JOIN ({cases}) c ON c.id = a.case_id
    JOIN ({items}) i ON i.case_id = a.case_id AND i.id = a.item_id
    LEFT JOIN ({decisions}) d ON d.case_id = a.case_id AND d.case_id BETWEEN %s AND %s
    WHERE c.id BETWEEN %s AND %s AND i.case_id BETWEEN %s AND %s
      AND c.id NOT IN ({excluded})
),
holders AS (
    SELECT category, customer, quarter_index, fiscal_year,
           GROUPING(fiscal_year, quarter_index) AS level,
           sum(amount) AS amount,
           bool_and(outcome IS NOT NULL) AS decided,
           bool_or(outcome = ANY(%s)) AS compensated
    FROM counted
    GROUP BY category, customer, customer_number, lone_case, {levels}
)
SELECT level, category, customer, quarter_index, fiscal_year, count(*), sum(amount),
       count(*) FILTER (WHERE decided), count(*) FILTER (WHERE decided AND compensated)
FROM holders
GROUP BY level, category, customer, quarter_index, fiscal_year
"""
# GROUPING(fiscal_year, quarter_index) of each level.
LEVEL_QUARTER, LEVEL_YEAR, LEVEL_TOTAL = 0, 1, 3
# Within one fiscal year the whole period is that year: its level is not computed twice.
ONE_YEAR_LEVELS = "GROUPING SETS ((fiscal_year, quarter_index), (fiscal_year))"
YEARS_LEVELS = "ROLLUP (fiscal_year, quarter_index)"
# For this transaction only (set_config's is_local); see statistics_figures.
PLANNER_SETTINGS = {
    "jit": "off",
    "enable_nestloop": "off",
    "enable_hashagg": "off",
    "max_parallel_workers_per_gather": "0",
    "work_mem": "128MB",
}


def statistics_figures(
    *, user: User, period: Period, branch_id: int | None = None
) -> dict[tuple[int, str, str, int | None], Cell]:
    """{(level, category, customer type, quarter index or fiscal year): Cell}, in two queries."""
    parts = statistics_parts(user=user, period=period, branch_id=branch_id)
    one_year = period.first.fiscal_year == period.last.fiscal_year
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            # The planner cannot see how many transactions a case has nor how many holders a period
            # has, and guesses few: it would look items up one by one and hash the holders, several
            # times slower than the sorted plan over a year of transactions. JIT compilation would
            # cost more than the query; the sorts need more than the default working memory.
            cursor.execute(
                "SELECT set_config(name, setting, true) FROM unnest(%s::text[], %s::text[]) AS s"
                " (name, setting)",
                [list(PLANNER_SETTINGS), list(PLANNER_SETTINGS.values())],
            )
            # With only min() and max() the planner walks the case index backwards and forwards
            # through every transaction outside the period; the count makes it read the period's
            # rows from their own index instead (a fifth of the time).
            bounds = parts["transactions"].aggregate(
                low=Min("case_id"), high=Max("case_id"), rows=Count("*")
            )
            if not bounds["rows"]:
                return {}
            texts = {"levels": ONE_YEAR_LEVELS if one_year else YEARS_LEVELS}
            params: list[Any] = []
            # The parts and the values appear in this order in FIGURES_SQL.
            for name in ("amounts", "cases", "items", "decisions"):
                texts[name], part_params = _sql(parts[name])
                params.extend(part_params)
            params += [bounds["low"], bounds["high"]] * 3
            texts["excluded"], part_params = _sql(parts["excluded"])
            params.extend(part_params)
            params.append(list(COMPENSATED))
            cursor.execute(FIGURES_SQL.format(**texts), params)
            found = cursor.fetchall()
        finally:
            # The block only reads: rolling it back undoes the planner settings, which would
            # otherwise hold to the end of the request's transaction (ATOMIC_REQUESTS).
            transaction.set_rollback(True)
    figures = {}
    for level, category, customer, quarter_index, fiscal_year, *numbers in found:
        key = {LEVEL_QUARTER: quarter_index, LEVEL_YEAR: fiscal_year}.get(level)
        figures[(level, category, customer, key)] = Cell(*(int(n or 0) for n in numbers))
        if one_year and level == LEVEL_YEAR:
            figures[(LEVEL_TOTAL, category, customer, None)] = figures[
                (level, category, customer, key)
            ]
    return figures


def report_scope_branch(*, user: User, branch_id: int | None) -> tuple[int | None, Branch | None]:
    """The branch a report is for: a branch's staff always get their own; others may choose."""
    condition = case_condition(user, VIEW)
    if isinstance(condition, dict):
        own = condition["branch_id"]
        return own, Branch.objects.filter(pk=own).first()
    if branch_id is None:
        return None, None
    branch = Branch.objects.filter(pk=branch_id).first()
    return (branch.pk, branch) if branch else (None, None)


def statistics_report(*, user: User, period: Period, branch_id: int | None = None) -> Report:
    """Both shapes of docs/domain.md §7 for the period, for the user's branch or the chosen one
    (or all)."""
    branch_id, branch = report_scope_branch(user=user, branch_id=branch_id)
    figures = statistics_figures(user=user, period=period, branch_id=branch_id)

    def cell(level: int, category: str, customer: str, key: int | None) -> Cell:
        return figures.get((level, category, customer, key), Cell())

    def table(category: str) -> CategoryTable:
        rows = []
        for year in period.fiscal_years:
            quarters = [q for q in period.quarters if q.fiscal_year == year]
            for quarter in quarters:
                rows.append(
                    Row(
                        "quarter",
                        str(quarter.label),
                        year,
                        quarter,
                        cell(LEVEL_QUARTER, category, CustomerType.INDIVIDUAL, quarter.index),
                        cell(LEVEL_QUARTER, category, CustomerType.CORPORATE, quarter.index),
                    )
                )
            rows.append(
                Row(
                    "year",
                    str(_("%(year)s年度") % {"year": year}),
                    year,
                    None,
                    cell(LEVEL_YEAR, category, CustomerType.INDIVIDUAL, year),
                    cell(LEVEL_YEAR, category, CustomerType.CORPORATE, year),
                    partial_year=len(quarters) < 4,
                )
            )
        rows.append(
            Row(
                "total",
                str(_("期間計")),
                None,
                None,
                cell(LEVEL_TOTAL, category, CustomerType.INDIVIDUAL, None),
                cell(LEVEL_TOTAL, category, CustomerType.CORPORATE, None),
            )
        )
        return CategoryTable(category, rows)

    return Report(
        period=period,
        branch=branch,
        tables=[table(category) for category in CATEGORIES],
        reference=[table(category) for category in REFERENCE_CATEGORIES],
        regulator=[
            (category, cell(LEVEL_TOTAL, category, CustomerType.INDIVIDUAL, None))
            for category in CATEGORIES
        ],
    )


def category_label(category: str) -> str:
    """The statistics' name of a category (the engine's name for anything else)."""
    return str(CATEGORY_LABELS.get(category) or ITEM_KIND_LABELS.get(category, category))
