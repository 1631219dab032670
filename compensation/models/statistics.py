"""The statistics' own rows: each counted case, and what each counted case lost in each category
and fiscal quarter, as the statistics see them, kept by database triggers in the transaction of
every write (migration 0007), so that the statistics page and CSV read one narrow indexed table
instead of joining five.

Only what counts is stored: cases that are not drafts or withdrawn; for the quarters, also not
taken by the spouse, a relative, a cohabitant or a domestic servant, and only transactions behind
an item that has a statistics category. The rules are the SQL functions
``compensation_statistics_quarters`` and ``compensation_statistics_cases`` of the migration;
tests/reports/test_statistics_rows.py compares the rows with a from-scratch computation after
every kind of write.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import Branch, Case
from incidents.models.base import DeskModel
from incidents.models.querysets import RestrictedQuerySet


class BranchScopedQuerySet(RestrictedQuerySet):
    """Rows that carry their case's branch, scoped by it as the case itself would be."""

    # The rows copy the case's branch_id (the only column the scoping's conditions name), so
    # restrict() filters them without joining the case.
    case_lookup = ""


class StatisticsQuarter(DeskModel):
    """What one counted case lost in one category and fiscal quarter, with its holder and decision."""

    case = models.ForeignKey(
        Case, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # The fiscal quarter of the transactions' Japan-time dates (Quarter.index) and its year.
    fiscal_year = models.SmallIntegerField()
    quarter_index = models.IntegerField()
    category = models.CharField(max_length=20)
    customer_type = models.CharField(max_length=12)
    customer_number = models.CharField(max_length=10)
    # A case without a customer number is a holder of its own.
    lone_case = models.BigIntegerField(null=True)
    # What was taken; for online banking net of what was recovered.
    amount = models.BigIntegerField()
    decided = models.BooleanField()
    compensated = models.BooleanField()

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("統計用の四半期別被害")
        verbose_name_plural = _("統計用の四半期別被害")
        constraints = [
            models.UniqueConstraint(
                "case", "category", "quarter_index", name="stats_quarter_case_category"
            )
        ]
        indexes = [
            # In the order of the report's grouping, so the holders stream out of the index.
            models.Index(
                "fiscal_year",
                "category",
                "customer_type",
                "customer_number",
                "lone_case",
                "quarter_index",
                include=["amount", "decided", "compensated", "branch"],
                name="stats_quarter_year_holder",
            ),
            models.Index(
                "branch",
                "fiscal_year",
                "category",
                "customer_type",
                "customer_number",
                "lone_case",
                "quarter_index",
                include=["amount", "decided", "compensated"],
                name="stats_quarter_branch_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.category} {self.quarter_index}"


class StatisticsCase(DeskModel):
    """One counted case with its age band on the notification day and its transactions' total."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    notified_at = models.DateTimeField()
    age_band = models.CharField(max_length=10)
    amount = models.BigIntegerField()

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("統計用の届出")
        verbose_name_plural = _("統計用の届出")
        indexes = [
            models.Index(
                "notified_at", include=["age_band", "amount", "branch"], name="stats_case_notified"
            ),
            models.Index(
                "branch",
                "notified_at",
                include=["age_band", "amount"],
                name="stats_case_branch_notified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.age_band}"
