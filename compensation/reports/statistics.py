"""The bankers' association's and the regulator's statistics: one SQL statement over the rows the
database keeps for them (compensation.models.statistics), scoped as the cases are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.choices import Outcome
from compensation.models import StatisticsQuarter
from compensation.reports.periods import Period, Quarter, average_man_yen, ratio
from compensation.rules import ITEM_KIND_LABELS
from incidents.models import Branch, User
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


def _sql(queryset) -> tuple[str, tuple]:
    """A queryset's SQL and parameters (without ordering, unless DISTINCT ON needs it)."""
    if not queryset.query.distinct_fields:
        queryset = queryset.order_by()
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def statistics_rows(*, user: User, period: Period, branch_id: int | None = None) -> QuerySet:
    """What the cases the user may see (``restrict``) lost in each category and quarter of the
    period, as the database keeps it (compensation.models.StatisticsQuarter: only what counts)."""
    rows = StatisticsQuarter.objects.restrict(user, VIEW).filter(
        fiscal_year__gte=period.first.fiscal_year,
        fiscal_year__lte=period.last.fiscal_year,
        quarter_index__gte=period.first.index,
        quarter_index__lte=period.last.index,
    )
    if branch_id is not None:
        rows = rows.filter(branch_id=branch_id)
    return rows.order_by().values(
        "fiscal_year",
        "category",
        "customer_type",
        "customer_number",
        "lone_case",
        "quarter_index",
        "amount",
        "decided",
        "compensated",
    )


# A fiscal year's four quarters, as bit positions (the quarter index modulo 4).
QUARTER_BITS = (1, 2, 4, 8)


def _quarter_columns() -> str:
    """The select list of one fiscal year's row: each quarter's four figures, then the year's.

    A holder is in a quarter when its ``present`` bit is set, decided there when its
    ``undecided`` bit is not, compensated there when decided and its ``compensated`` bit is set;
    in the year, when no quarter has a case undecided and any has one compensated.
    """
    columns = []
    for number, bit in enumerate(QUARTER_BITS):
        columns += [
            f"count(*) FILTER (WHERE present & {bit} <> 0)",
            f"sum(amount_{number})",
            f"count(*) FILTER (WHERE present & ~undecided & {bit} <> 0)",
            f"count(*) FILTER (WHERE compensated & ~undecided & {bit} <> 0)",
        ]
    columns += [
        "count(*)",
        "sum(amount)",
        "count(*) FILTER (WHERE undecided = 0)",
        "count(*) FILTER (WHERE undecided = 0 AND compensated <> 0)",
    ]
    return ",\n       ".join(columns)


# Django cannot aggregate an aggregated queryset again, and the account holder, not the case or
# the transaction, is the unit. The ORM selects the rows (statistics_rows: scoping, period,
# branch); this statement groups them once per holder and fiscal year, keeping which quarters the
# holder is in, in which a case is undecided and in which one is compensated as bits, and the
# amount of each quarter; then one pass over those holder-years counts every quarter's and the
# year's cells with conditional aggregates (FILTER). Over several fiscal years the period's total
# counts each holder once more, from the same holder-years.
#
# Speed: the rows are one narrow table kept on write (migration 0007), read from an index in the
# order of the grouping (year, category, customer type, holder), so both groupings stream out of
# an index-only scan: no join, no sort, no hash table.
FIGURES_SQL = """
WITH holder_years AS {materialized} (
    SELECT fiscal_year, category, customer_type AS customer, customer_number, lone_case,
           bit_or(1 << (quarter_index %% 4)) AS present,
           bit_or((NOT decided)::integer << (quarter_index %% 4)) AS undecided,
           bit_or(compensated::integer << (quarter_index %% 4)) AS compensated,
           sum(amount)::bigint AS amount,
           {quarter_amounts}
    FROM ({rows}) r
    GROUP BY fiscal_year, category, customer_type, customer_number, lone_case
)
SELECT category, customer, fiscal_year,
       {columns}
FROM holder_years
GROUP BY fiscal_year, category, customer
{total}
"""
QUARTER_AMOUNTS = ",\n           ".join(
    f"sum(amount) FILTER (WHERE quarter_index %% 4 = {number})::bigint AS amount_{number}"
    for number in range(len(QUARTER_BITS))
)
# Over several fiscal years: each holder once more for the whole period (fiscal_year NULL).
TOTAL_SQL = """
UNION ALL
SELECT category, customer, NULL, {nothing},
       count(*), sum(amount),
       count(*) FILTER (WHERE undecided = 0),
       count(*) FILTER (WHERE undecided = 0 AND compensated <> 0)
FROM (
    SELECT category, customer, sum(amount) AS amount,
           bit_or(undecided) AS undecided, bit_or(compensated) AS compensated
    FROM holder_years
    GROUP BY category, customer, customer_number, lone_case
) holders
GROUP BY category, customer
"""
# The figures of one cell in a row: cases, amount, decided, compensated.
CELL = 4
LEVEL_QUARTER, LEVEL_YEAR, LEVEL_TOTAL = 0, 1, 3


def statistics_figures(
    *, user: User, period: Period, branch_id: int | None = None
) -> dict[tuple[int, str, str, int | None], Cell]:
    """{(level, category, customer type, quarter index or fiscal year): Cell}, in one query."""
    one_year = period.first.fiscal_year == period.last.fiscal_year
    rows_sql, params = _sql(statistics_rows(user=user, period=period, branch_id=branch_id))
    sql = FIGURES_SQL.format(
        materialized="" if one_year else "MATERIALIZED",
        quarter_amounts=QUARTER_AMOUNTS,
        columns=_quarter_columns(),
        rows=rows_sql,
        total="" if one_year else TOTAL_SQL.format(nothing=", ".join(["NULL"] * 16)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    figures: dict[tuple[int, str, str, int | None], Cell] = {}
    for category, customer, fiscal_year, *numbers in found:
        cells = [
            Cell(*(int(n or 0) for n in numbers[at : at + CELL]))
            for at in range(0, len(numbers), CELL)
        ]
        if fiscal_year is None:
            figures[(LEVEL_TOTAL, category, customer, None)] = cells[-1]
            continue
        for number, cell in enumerate(cells[:-1]):
            if cell.cases:
                figures[(LEVEL_QUARTER, category, customer, fiscal_year * 4 + number)] = cell
        figures[(LEVEL_YEAR, category, customer, fiscal_year)] = cells[-1]
        if one_year:
            figures[(LEVEL_TOTAL, category, customer, None)] = cells[-1]
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
