"""The bench data the reports are measured on: shaped like what the services write."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from compensation.models import CaseAssessment, Decision
from compensation.reports.dashboard import dashboard, dashboard_refresh
from compensation.reports.periods import Period, current_fiscal_year
from compensation.reports.statistics import statistics_report
from incidents.models import Case, UnauthorizedTransaction, User
from incidents.models.search import atm_location_key, payee_account_key

pytestmark = pytest.mark.django_db


def test_bench_cases_get_keys_decisions_and_feed_the_reports(compliance_officer):
    call_command("seed_bench", cases=400, chunk=200, stdout=StringIO())
    out = StringIO()
    call_command("seed_bench_compensation", stdout=out)
    assert "decisions in" in out.getvalue()
    cases = Case.objects.filter(branch__code__gte="101")
    assert cases.filter(customer_type="corporate").count() == 400 // 16
    # The keys written in SQL are the ones the application computes.
    for tx in UnauthorizedTransaction.objects.filter(case__in=cases).order_by("?")[:40]:
        assert tx.payee_key == payee_account_key(
            tx.payee_bank, tx.payee_branch, tx.payee_account_number
        )
        assert tx.location_key == atm_location_key(tx.location)
    assert UnauthorizedTransaction.objects.filter(recovered_amount__gt=0).exists()
    # Every case that reached a decision has an approved one, reviewed by someone else.
    decided = cases.filter(status__in=["decided", "paid", "closed"])
    assert decided.exists()
    assert not decided.exclude(compensation_decisions__status="approved").exists()
    approved = Decision.objects.filter(status="approved")
    assert not approved.filter(reviewed_by=F("prepared_by")).exists()
    assert approved.filter(supersedes__isnull=False).count() < approved.count()
    assert CaseAssessment.objects.filter(taken_by="spouse").exists()
    # A second run adds nothing.
    before = approved.count()
    call_command("seed_bench_compensation", stdout=StringIO())
    assert Decision.objects.filter(status="approved").count() == before
    # The reports read them.
    report = statistics_report(
        user=compliance_officer, period=Period.fiscal_year(current_fiscal_year() - 1)
    )
    assert report.regulator_total.cases > 0 and report.regulator_total.decided > 0
    dashboard_refresh()
    supervisor = User.objects.get(username="bench_supervisor_101_0")
    assert (
        dashboard(user=supervisor).open_total
        == cases.filter(
            branch=supervisor.branch,
            status__in=["preliminary", "reported", "investigating", "in_review", "decided"],
        ).count()
    )
