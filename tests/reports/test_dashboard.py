"""The dashboard: every figure from the database's aggregation, scoped like every case query."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation.reports.dashboard import dashboard, dashboard_refresh
from incidents.cases import services
from incidents.models import Case, Deadline
from tests import factories

from .support import decide

pytestmark = pytest.mark.django_db


def stolen(teller, *amounts):
    return factories.stolen_card_case(teller, withdrawals=[(amount, 0) for amount in amounts])


@pytest.fixture
def world(teller, other_teller, supervisor, approver):
    """Own branch: four decided cases (2, 4, 6 and 10 days from report to decision), one under
    investigation, one reported; the other branch: one reported case."""
    people = {"preparer": teller, "supervisor": supervisor, "approver": approver}
    decided = []
    for days, fault in ((2, "none"), (4, "negligence"), (6, "gross_negligence"), (10, "none")):
        case = stolen(teller, 100_000)
        decide(case, fault=fault, **people)
        # The report was received ``days`` before the approval (just now).
        Case.objects.filter(pk=case.pk).update(submitted_at=timezone.now() - timedelta(days=days))
        decided.append(case)
    investigating = stolen(teller, 50_000, 25_000)
    services.case_transition(case=investigating, user=supervisor, to="investigating")
    stolen(teller, 10_000)
    foreign = stolen(other_teller, 999_000)
    return {"decided": decided, "investigating": investigating, "foreign": foreign}


def test_the_figures_of_a_branch_come_from_the_refreshed_snapshot(world, supervisor):
    dashboard_refresh()
    board = dashboard(user=supervisor)
    assert board.computed_at is not None
    by_status = dict(board.by_status)
    assert by_status == {"仮受付": 0, "受付済": 1, "調査中": 1, "審査中": 0, "決定": 4}
    assert board.open_total == 6
    assert dict(board.by_kind) == {"キャッシュカード（盗難）": 6}
    this_month = board.months[-1]
    assert this_month.month == timezone.localdate().replace(day=1)
    # Claimed: six cases of the branch (the other branch's 999,000 is not here).
    assert (this_month.cases, this_month.claimed) == (6, 400_000 + 75_000 + 10_000)
    # Compensated: 100,000 + 75,000 (75%) + 0 + 100,000 by the decisions approved this month.
    assert (this_month.decisions, this_month.compensated) == (4, 275_000)
    # The median of 2, 4, 6 and 10 days (percentile_cont interpolates between 4 and 6).
    assert board.median_days == pytest.approx(5.0, abs=0.01)
    assert board.decided == 4 and this_month.median_days == pytest.approx(5.0, abs=0.01)
    assert len(board.months) == 12 and board.months[0].claimed == 0


def test_compliance_sees_every_branch_or_the_one_it_picks_and_a_supervisor_only_theirs(
    world, supervisor, compliance_officer, other_branch
):
    dashboard_refresh()
    everything = dashboard(user=compliance_officer)
    assert everything.branch is None and everything.open_total == 7
    assert everything.months[-1].claimed == 485_000 + 999_000
    picked = dashboard(user=compliance_officer, branch_id=other_branch.pk)
    assert picked.open_total == 1 and picked.months[-1].claimed == 999_000
    own = dashboard(user=supervisor, branch_id=other_branch.pk)
    assert own.branch == supervisor.branch and own.open_total == 6


def test_deadlines_due_today_and_overdue_are_counted_live(world, supervisor, compliance_officer):
    now = timezone.now()
    owed = list(Deadline.objects.filter(state="open", branch=supervisor.branch).order_by("pk"))
    assert len(owed) >= 2
    midnight = timezone.make_aware(
        datetime.combine(timezone.localdate(now) + timedelta(days=1), time())
    )
    Deadline.objects.filter(state="open").update(due_at=now + timedelta(days=30))
    Deadline.objects.filter(pk=owed[0].pk).update(due_at=now - timedelta(days=3), state="overdue")
    Deadline.objects.filter(pk=owed[1].pk).update(due_at=now + (midnight - now) / 2)
    foreign = Deadline.objects.filter(case=world["foreign"]).first()
    Deadline.objects.filter(pk=foreign.pk).update(due_at=now - timedelta(hours=1))
    board = dashboard(user=supervisor)
    assert (board.due_today, board.overdue) == (1, 1)
    by_kind = {row.kind: (row.due_today, row.overdue) for row in board.deadlines}
    assert by_kind[owed[0].kind][1] >= 1
    assert dashboard(user=compliance_officer).overdue == 2


def test_the_page_draws_each_chart_with_its_table_in_a_constant_number_of_queries(
    client, world, supervisor, teller, django_assert_max_num_queries
):
    dashboard_refresh()
    client.force_login(supervisor)
    url = reverse("reports:dashboard")
    with django_assert_max_num_queries(10) as few:
        page = client.get(url)
    for _n in range(5):
        stolen(teller, 1_000)
    dashboard_refresh()
    with django_assert_max_num_queries(10) as many:
        client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)
    html = page.content.decode()
    for chart in ("status", "kind", "deadlines", "days", "money"):
        assert f'data-testid="{chart}-chart"' in html
    for table in ("status-table", "kind-table", "deadline-table", "money-table"):
        assert f'data-testid="{table}"' in html
    assert 'role="img"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    assert ' style="' not in html  # charts are coloured by classes (CSP without unsafe-inline)
    assert 'data-testid="median-days">5.0日' in html
    assert 'data-testid="claimed-total">485,000' in html


def test_a_branch_without_cases_shows_zeros_not_an_error(client, world, other_branch):
    dashboard_refresh()
    quiet = factories.branch("003", "渋谷支店")
    client.force_login(factories.staff("quiet_supervisor", "supervisor", quiet))
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="open-total">0件' in html and 'data-testid="claimed-total">0<' in html
