"""The industry statistics against hand-computed figures, one counting rule at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.reports.periods import Period, Quarter, average_man_yen, in_unit, ratio
from compensation.reports.statistics import statistics_report
from incidents.cases import services

from .support import decide, jst, report, taken_by

pytestmark = pytest.mark.django_db

FY2024 = Period.fiscal_year(2024)
FY2025 = Period.fiscal_year(2025)
BOUNDARY = Period(Quarter(2024, 4), Quarter(2025, 2))  # Jan 2025 – Sep 2025


def table(result, category):
    return next(t for t in result.tables if t.category == category)


def row(result, category, label):
    return next(r for r in table(result, category).rows if r.label == label)


def regulator(result, category):
    return dict(result.regulator)[category]


def test_quarters_and_fiscal_years_are_counted_from_april_in_japan_time():
    assert Quarter.of(jst(2025, 4, 1).date()) == Quarter(2025, 1)
    assert Quarter.of(jst(2025, 3, 31).date()) == Quarter(2024, 4)
    assert Quarter.of(jst(2025, 12, 31).date()) == Quarter(2025, 3)
    assert Quarter(2025, 4).start.isoformat() == "2026-01-01"
    assert Quarter(2025, 4).end.isoformat() == "2026-04-01"
    assert FY2025.start_at() == jst(2025, 4, 1, 0)
    assert FY2025.end_at() == jst(2026, 4, 1, 0)
    with pytest.raises(ValueError):
        Period(Quarter(2025, 2), Quarter(2025, 1))
    with pytest.raises(ValueError):
        Period(Quarter(2019, 1), Quarter(2024, 1))  # 21 quarters


def test_one_holder_counts_once_per_category_and_a_case_without_customer_number_on_its_own(
    teller, compliance_officer
):
    # Two stolen-card cases of customer 200001 in the same quarter: one holder, both amounts.
    report(
        teller, customer_number="200001", transactions=[{"at": jst(2025, 5, 1), "amount": 100_000}]
    )
    report(
        teller, customer_number="200001", transactions=[{"at": jst(2025, 6, 2), "amount": 50_000}]
    )
    # Two cases without a customer number: two holders.
    report(teller, customer_number="", transactions=[{"at": jst(2025, 5, 3), "amount": 30_000}])
    report(teller, customer_number="", transactions=[{"at": jst(2025, 5, 4), "amount": 20_000}])
    # Customer 200001 again, with a stolen passbook: counted in that category too.
    report(
        teller,
        customer_number="200001",
        items=[("passbook", "stolen")],
        transactions=[{"at": jst(2025, 5, 5), "amount": 700_000}],
    )
    result = statistics_report(user=compliance_officer, period=FY2025)
    q1 = row(result, "stolen_card", "第1四半期").individual
    assert (q1.cases, q1.amount) == (3, 200_000)
    assert row(result, "stolen_card", "2025年度").individual.cases == 3
    passbook = row(result, "stolen_passbook", "第1四半期").individual
    assert (passbook.cases, passbook.amount) == (1, 700_000)
    assert regulator(result, "stolen_card").cases == 3
    assert result.regulator_total.cases == 4  # the holder is in two categories


def test_withdrawals_count_by_their_japan_time_date_across_the_fiscal_year_and_quarter_edges(
    teller, compliance_officer
):
    # 23:30 on 31 March in Japan is 14:30 UTC: fiscal 2024. 00:30 on 1 April: fiscal 2025.
    report(
        teller,
        customer_number="300001",
        transactions=[
            {"at": jst(2025, 3, 31, 23, 30), "amount": 10_000},
            {"at": jst(2025, 4, 1, 0, 30), "amount": 20_000},
        ],
    )
    # The same holder again at the edge of Q1 and Q2 of fiscal 2025.
    report(
        teller,
        customer_number="300001",
        transactions=[
            {"at": jst(2025, 6, 30, 23, 59), "amount": 40_000},
            {"at": jst(2025, 7, 1, 0, 0), "amount": 80_000},
        ],
    )
    result = statistics_report(user=compliance_officer, period=BOUNDARY)
    rows = {r.label: r.individual for r in table(result, "stolen_card").rows}
    fy2024_q4 = next(
        r.individual for r in table(result, "stolen_card").rows if r.quarter == Quarter(2024, 4)
    )
    assert (fy2024_q4.cases, fy2024_q4.amount) == (1, 10_000)
    assert (rows["2024年度"].cases, rows["2024年度"].amount) == (1, 10_000)
    q1 = next(
        r.individual for r in table(result, "stolen_card").rows if r.quarter == Quarter(2025, 1)
    )
    q2 = next(
        r.individual for r in table(result, "stolen_card").rows if r.quarter == Quarter(2025, 2)
    )
    assert (q1.cases, q1.amount) == (1, 60_000)
    assert (q2.cases, q2.amount) == (1, 80_000)
    # The fiscal year counts the holder once (less than the sum of its quarters), all the money.
    assert (rows["2025年度"].cases, rows["2025年度"].amount) == (1, 140_000)
    assert (rows["期間計"].cases, rows["期間計"].amount) == (1, 150_000)
    assert next(r for r in table(result, "stolen_card").rows if r.kind == "year").partial_year


def test_withdrawals_by_the_spouse_or_relatives_are_left_out(teller, compliance_officer):
    spouse = report(
        teller, customer_number="400001", transactions=[{"at": jst(2025, 5, 1), "amount": 300_000}]
    )
    relative = report(
        teller, customer_number="400002", transactions=[{"at": jst(2025, 5, 1), "amount": 200_000}]
    )
    stranger = report(
        teller, customer_number="400003", transactions=[{"at": jst(2025, 5, 1), "amount": 100_000}]
    )
    taken_by(spouse, "spouse")
    taken_by(relative, "cohabiting_relative")
    taken_by(stranger, "other")  # someone outside the household: counted
    q1 = row(statistics_report(user=compliance_officer, period=FY2025), "stolen_card", "第1四半期")
    assert (q1.individual.cases, q1.individual.amount) == (1, 100_000)


def test_online_banking_counts_only_what_was_not_recovered(teller, compliance_officer):
    payee = ("みらい銀行", "本店", "7654321", "サギ タロウ")
    report(
        teller,
        customer_number="500001",
        items=[("online_banking", "credentials_stolen")],
        transactions=[
            {"at": jst(2025, 8, 1), "amount": 1_000_000, "recovered": 400_000, "payee": payee},
            {"at": jst(2025, 8, 1, 11), "amount": 500_000, "payee": payee},
        ],
    )
    # A recovery on a stolen card's transfer does not change that category's figure.
    report(
        teller,
        customer_number="500002",
        transactions=[
            {
                "at": jst(2025, 8, 2),
                "amount": 90_000,
                "recovered": 90_000,
                "channel": "atm_transfer",
            }
        ],
    )
    result = statistics_report(user=compliance_officer, period=FY2025)
    online = row(result, "online_banking", "第2四半期").individual
    assert (online.cases, online.amount) == (1, 1_100_000)
    assert row(result, "stolen_card", "第2四半期").individual.amount == 90_000


def test_corporate_and_individual_customers_are_counted_apart(teller, compliance_officer):
    report(
        teller, customer_number="600001", transactions=[{"at": jst(2025, 10, 1), "amount": 10_000}]
    )
    report(
        teller,
        customer_number="600002",
        customer_type="corporate",
        name="株式会社テスト",
        transactions=[{"at": jst(2025, 10, 2), "amount": 5_000_000}],
    )
    q3 = row(statistics_report(user=compliance_officer, period=FY2025), "stolen_card", "第3四半期")
    assert (q3.individual.cases, q3.individual.amount) == (1, 10_000)
    assert (q3.corporate.cases, q3.corporate.amount) == (1, 5_000_000)


def test_decided_compensated_not_compensated_and_still_under_investigation(
    teller, supervisor, approver, compliance_officer
):
    def case(number, amount):
        return report(
            teller,
            customer_number=number,
            transactions=[{"at": jst(2025, 4, 10), "amount": amount}],
            notified_at=jst(2025, 4, 12),
        )

    full, partial, nothing, open_one, open_two = (
        case("700001", 100_000),
        case("700002", 200_000),
        case("700003", 300_000),
        case("700004", 400_000),
        case("700005", 500_000),
    )
    people = {"preparer": teller, "supervisor": supervisor, "approver": approver}
    assert decide(full, fault="none", **people).outcome == "full"
    assert decide(partial, fault="negligence", **people).outcome == "partial"
    assert decide(nothing, fault="gross_negligence", **people).outcome == "none"
    result = statistics_report(user=compliance_officer, period=FY2025)
    q1 = row(result, "stolen_card", "第1四半期").individual
    assert (q1.cases, q1.decided, q1.compensated) == (5, 3, 2)
    assert q1.rate == Decimal("66.7")
    cell = regulator(result, "stolen_card")
    assert (cell.compensated, cell.not_compensated, cell.investigating) == (2, 1, 2)
    assert cell.share(cell.compensated) == Decimal("40.0")
    assert cell.share(cell.not_compensated) == Decimal("20.0")
    assert cell.share(cell.investigating) == Decimal("40.0")
    assert cell.amount == 1_500_000
    assert cell.average_man_yen == Decimal("30.0")
    assert open_one.pk and open_two.pk


def test_a_holder_is_decided_when_every_case_is_and_the_latest_approval_is_in_force(
    teller, supervisor, approver, compliance_officer
):
    people = {"preparer": teller, "supervisor": supervisor, "approver": approver}
    first = report(
        teller,
        customer_number="800001",
        transactions=[{"at": jst(2025, 4, 10), "amount": 100_000}],
        notified_at=jst(2025, 4, 12),
    )
    second = report(
        teller,
        customer_number="800001",
        transactions=[{"at": jst(2025, 5, 10), "amount": 100_000}],
        notified_at=jst(2025, 5, 12),
    )
    decide(first, fault="gross_negligence", **people)
    q1 = row(statistics_report(user=compliance_officer, period=FY2025), "stolen_card", "第1四半期")
    assert (q1.individual.cases, q1.individual.decided) == (1, 0)  # the second is still open
    decide(second, fault="gross_negligence", **people)
    q1 = row(statistics_report(user=compliance_officer, period=FY2025), "stolen_card", "第1四半期")
    assert (q1.individual.decided, q1.individual.compensated) == (1, 0)
    # The first case is decided again, now to compensate: the new approval supersedes the old.
    decide(first, fault="none", **people)
    q1 = row(statistics_report(user=compliance_officer, period=FY2025), "stolen_card", "第1四半期")
    assert (q1.individual.decided, q1.individual.compensated) == (1, 1)


def test_lost_items_are_reference_rows_and_drafts_and_withdrawn_reports_are_not_counted(
    teller, compliance_officer
):
    report(
        teller,
        customer_number="900001",
        items=[("cash_card", "lost")],
        transactions=[{"at": jst(2025, 5, 1), "amount": 50_000}],
    )
    report(
        teller,
        customer_number="900002",
        transactions=[{"at": jst(2025, 5, 1), "amount": 60_000}],
        submit=False,
    )
    withdrawn = report(
        teller, customer_number="900003", transactions=[{"at": jst(2025, 5, 1), "amount": 70_000}]
    )
    services.case_transition(case=withdrawn, user=teller, to="withdrawn", reason="お客さまの取下げ")
    result = statistics_report(user=compliance_officer, period=FY2025)
    assert all(t.total.individual.cases == 0 for t in result.tables)
    lost = next(t for t in result.reference if t.category == "lost_card")
    assert (lost.total.individual.cases, lost.total.individual.amount) == (1, 50_000)
    assert result.regulator_total.cases == 0


def test_a_supervisor_gets_their_branch_and_compliance_all_or_the_branch_it_picks(
    teller, other_teller, supervisor, compliance_officer, other_branch
):
    report(
        teller, customer_number="110001", transactions=[{"at": jst(2025, 5, 1), "amount": 10_000}]
    )
    report(
        other_teller,
        customer_number="110002",
        transactions=[{"at": jst(2025, 5, 1), "amount": 20_000}],
    )
    own = statistics_report(user=supervisor, period=FY2025, branch_id=other_branch.pk)
    assert own.branch == supervisor.branch
    assert regulator(own, "stolen_card").amount == 10_000
    everything = statistics_report(user=compliance_officer, period=FY2025)
    assert everything.branch is None and regulator(everything, "stolen_card").amount == 30_000
    picked = statistics_report(user=compliance_officer, period=FY2025, branch_id=other_branch.pk)
    assert regulator(picked, "stolen_card").amount == 20_000


def test_amounts_are_rounded_half_up_in_the_chosen_unit():
    assert in_unit(15_000, "man") == 2 and in_unit(14_999, "man") == 1
    assert in_unit(1_500_000, "million") == 2 and in_unit(1_499_999, "million") == 1
    assert in_unit(123_456, "yen") == 123_456
    assert ratio(2, 3) == Decimal("66.7") and ratio(1, 0) is None
    assert average_man_yen(1_150_000, 3) == Decimal("38.3")


def test_the_page_shows_both_shapes_in_the_unit_and_its_queries_do_not_grow_with_cases(
    client, teller, supervisor, django_assert_max_num_queries
):
    client.force_login(supervisor)
    url = reverse("reports:statistics")
    params = {"first": "2025Q1", "last": "2025Q4", "unit": "man"}
    report(
        teller,
        customer_number="120001",
        transactions=[{"at": jst(2025, 5, 1), "amount": 1_234_567}],
    )
    with django_assert_max_num_queries(12) as few:
        page = client.get(url, params)
    for number in range(6):
        report(
            teller,
            customer_number=f"12010{number}",
            items=[("online_banking", "credentials_stolen")],
            transactions=[{"at": jst(2025, 7, 1 + number), "amount": 10_000}],
        )
    with django_assert_max_num_queries(12) as many:
        client.get(url, params)
    assert len(many.captured_queries) == len(few.captured_queries)
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        'data-testid="regulator-table"' in html
        and html.count('data-testid="association-table"') == 4
    )
    assert "金額の単位：万円" in html
    assert ">123<" in html  # 1,234,567 yen is 123 万円
    assert "2025年度" in html


def test_a_period_that_ends_before_it_starts_is_explained_not_a_server_error(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("reports:statistics"), {"first": "2025Q3", "last": "2025Q1"})
    assert response.status_code == 200
    assert "期間の終了は開始より後の四半期を選んでください。" in response.content.decode()
    response = client.get(reverse("reports:statistics"), {"first": "nonsense", "last": "2025Q1"})
    assert (
        response.status_code == 200
        and 'data-testid="statistics-errors"' in response.content.decode()
    )


def test_tellers_and_the_monitoring_center_may_not_see_the_statistics(
    client, teller, monitoring_agent
):
    for user in (teller, monitoring_agent):
        client.force_login(user)
        assert client.get(reverse("reports:statistics")).status_code == 403
        assert client.get(reverse("reports:dashboard")).status_code == 403


def test_within_one_fiscal_year_the_period_total_is_the_year(teller, compliance_officer):
    for number, day in (("310001", 5), ("310001", 8), ("310002", 11)):
        report(
            teller,
            customer_number=number,
            transactions=[{"at": jst(2025, day, 1), "amount": 30_000}],
        )
    result = statistics_report(user=compliance_officer, period=FY2025)
    year = row(result, "stolen_card", "2025年度").individual
    total = row(result, "stolen_card", "期間計").individual
    # Holder 310001 took money in Q1 and Q2: twice in the quarters, once in the year and total.
    quarters = [r.individual.cases for r in table(result, "stolen_card").rows if r.quarter]
    assert quarters == [1, 1, 1, 0]
    assert (year.cases, year.amount) == (2, 90_000)
    assert (total.cases, total.amount) == (year.cases, year.amount)


def test_the_statistics_leave_the_planner_settings_as_they_found_them(teller, compliance_officer):
    from django.db import connection, transaction

    report(teller, customer_number="320001", transactions=[{"at": jst(2025, 5, 1), "amount": 1}])
    with transaction.atomic(), connection.cursor() as cursor:
        # Inside the request's transaction (ATOMIC_REQUESTS), as the pages call it.
        statistics_report(user=compliance_officer, period=FY2025)
        cursor.execute("SELECT current_setting('enable_nestloop'), current_setting('jit')")
        assert cursor.fetchone() == ("on", "on")
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] != "128MB"


def test_a_period_without_withdrawals_shows_every_table_with_zeros(teller, compliance_officer):
    report(teller, customer_number="330001", transactions=[{"at": jst(2025, 5, 1), "amount": 5}])
    result = statistics_report(user=compliance_officer, period=FY2024)
    cells = [cell for t in result.tables for r in t.rows for cell in (r.individual, r.corporate)]
    assert len(result.tables) == 4 and cells
    assert all((c.cases, c.amount, c.decided) == (0, 0, 0) for c in cells)
    assert result.regulator_total.cases == 0
